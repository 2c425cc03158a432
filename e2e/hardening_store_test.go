package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// fileStore gives the session acrdiag's own credentials file as its store (no keychain), and returns its path.
func (s *session) fileStore() string {
	s.t.Helper()
	dir := filepath.Join(s.home, ".config", "acrdiag")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"store": "file"}`), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return filepath.Join(dir, "credentials.json")
}

// sparse makes path a sparse file of size bytes: it costs no disk, but whoever reads it reads them all.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

// timedHelper runs the helper and fails the test when it takes longer than limit.
func (s *session) timedHelper(limit time.Duration, action, stdin string) result {
	s.t.Helper()
	start := time.Now()
	r := s.helper(action, stdin)
	if d := time.Since(start); d > limit {
		s.t.Errorf("%s took %s, want less than %s", action, d.Round(time.Millisecond), limit)
	}
	return r
}

// assertStoreError checks what store prints when it fails: one line with acrdiag's prefix and the fix.
func assertStoreError(t *testing.T, r result, want ...string) {
	t.Helper()
	line := strings.TrimSpace(r.stdout)
	if r.exitCode != 1 || !strings.HasPrefix(line, "acrdiag: ") || strings.Contains(line, "\n") || !strings.Contains(line, ". Fix: ") {
		t.Errorf("store: %s; want exit 1 and one line: acrdiag: what happened (why). Fix: ...", r)
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("store's error does not say %q: %s", w, line)
		}
	}
}

// TestStoreHardening: only a credentials file that does not parse is set aside (and the user told, with the
// fix); one that cannot be read, or is far too big to be acrdiag's, makes store fail with the file and the
// fix and is left as it was; neither is read whole before its size is known.
func TestStoreHardening(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	login := credentialsJSON(host, "myregistry", "admin-password")

	t.Run("corrupt", func(t *testing.T) {
		s := newSession(t, kit)
		path := s.fileStore()
		if err := os.WriteFile(path, []byte(`{"auths": {`), 0o600); err != nil {
			t.Fatal(err)
		}
		r := s.mustRun(login, s.helperPath(), "store")
		aside, _ := filepath.Glob(path + ".corrupt-*")
		if len(aside) != 1 {
			t.Fatalf("copies set aside: %v", aside)
		}
		note := strings.TrimSpace(r.stderr)
		if !strings.HasPrefix(note, "acrdiag: the credentials file "+path+" is corrupt") || !strings.Contains(note, aside[0]) ||
			!strings.Contains(note, "Fix: ") || strings.Contains(note, "\n") {
			t.Errorf("stderr %q, want one acrdiag: line naming the file, the copy and the fix", note)
		}
		if user, secret, err := getAnswer(s.helper("get", host)); err != nil || user != "myregistry" || secret != "admin-password" {
			t.Errorf("get after the reset = %q %q %v", user, secret, err)
		}
	})

	t.Run("unreadable", func(t *testing.T) {
		s := newSession(t, kit)
		run := s.run
		if os.Geteuid() == 0 {
			// root reads a file of mode 000: run the helper as nobody, whose file it is, for a real EACCES.
			run = s.asNobody(t)
		}
		path := s.fileStore()
		content := []byte(`{"auths": {"other.azurecr.io": {"username": "u", "secret": "kept"}}}`)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			chownTree(t, s.home, 65534)
		}
		if err := os.Chmod(path, 0o000); err != nil {
			t.Fatal(err)
		}
		r := run(login, s.helperPath(), "store")
		assertStoreError(t, r, "could not store the credentials for "+host, path, "cannot be read (permission denied", "nothing was changed", "chmod 600 "+path)
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0 {
			t.Errorf("the unreadable file was replaced or changed: %v %v", st, err)
		}
		_ = os.Chmod(path, 0o600)
		if b, _ := os.ReadFile(path); !bytes.Equal(b, content) {
			t.Errorf("the unreadable file now holds %q", b)
		}
		if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 0 {
			t.Errorf("an unreadable file was set aside as corrupt: %v", aside)
		}
	})

	t.Run("a directory in its place", func(t *testing.T) {
		s := newSession(t, kit)
		path := s.fileStore()
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		assertStoreError(t, s.helper("store", login), path, "is not a regular file but a directory", "mv "+path)
		if st, err := os.Stat(path); err != nil || !st.IsDir() {
			t.Errorf("the directory was moved: %v", err)
		}
	})

	t.Run("4 GB", func(t *testing.T) {
		s := newSession(t, kit)
		path := s.fileStore()
		sparse(t, path, 4<<30)
		assertStoreError(t, s.timedHelper(5*time.Second, "store", login), path, "4294967296 bytes", "mv "+path)
		r := s.timedHelper(5*time.Second, "get", "https://index.docker.io/v1/")
		if r.exitCode != 1 || !strings.Contains(r.stdout, path) {
			t.Errorf("get from a 4 GB store: %s", r)
		}
		if st, _ := os.Stat(path); st.Size() != 4<<30 {
			t.Errorf("the file was changed to %d bytes", st.Size())
		}
	})
}

// asNobody returns a runner that runs a binary under test as user nobody (65534) in the session, from a
// copy nobody may execute: root reads any file, so a real EACCES needs another user.
func (s *session) asNobody(t *testing.T) func(stdin, name string, args ...string) result {
	t.Helper()
	bin, err := os.MkdirTemp("", "acrdiag-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(bin) })
	for _, name := range []string{"docker-credential-acrdiag", "acrdiag"} {
		b, err := os.ReadFile(filepath.Join(binDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Chmod(bin, 0o755)
	// The session's home is inside the test's temporary directory, which only root may enter: give nobody a
	// home of its own and move the session there.
	home, err := os.MkdirTemp("", "acrdiag-nobody-home-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(home) })
	s.home, s.dockerConfig = home, filepath.Join(home, ".docker")
	s.setEnv("HOME="+home, "DOCKER_CONFIG="+s.dockerConfig, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "ACRDIAG_SYSTEM_CONFIG="+filepath.Join(home, "no-system-config.json"), "PATH="+bin+string(os.PathListSeparator)+"/usr/bin:/bin")
	return func(stdin, name string, args ...string) result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(bin, filepath.Base(name)), args...)
		cmd.Env, cmd.Dir, cmd.Stdin = s.env, home, strings.NewReader(stdin)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		r := result{stdout: out.String(), stderr: errb.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.exitCode = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run %s as nobody: %v", name, err)
		}
		return r
	}
}

// chownTree gives everything under dir to uid.
func chownTree(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCacheHardening: a 4 GB cache entry costs nothing and is rebuilt; a cache directory others may write is
// not used, which the helper says on stderr with the fix, and get still works.
func TestCacheHardening(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	exchanges := func() int {
		return len(kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange"}))
	}

	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	if _, _, err := getAnswer(s.helper("get", host)); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(s.home, ".cache", "acrdiag", "token-*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v", entries)
	}
	if st, err := os.Stat(filepath.Dir(entries[0])); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the cache directory the helper made has mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
	sparse(t, entries[0], 4<<30)
	if _, _, err := getAnswer(s.timedHelper(10*time.Second, "get", host)); err != nil {
		t.Fatalf("get with a 4 GB cache entry: %v", err)
	}
	if st, _ := os.Stat(entries[0]); st.Size() > 64<<10 {
		t.Errorf("the 4 GB entry was not rebuilt: %d bytes", st.Size())
	}
	if n := exchanges(); n != 2 {
		t.Errorf("exchanges = %d, want 2 (the first, and one to rebuild the 4 GB entry)", n)
	}

	open := filepath.Join(t.TempDir(), "shared-cache")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(open, 0o777)
	s.setEnv("ACRDIAG_CACHE_DIR=" + open)
	for range 2 {
		r := s.helper("get", host)
		if _, _, err := getAnswer(r); err != nil {
			t.Fatalf("get with a world-writable cache directory: %v", err)
		}
		if note := strings.TrimSpace(r.stderr); !strings.HasPrefix(note, "acrdiag: not caching tokens: the cache directory "+open) ||
			!strings.Contains(note, "Fix: chmod 700 "+open) || strings.Contains(note, "\n") {
			t.Errorf("stderr %q, want one acrdiag: line with the fix chmod 700 %s", note, open)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(open, "token-*")); len(files) != 0 {
		t.Errorf("tokens were cached in a world-writable directory: %v", files)
	}
	if n := exchanges(); n != 4 {
		t.Errorf("exchanges = %d, want 4 (no cache: one per get)", n)
	}
	s.assertNoSecretsLeaked()
}

// concurrentGets runs n `docker-credential-acrdiag get host` at once in the session and returns their results.
func (s *session) concurrentGets(host string, n int) []result {
	s.t.Helper()
	out := make([]result, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, s.helperPath(), "get")
			cmd.Env, cmd.Dir, cmd.Stdin = s.env, s.home, strings.NewReader(host)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			out[i] = result{stdout: stdout.String(), stderr: stderr.String()}
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				out[i].exitCode = ee.ExitCode()
			} else if err != nil {
				out[i].exitCode = -1
				out[i].stderr += err.Error()
			}
		}()
	}
	wg.Wait()
	return out
}

// TestHelperSharesRenewalFailures: a renewal's failure answers every helper waiting for the same token, and
// those right after, at once and with the real cause: 32 concurrent gets of a registry that answers 429 send
// one exchange and all name registry.throttled with its Retry-After; 8 concurrent gets of a registry that
// does not answer all name network.timeout after the first renewal's timeout, none a lock or the store.
func TestHelperSharesRenewalFailures(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{
		{Name: "throttled", Scenario: acrtest.Throttled}, {Name: "sluggish", Scenario: acrtest.Slow}}})
	exchanges := func(host string) int {
		return len(kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange"}))
	}
	entraRequests := func() int { return len(kit.Requests(acrtest.Filter{Service: "entra", Method: "POST"})) }

	t.Run("32 gets of a throttling registry", func(t *testing.T) {
		s := newSession(t, kit)
		s.useIdentity("ci-sp")
		host := kit.Host("throttled")
		for i, r := range s.concurrentGets(host, 32) {
			line := strings.TrimSpace(r.stdout)
			if r.exitCode != 1 || !strings.Contains(line, "[registry.throttled]") || !strings.Contains(line, "(retry after ") {
				t.Errorf("get %d: %s; want registry.throttled with the Retry-After", i, r)
			}
		}
		n := exchanges(host)
		t.Logf("32 concurrent gets of a throttling registry: %d exchange(s)", n)
		if n < 1 || n > 2 {
			t.Errorf("32 concurrent gets sent %d exchanges, want 1 (at most 2)", n)
		}
		// A get right after answers from the shared failure too, at once.
		start := time.Now()
		if r := s.helper("get", host); !strings.Contains(r.stdout, "[registry.throttled]") || !strings.Contains(r.stdout, "asks the registry again after") {
			t.Errorf("a later get: %s", r)
		}
		if d := time.Since(start); d > 2*time.Second || exchanges(host) != n {
			t.Errorf("a later get took %s and made %d more exchanges, want at once and none", d, exchanges(host)-n)
		}
		if id, _ := s.lastCauseRecord(host); id != "registry.throttled" {
			t.Errorf("recorded %q", id)
		}
		s.assertNoSecretsLeaked()
	})

	t.Run("8 gets of a registry that does not answer", func(t *testing.T) {
		s := newSession(t, kit)
		s.useIdentity("ci-sp")
		host := kit.Host("sluggish")
		entraBefore := entraRequests()
		start := time.Now()
		results := s.concurrentGets(host, 8)
		took := time.Since(start)
		for i, r := range results {
			line := strings.TrimSpace(r.stdout)
			if r.exitCode != 1 || !strings.Contains(line, "[network.timeout]") {
				t.Errorf("get %d: %s; want network.timeout", i, r)
			}
		}
		// The kit logs an exchange when it ends, and this registry's only end after two minutes: count the
		// renewals by their Entra token requests, which each renewal makes right before its exchange.
		n := entraRequests() - entraBefore
		t.Logf("8 concurrent gets of a slow registry: %d renewal(s), %s", n, took.Round(100*time.Millisecond))
		if n < 1 || n > 2 {
			t.Errorf("8 concurrent gets renewed %d times, want 1 (at most 2)", n)
		}
		if took > 50*time.Second {
			t.Errorf("8 concurrent gets took %s, want about one renewal's timeout (30s)", took)
		}
	})
}

// lastCauseRecord is the cause and detail of the session's newest failure record for host.
func (s *session) lastCauseRecord(host string) (string, string) {
	for _, f := range s.lastFailures() {
		if f["host"] == host {
			return f["cause"], f["detail"]
		}
	}
	return "", ""
}
