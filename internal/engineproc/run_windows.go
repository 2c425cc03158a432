//go:build windows

package engineproc

import (
	"os/exec"
	"unsafe"

	"golang.org/x/sys/windows"
)

// runEngine starts the engine in a job object that kills every process in it when its last handle closes.
// The helper holds the only handle, so the engine and the az it runs (through azidentity) end with the
// helper however the helper ends, and what is left of them when the engine returns ends then: Windows'
// counterpart of the process group and parent-death signal on Unix. Where no job can be made (an old or
// emulated Windows), the engine runs without one and ends when its pipe breaks or its deadline passes.
func runEngine(cmd *exec.Cmd) (started bool, err error) {
	job, jobErr := killOnCloseJob()
	if err := cmd.Start(); err != nil {
		if jobErr == nil {
			_ = windows.CloseHandle(job)
		}
		return false, err
	}
	if jobErr == nil {
		defer func() { _ = windows.CloseHandle(job) }() // ends whatever is left of the engine's processes
		if p, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid)); err == nil {
			_ = windows.AssignProcessToJobObject(job, p) // before the engine starts az: it asks Entra ID first
			_ = windows.CloseHandle(p)
		}
	}
	return true, cmd.Wait()
}

// killOnCloseJob is a job object whose processes are killed when its last handle closes. Its handle is not
// inherited, so the engine cannot keep its own job alive.
func killOnCloseJob() (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, err
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		_ = windows.CloseHandle(job)
		return 0, err
	}
	return job, nil
}
