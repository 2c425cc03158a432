//go:build windows

package filelock

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// Lock takes, never through a link planted at path, an exclusive lock on path, waiting up to timeout; the lock goes with the process.
func Lock(path string, timeout time.Duration) (func(), error) {
	if err := refuseLinks(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	deadline := time.Now().Add(timeout)
	for {
		err = windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
		if err == nil {
			return func() {
				_ = windows.UnlockFileEx(h, 0, 1, 0, ol)
				_ = f.Close()
			}, nil
		}
		if time.Now().After(deadline) {
			_ = f.Close()
			if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
				return nil, ErrTimeout
			}
			return nil, err
		}
		time.Sleep(25 * time.Millisecond)
	}
}
