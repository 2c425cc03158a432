package engineproc

import (
	"errors"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"
)

// runEngine starts the engine and waits for it, so that it and its children end with the helper:
//   - the engine gets SIGTERM when the helper dies, even by SIGKILL (Pdeathsig), and answers it by
//     killing its process group (EndWithParent);
//   - that group is its own (Setpgid): az, which azidentity runs through /bin/sh, and az's children are in
//     it, and nothing else is;
//   - when the engine ends (or the helper's deadline ends it), what is left of its group is killed too,
//     before the engine is reaped, so that the group id cannot be anyone else's yet.
//
// started is false when the engine could not be started (err says why).
func runEngine(cmd *exec.Cmd) (started bool, err error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	// The kernel sends Pdeathsig when the thread that started the child ends, not the process: this
	// goroutine keeps its thread until the engine is gone, and no other goroutine runs on it meanwhile.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return false, err
	}
	waitExited(cmd.Process.Pid)
	_ = killGroup(cmd.Process.Pid)
	return true, cmd.Wait()
}

// killGroup kills the process group whose leader is pid.
func killGroup(pid int) error {
	err := syscall.Kill(-pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// waitExited blocks until pid has exited, without reaping it (waitid with WNOWAIT): the zombie keeps its
// process and group ids reserved until Wait.
func waitExited(pid int) {
	const pPID, wEXITED, wNOWAIT = 1, 0x4, 0x1000000
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])), wEXITED|wNOWAIT, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}
