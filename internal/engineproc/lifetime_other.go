//go:build !unix

package engineproc

import (
	"context"
	"os"
	"os/signal"
)

// EndWithParent cancels the renewal on an interrupt. On Windows the helper's job object (run_windows.go)
// ends the engine and what it runs with the helper; elsewhere the engine ends when its output pipe breaks
// or its deadline passes.
func EndWithParent(cancel context.CancelFunc) (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
