//go:build unix && !linux

package engineproc

import (
	"os"
	"time"
)

// parentGone is closed when the parent process has died: without a parent-death signal (macOS, the BSDs),
// the engine sees itself handed to another parent.
func parentGone() <-chan struct{} {
	gone := make(chan struct{})
	parent := os.Getppid()
	go func() {
		for os.Getppid() == parent {
			time.Sleep(250 * time.Millisecond)
		}
		close(gone)
	}()
	return gone
}
