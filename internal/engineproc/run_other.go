//go:build !unix && !windows

package engineproc

import "os/exec"

// runEngine starts the engine and waits for it. Without process groups or job objects the engine ends when
// its output pipe breaks or its deadline passes.
func runEngine(cmd *exec.Cmd) (started bool, err error) {
	if err := cmd.Start(); err != nil {
		return false, err
	}
	return true, cmd.Wait()
}
