//go:build unix

package engineproc

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// EndWithParent passes the helper's death on to what the renewal runs. The engine ends, and takes az (which
// azidentity runs through /bin/sh -c, beyond the reach of our own exec options) with it, when its parent
// dies (the parent-death signal on Linux, the parent watched elsewhere) or a signal asks it to: the
// renewal's context is cancelled and, when the engine leads its own process group (the helper starts it
// so), the whole group is killed, the engine included, so that nothing of it exchanges a token for a
// helper that is gone. Run by hand in a shell's group, it only cancels the context. stop undoes it.
func EndWithParent(cancel context.CancelFunc) (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	gone := parentGone()
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-gone:
		case <-done:
			return
		}
		cancel()
		if syscall.Getpgrp() == os.Getpid() {
			_ = syscall.Kill(0, syscall.SIGKILL) // the engine's group: az, its children, and the engine
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
