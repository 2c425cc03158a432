package engineproc

import "syscall"

// parentGone asks the kernel for SIGTERM when the parent dies (the helper asks for it too, when it starts
// the engine), which EndWithParent already listens for: no channel is needed.
func parentGone() <-chan struct{} {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	return nil
}
