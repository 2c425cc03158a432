//go:build !windows

package atomicfile

import "os"

// createPrivate is os.CreateTemp: the file's 0600 mode is what keeps it private.
func createPrivate(dir, pattern string) (*os.File, error) { return os.CreateTemp(dir, pattern) }
