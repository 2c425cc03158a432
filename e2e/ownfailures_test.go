package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestHelperOwnFailuresHaveTheirOwnCause: a missing engine and an invalid configuration are each named as
// such, with the file, not as a failing credential store; a lock wait that ran out is no failure at all:
// the helper renews on its own.
func TestHelperOwnFailuresHaveTheirOwnCause(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	expect := func(name, cause string, evidence ...string) {
		t.Helper()
		r := s.helper("get", host)
		line := strings.TrimSpace(r.stdout)
		if r.exitCode != 1 || strings.Contains(line, "\n") || !strings.Contains(line, "["+cause+"]") || !strings.Contains(line, "Fix:") {
			t.Errorf("%s: get: %s", name, r)
		}
		for _, e := range evidence {
			if !strings.Contains(line, e) {
				t.Errorf("%s: the error does not name %q: %s", name, e, line)
			}
		}
		if id, detail := s.lastCause(docker, host); id != cause {
			t.Errorf("%s: docker acrcheck last = %s (%s), want %s", name, id, detail, cause)
		}
	}

	// The engine is not where ACRDIAG_ENGINE says.
	s.setEnv("ACRDIAG_ENGINE=" + filepath.Join(s.home, "no-such-dir", "acrdiag"))
	expect("ACRDIAG_ENGINE names nothing", "acrdiag.engine_missing", "ACRDIAG_ENGINE", "no-such-dir")
	// docker acrcheck says the same, with the fix.
	if r := s.run("", docker, "acrcheck", host); r.exitCode != 2 || !strings.Contains(r.stderr, "[acrdiag.engine_missing]") ||
		!strings.Contains(r.stderr, "no-such-dir") || !strings.Contains(r.stderr, "Fix: Install acrdiag") {
		t.Errorf("docker acrcheck without its engine: %s", r)
	}
	s.unsetEnv("ACRDIAG_ENGINE")

	// The helper alone, nowhere near an engine.
	alone := t.TempDir()
	b, err := os.ReadFile(s.helperPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(alone, "docker-credential-acrdiag"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/bin/acrdiag"); err == nil {
		t.Log("an installed acrdiag is on the system PATH: the engine-not-found case runs with ACRDIAG_ENGINE only")
	} else {
		path := s.getEnv("PATH")
		s.setEnv("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		r := s.run(host, filepath.Join(alone, "docker-credential-acrdiag"), "get")
		if line := strings.TrimSpace(r.stdout); r.exitCode != 1 || !strings.Contains(line, "[acrdiag.engine_missing]") || !strings.Contains(line, "ACRDIAG_ENGINE") {
			t.Errorf("helper without an engine: %s", r)
		}
		s.setEnv("PATH=" + path)
	}

	// An invalid configuration file: its path and the parse error.
	cfgDir := filepath.Join(s.home, ".config", "acrdiag")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(cfgDir, "config.json")
	if err := os.WriteFile(cfgFile, []byte(`{"credential": "dev",`), 0o600); err != nil {
		t.Fatal(err)
	}
	expect("invalid configuration", "acrdiag.config_invalid", cfgFile, "invalid JSON: the file ends at line 1, column 22")

	// Another helper holds the cache entry's lock longer than this one waits.
	if err := os.WriteFile(cfgFile, []byte(`{"lockTimeout": "1s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := getAnswer(s.helper("get", host)); err != nil {
		t.Fatal(err)
	}
	locks, _ := filepath.Glob(filepath.Join(s.home, ".cache", "acrdiag", "token-*.json.lock"))
	if len(locks) != 1 {
		t.Fatalf("lock files: %v", locks)
	}
	lock, err := os.OpenFile(locks[0], os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Close() }()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	s.helper("erase", host) // the cached token goes: the next get has to renew, and waits for the lock
	before := len(kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"}))
	start := time.Now()
	// A lock holder that never finishes (stopped) costs the wait only: then the helper renews on its own.
	if _, _, err := getAnswer(s.helper("get", host)); err != nil {
		t.Errorf("get past a held lock: %v", err)
	}
	if d := time.Since(start); d < time.Second || d > 30*time.Second {
		t.Errorf("get past a held lock took %s with lockTimeout 1s", d)
	}
	if n := len(kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"})) - before; n != 1 {
		t.Errorf("get past a held lock made %d exchanges, want its own one", n)
	}
	_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, _, err := getAnswer(s.helper("get", host)); err != nil {
		t.Errorf("get once the lock is free: %v", err)
	}
	s.assertNoSecretsLeaked()
}
