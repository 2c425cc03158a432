//go:build !windows

package atomicfile

import "os"

// rename replaces newpath: on Unix a rename over a file others have open just works.
func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }
