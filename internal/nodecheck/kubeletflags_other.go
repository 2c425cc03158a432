//go:build !linux

package nodecheck

// runningKubelet finds no kubelet where there is no /proc: the flags or the defaults name the files.
func runningKubelet() []string { return nil }
