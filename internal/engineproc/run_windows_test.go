//go:build windows

package engineproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestEngineTreeEndsWithTheJob: what the engine leaves running (az, which azidentity starts) is killed when
// runEngine returns, as the job object's last handle closes.
func TestEngineTreeEndsWithTheJob(t *testing.T) {
	switch os.Getenv("ACRDIAG_JOB_ROLE") {
	case "engine": // start a long-lived grandchild, say its pid, and return at once
		c := exec.Command(os.Args[0], "-test.run=^TestEngineTreeEndsWithTheJob$")
		c.Env = append(os.Environ(), "ACRDIAG_JOB_ROLE=grandchild")
		if err := c.Start(); err != nil {
			os.Exit(3)
		}
		_ = os.WriteFile(os.Getenv("ACRDIAG_JOB_PIDFILE"), []byte(strconv.Itoa(c.Process.Pid)), 0o600)
		os.Exit(0)
	case "grandchild":
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	pidFile := filepath.Join(testfs.TempDir(t), "pid")
	cmd := exec.Command(os.Args[0], "-test.run=^TestEngineTreeEndsWithTheJob$")
	cmd.Env = append(os.Environ(), "ACRDIAG_JOB_ROLE=engine", "ACRDIAG_JOB_PIDFILE="+pidFile)
	job, err := killOnCloseJob()
	if err != nil {
		t.Skipf("no job objects here: %v", err)
	}
	_ = windows.CloseHandle(job)
	if started, err := runEngine(cmd); !started || err != nil {
		t.Fatalf("runEngine: started %v, %v", started, err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(b))
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return // already gone
	}
	defer func() { _ = windows.CloseHandle(h) }()
	if ev, _ := windows.WaitForSingleObject(h, 5000); ev != windows.WAIT_OBJECT_0 {
		t.Errorf("the engine's child %d still runs after the engine returned", pid)
	}
}
