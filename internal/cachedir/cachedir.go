// Package cachedir guards acrdiag's cache directory, where the token cache, the failure record and the
// last registry live: created 0700, and refused when it is not a directory, belongs to another user or may
// be written by group or others (anyone could then plant a token or a record, or swap a file for a link).
package cachedir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DirError is a cache directory acrdiag does not use, and how to fix it.
type DirError struct {
	Dir     string
	Problem string
	Fix     string
}

func (e *DirError) Error() string {
	return fmt.Sprintf("the cache directory %s %s. Fix: %s", e.Dir, e.Problem, e.Fix)
}

// Prepare makes dir 0700 if it does not exist, and checks that an existing one is safe to keep tokens and
// failure records in.
func Prepare(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return &DirError{dir, "cannot be created (" + pathErr(err) + ")",
				"set ACRDIAG_CACHE_DIR to a directory of your own, or make its parent writable: ls -ld " + filepath.Dir(dir)}
		}
		_ = os.Chmod(dir, 0o700) // acrdiag's own: exactly 0700, whatever the umask left
		st, err = os.Stat(dir)
	}
	if err != nil {
		return &DirError{dir, "cannot be used (" + pathErr(err) + ")", "set ACRDIAG_CACHE_DIR to a directory of your own"}
	}
	if !st.IsDir() {
		return &DirError{dir, "is not a directory", "move it away (mv " + dir + " " + dir + ".bak), or set ACRDIAG_CACHE_DIR to a directory of your own"}
	}
	return checkDirSafe(dir, st)
}

// pathErr is an error without the path it repeats.
func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
