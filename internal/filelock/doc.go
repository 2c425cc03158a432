// Package filelock serialises processes on a lock file: concurrent credential helpers (buildx runs them in
// parallel) take turns on a cache entry or the credentials file.
package filelock

import (
	"errors"
	"fmt"
	"os"
)

// ErrTimeout is returned by Lock when another process still holds the lock at the deadline.
var ErrTimeout = errors.New("another process holds the lock")

// refuseLinks makes sure that opening path for the lock cannot create or truncate another file: a symlink
// planted there is removed, and anything else that is no regular file is an error (no lock is taken).
func refuseLinks(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil // the lock creates it
	case err != nil:
		return err
	case st.Mode().IsRegular():
		return nil
	case st.Mode()&os.ModeSymlink != 0:
		return os.Remove(path)
	}
	return fmt.Errorf("lock file %s is not a regular file", path)
}
