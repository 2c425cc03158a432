package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// binDir holds the binaries under test, built once for the package.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "acrdiag-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer func() { _ = os.RemoveAll(dir) }()
	_, here, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./cmd/...")
	build.Dir = filepath.Join(filepath.Dir(here), "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as released: static binaries
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build binaries under test: %v\n%s", err, out)
		return 2
	}
	binDir = dir
	return m.Run()
}

// requireTool finds a tool the test needs, or skips (fails under ACRDIAG_E2E=require) with the reason.
func requireTool(t testing.TB, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		_, here, _, _ := runtime.Caller(0)
		local := filepath.Join(filepath.Dir(here), "..", ".tools", "bin", name)
		if _, serr := os.Stat(local); serr == nil {
			return local
		}
		missing(t, fmt.Sprintf("%s not found (%s); run `make tools` or install it", name, why))
	}
	return p
}

func missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("ACRDIAG_E2E") == "require" {
		t.Fatalf("ACRDIAG_E2E=require: %s", reason)
	}
	t.Skip(reason)
}

// session is one user's shell: its own HOME and DOCKER_CONFIG, the binaries under test on PATH, and the
// kit's proxy and CA in the environment. Nothing of the machine's own docker configuration leaks in.
type session struct {
	t            testing.TB
	kit          *acrtest.Kit
	home         string
	dockerConfig string
	env          []string
	outputs      []string // everything commands printed, except the helper's protocol answers to get
}

func newSession(t testing.TB, kit *acrtest.Kit) *session {
	t.Helper()
	home := t.TempDir()
	s := &session{t: t, kit: kit, home: home, dockerConfig: filepath.Join(home, ".docker")}
	if err := os.MkdirAll(filepath.Join(s.dockerConfig, "cli-plugins"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.env = append([]string{
		"HOME=" + home,
		"DOCKER_CONFIG=" + s.dockerConfig,
		"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),                         // containers' primary auth.json, never the machine's /run
		"DOCKER_HOST=unix://" + filepath.Join(home, "no-daemon.sock"),           // no daemon unless a test starts one
		"AZURE_TOKEN_CREDENTIALS=dev",                                           // never probe the instance metadata service
		"ACRDIAG_SYSTEM_CONFIG=" + filepath.Join(home, "no-system-config.json"), // whatever the machine has in /etc
		"TERM=dumb",
	}, kit.Env()...)
	return s
}

// setEnv overrides or adds environment variables (KEY=VALUE).
func (s *session) setEnv(kvs ...string) {
	for _, kv := range kvs {
		key, _, _ := strings.Cut(kv, "=")
		s.env = slices.DeleteFunc(s.env, func(e string) bool { return strings.HasPrefix(e, key+"=") })
		s.env = append(s.env, kv)
	}
}

// getEnv returns a variable of the session.
func (s *session) getEnv(key string) string {
	for _, e := range s.env {
		if v, ok := strings.CutPrefix(e, key+"="); ok {
			return v
		}
	}
	return ""
}

// unsetEnv removes variables (an empty value still counts as set for some clients).
func (s *session) unsetEnv(keys ...string) {
	for _, key := range keys {
		s.env = slices.DeleteFunc(s.env, func(e string) bool { return strings.HasPrefix(e, key+"=") })
	}
}

type result struct {
	stdout, stderr string
	exitCode       int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.exitCode, r.stdout, r.stderr)
}

// run runs a command in the session, with stdin, and a deadline so that nothing hangs a test.
func (s *session) run(stdin, name string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = s.env
	cmd.Dir = s.home
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	s.outputs = append(s.outputs, r.stderr)
	if isGet := filepath.Base(name) == "docker-credential-acrdiag" && len(args) == 1 && args[0] == "get"; !isGet {
		s.outputs = append(s.outputs, r.stdout)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.exitCode = ee.ExitCode()
	case err != nil:
		s.t.Fatalf("run %s %v: %v", name, args, err)
	}
	return r
}

// mustRun runs a command that has to succeed.
func (s *session) mustRun(stdin, name string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, name, args...)
	if r.exitCode != 0 {
		s.t.Fatalf("%s %s failed: %s", name, strings.Join(args, " "), r)
	}
	return r
}

func (s *session) readDockerConfig() string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dockerConfig, "config.json"))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// startDockerd starts a dockerd of the session's own (vfs storage, no iptables, no bridge, its own data
// root and socket) with the kit's proxy and CA in its environment, points the session at it, and stops it
// when the test ends.
func (s *session) startDockerd() {
	t := s.t
	t.Helper()
	dockerd := requireTool(t, "dockerd", "Debian's docker.io provides it")
	if os.Geteuid() != 0 {
		missing(t, "dockerd needs root")
	}
	dir, err := os.MkdirTemp("", "dkd-") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "docker.sock")
	if err := os.WriteFile(filepath.Join(dir, "daemon.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dockerd, "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
		"--data-root="+filepath.Join(dir, "data"), "--exec-root="+filepath.Join(dir, "exec"),
		"--pidfile="+filepath.Join(dir, "dockerd.pid"), "--config-file="+filepath.Join(dir, "daemon.json"),
		"-H", "unix://"+sock)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, s.kit.Env()...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dockerd: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		_ = logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("dockerd log (tail):\n%s", tail(string(b), 30))
			}
		}
		_ = os.RemoveAll(dir)
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(logFile.Name())
			t.Fatalf("dockerd exited: %v\n%s", waitErr, tail(string(b), 30))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dockerd did not listen on %s within 60s", sock)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.setEnv("DOCKER_HOST=unix://" + sock)
}

// rootfsTar writes a one-file root filesystem for `docker import`.
func rootfsTar(t *testing.T, content string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "hello.txt", Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte(content))
	_ = tw.Close()
	p := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (s *session) helperPath() string { return filepath.Join(binDir, "docker-credential-acrdiag") }

// corruptCacheFiles overwrites every cached token of the session with garbage.
func (s *session) corruptCacheFiles() {
	s.t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.home, ".cache", "acrdiag", "token-*.json"))
	if len(files) == 0 {
		s.t.Fatal("no cache files to corrupt")
	}
	for _, f := range files {
		if err := os.WriteFile(f, []byte("\x00{not json"), 0o600); err != nil {
			s.t.Fatal(err)
		}
	}
}

func (s *session) writeDockerConfig(content string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dockerConfig, "config.json"), []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// writeAcrdiagConfig writes the session user's acrdiag config.json.
func (s *session) writeAcrdiagConfig(content string) {
	s.t.Helper()
	dir := filepath.Join(s.home, ".config", "acrdiag")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
}
