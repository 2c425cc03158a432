//go:build windows

package atomicfile

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// replaceWait bounds how long a write waits for another program to close the file it replaces: Docker
// Desktop, an editor or a virus scanner hold files for milliseconds, so a second is plenty.
const replaceWait = 2 * time.Second

// rename replaces newpath. Windows refuses to replace a file another process has open (os.Open does not
// share delete access) with "Access is denied" or a sharing violation, so the rename (MoveFileEx with
// MOVEFILE_REPLACE_EXISTING, what os.Rename does) is retried until the file is closed or replaceWait passes.
func rename(oldpath, newpath string) error {
	deadline := time.Now().Add(replaceWait)
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		err := os.Rename(oldpath, newpath)
		if err == nil || !heldOpen(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(pause)
	}
}

func heldOpen(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
