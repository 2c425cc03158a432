//go:build !windows

package dockerconfig

import "runtime"

// skeletonHome is what useradd copies into a new home (/etc/skel); none on macOS.
func skeletonHome() string {
	if runtime.GOOS == "darwin" {
		return ""
	}
	return "/etc/skel"
}
