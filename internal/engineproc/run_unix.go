//go:build unix && !linux

package engineproc

import (
	"errors"
	"os/exec"
	"syscall"
)

// runEngine starts the engine in a process group of its own and waits for it; the helper's deadline ends the
// whole group (the engine and the az it runs). There is no parent-death signal here: the engine watches its
// parent itself (EndWithParent) and kills its group when the helper is gone.
func runEngine(cmd *exec.Cmd) (started bool, err error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return err
	}
	if err := cmd.Start(); err != nil {
		return false, err
	}
	return true, cmd.Wait()
}
