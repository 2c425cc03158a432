//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// The helper's children end with it: `docker-credential-acrdiag get` runs `acrdiag renew HOST`, which runs
// az (through azidentity's AzureCLICredential, /bin/sh -c "az ..."). When Docker, a CI runner's timeout or a
// user kills the helper with SIGKILL, nothing of its renewal may go on running and exchanging tokens.

// proc is a process of the machine, as /proc tells it.
type proc struct {
	pid     int
	cmdline string
}

// sessionProcs are the live processes (zombies left out) whose environment is the session's: every process
// a command of the session started, however deep, and nothing else on the machine.
func (s *session) sessionProcs() []proc {
	entries, _ := os.ReadDir("/proc")
	mark := []byte("HOME=" + s.home + "\x00")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, mark...)) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, proc{pid, strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))})
	}
	return out
}

// waitProcs polls the session's processes until ok says yes or d passes; it returns the last list.
func (s *session) waitProcs(d time.Duration, ok func([]proc) bool) ([]proc, bool) {
	deadline := time.Now().Add(d)
	for {
		ps := s.sessionProcs()
		if ok(ps) {
			return ps, true
		}
		if time.Now().After(deadline) {
			return ps, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hasProc(ps []proc, part string) bool {
	for _, p := range ps {
		if strings.Contains(p.cmdline, part) {
			return true
		}
	}
	return false
}

func (p proc) String() string { return fmt.Sprintf("%d %s", p.pid, p.cmdline) }

// startHelperGet starts `docker-credential-acrdiag get` for host without waiting for it.
func (s *session) startHelperGet(host string) (*exec.Cmd, *bytes.Buffer) {
	s.t.Helper()
	cmd := exec.Command(s.helperPath(), "get")
	cmd.Env, cmd.Dir, cmd.Stdin = s.env, s.home, strings.NewReader(host+"\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	return cmd, &out
}

// TestHelperChildrenDieWithIt: kill -9 of the helper while its engine waits for a slow az, or for a slow
// registry's exchange, or kill -9 of the engine itself while az runs, leaves no process of the renewal
// behind within a few seconds, and no exchange happens after the kill.
func TestHelperChildrenDieWithIt(t *testing.T) {
	const slow = 6 * time.Second
	for _, tc := range []struct {
		name     string
		identity string
		slowAz   bool
		waitFor  string // the command line of the process to wait for before the kill
		kill     string // "helper", or "engine": the command line of the process killed
	}{
		{"helper killed while az runs", "dev-user", true, "account get-access-token", "helper"},
		{"helper killed during the exchange", "ci-sp", false, "renew", "helper"},
		{"engine killed while az runs", "dev-user", true, "account get-access-token", "engine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each has its own kit and session, and finds its processes by its session's HOME
			kit := acrtest.Start(t, acrtest.Options{})
			s := newSession(t, kit)
			s.useIdentity(tc.identity)
			host := kit.Host("myregistry")
			if tc.slowAz {
				kit.SetAzLatency(slow)
			} else {
				kit.SetLatency("myregistry", slow)
			}
			t.Cleanup(func() { // whatever a failure left running, by pid
				for _, p := range s.sessionProcs() {
					_ = syscall.Kill(p.pid, syscall.SIGKILL)
				}
			})

			helper, answer := s.startHelperGet(host)
			exited := make(chan error, 1)
			go func() { exited <- helper.Wait() }()
			ps, ok := s.waitProcs(20*time.Second, func(ps []proc) bool {
				return hasProc(ps, "acrdiag renew "+host) && hasProc(ps, tc.waitFor)
			})
			if !ok {
				t.Fatalf("the renewal's processes did not appear: %v", ps)
			}
			if !tc.slowAz { // the exchange is on its way: the proxy tunnelled the registry
				deadline := time.Now().Add(10 * time.Second)
				for len(kit.Requests(acrtest.Filter{Service: "proxy", Host: host + ":443"})) == 0 && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
			}
			time.Sleep(200 * time.Millisecond) // well inside az's or the registry's delay
			t.Logf("before the kill: %v", s.sessionProcs())

			killed := time.Now()
			switch tc.kill {
			case "helper":
				_ = helper.Process.Kill()
				if err := <-exited; err == nil {
					t.Errorf("the helper exited 0 after kill -9")
				}
			case "engine":
				for _, p := range s.sessionProcs() {
					if strings.Contains(p.cmdline, "acrdiag renew "+host) {
						_ = syscall.Kill(p.pid, syscall.SIGKILL)
					}
				}
				select {
				case err := <-exited: // the helper answers (an error) once its engine is gone
					if err == nil {
						t.Errorf("the helper exited 0 without its engine")
					}
					if a := answer.String(); !strings.Contains(a, "acrdiag renew gave no result") || jwtPattern.MatchString(a) {
						t.Errorf("the helper's answer after its engine's kill: %q", a)
					}
				case <-time.After(5 * time.Second):
					t.Errorf("the helper did not end within 5 s of its engine's kill")
				}
			}
			if left, ok := s.waitProcs(3*time.Second, func(ps []proc) bool { return len(ps) == 0 }); !ok {
				t.Errorf("3 s after kill -9 of the %s, its renewal still runs: %v", tc.kill, left)
			}

			// Past the delay, whatever survived would have asked Entra ID and the registry by now.
			time.Sleep(time.Until(killed.Add(slow + 2*time.Second)))
			for _, r := range kit.Requests(acrtest.Filter{}) {
				if r.Time.After(killed) && (r.Service == "entra" || r.Path == "/oauth2/exchange") && r.Error != "client gave up" {
					t.Errorf("after the kill: %s", r)
				}
			}
			for _, r := range kit.Requests(acrtest.Filter{Service: "az"}) {
				if r.Time.After(killed.Add(time.Second)) { // az.log has whole seconds
					t.Errorf("az ran again after the kill: %s", r)
				}
			}
		})
	}
}
