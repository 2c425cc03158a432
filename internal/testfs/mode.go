package testfs

import (
	"os"
	"runtime"
	"testing"
)

// HasModes says whether permission bits protect files here. On Windows a file's mode only reflects the
// read-only attribute; the ACL protects it (acrdiag's files sit in the user's profile, private to the user).
var HasModes = runtime.GOOS != "windows"

// WantPerm fails the test when path's permission bits are not want, where files have them.
func WantPerm(tb testing.TB, path string, want os.FileMode) {
	tb.Helper()
	if !HasModes {
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		tb.Errorf("mode of %s: %v", path, err)
		return
	}
	if got := st.Mode().Perm(); got != want {
		tb.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

// ExeName is the file name of a program found on PATH: Windows looks only for names with an extension
// from PATHEXT.
func ExeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}
