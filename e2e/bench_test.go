package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// The performance budget compares whole processes: scripts/bench.sh runs these side by side and prints
// the ratios. Each iteration is one exec with stdin, as Docker does it.

// trivialBinary builds a Go program that prints a credential JSON and nothing else: the floor any helper
// is measured against.
func trivialBinary(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(`{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"s\"}`) }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module trivial\n\ngo 1.26\n"), 0o644)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", "trivial", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build trivial binary: %v\n%s", err, out)
	}
	return filepath.Join(dir, "trivial")
}

func execLoop(b *testing.B, env []string, stdin string, path string, args ...string) {
	b.Helper()
	for b.Loop() {
		cmd := exec.Command(path, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil && len(out) == 0 {
			b.Fatalf("%s: %v", path, err)
		}
	}
}

func BenchmarkExecTrivial(b *testing.B) {
	execLoop(b, os.Environ(), "myregistry.azurecr.io\n", trivialBinary(b))
}

// BenchmarkHelperGetWarm is get for an ACR host whose token is cached: the common case.
func BenchmarkHelperGetWarm(b *testing.B) {
	kit := acrtest.Start(b, acrtest.Options{})
	s := newSession(b, kit)
	s.useIdentity("ci-sp")
	execLoop(b, s.env, kit.Host("myregistry"), filepath.Join(binDir, "docker-credential-acrdiag"), "get") // warms the cache on the first call
	if n := len(kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"})); n != 1 {
		b.Fatalf("%d exchanges over %d gets: the cache is not used", n, b.N)
	}
}

// BenchmarkHelperGetNotACR is get for a host that is not a registry of Azure: the not-found answer.
func BenchmarkHelperGetNotACR(b *testing.B) {
	execLoop(b, os.Environ(), "docker.io\n", filepath.Join(binDir, "docker-credential-acrdiag"), "get")
}

// BenchmarkHelperVersion is the helper's start-up cost alone.
func BenchmarkHelperVersion(b *testing.B) {
	execLoop(b, os.Environ(), "", filepath.Join(binDir, "docker-credential-acrdiag"), "version")
}
