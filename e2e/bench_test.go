package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// The diagnosis budget: with 100 ms added to every response of the registry, of Entra ID and of Azure
// Resource Manager, the whole diagnosis takes at most 1.3 times its slowest check run alone (which includes
// what it depends on).

func acrcheckBench(b *testing.B) (*session, string) {
	docker := requireTool(b, "docker", "the docker CLI")
	kit := acrtest.Start(b, acrtest.Options{Registries: []acrtest.Registry{{Name: "myregistry", DataEndpoint: true,
		ARM: acrtest.ARMConfig{Roles: map[string][]acrtest.Role{"ci-sp": {acrtest.RoleReader}}, Replicas: []string{"westeurope"}, LoginEvents: true}}}})
	if _, err := kit.Seed("myregistry", "hello:1"); err != nil {
		b.Fatal(err)
	}
	kit.SetLatency("myregistry", 100*time.Millisecond)
	kit.SetEntraLatency(100 * time.Millisecond)
	kit.SetARMLatency(100 * time.Millisecond)
	s := newSession(b, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	return s, docker
}

// allCheckIDs are the diagnosis's checks, as check.All lists them.
var allCheckIDs = []string{"docker_client", "docker_daemon", "docker_credentials", "docker_sides", "name", "proxy", "dns", "tcp", "tls",
	"challenge", "identity", "exchange", "anonymous_pull", "permissions", "data_endpoint",
	"azure_registry", "network_rules", "replica_endpoints", "roles", "stored_user", "trusted_services", "login_events"}

var diagnosisArgs = []string{"acrcheck", "myregistry.azurecr.io", "--repository", "hello", "--action", "push", "--format", "json"}

func BenchmarkAcrcheckFull(b *testing.B) {
	s, docker := acrcheckBench(b)
	execLoop(b, s.env, "", docker, diagnosisArgs...)
}

// BenchmarkAcrcheckSlowestCheck finds the slowest check run alone, then times it.
func BenchmarkAcrcheckSlowestCheck(b *testing.B) {
	s, docker := acrcheckBench(b)
	slowest, worst := slowestCheck(s, docker, nil)
	b.Logf("slowest check alone: %s (%s)", slowest, worst)
	execLoop(b, s.env, "", docker, append(diagnosisArgs, "--checks", slowest)...)
}

// The diagnosis when the proxy refuses Azure Resource Manager (a CONNECT to management.azure.com answered
// 403, or closed unanswered), with the same 100 ms added everywhere: a refusal is an answer, not a reason to
// ask again, so the diagnosis still takes at most 1.3 times its slowest other check run alone.

// armChecks are the checks that read Azure Resource Manager; the others never wait for it.
var armChecks = []string{"azure_registry", "network_rules", "replica_endpoints", "roles", "stored_user", "trusted_services", "login_events"}

var armRefusals = []struct {
	name  string
	fault acrtest.ProxyFault
}{{"proxy_403", acrtest.ProxyForbidden}, {"proxy_closes", acrtest.ProxyEOF}}

func BenchmarkAcrcheckARMRefused(b *testing.B) {
	for _, r := range armRefusals {
		b.Run(r.name, func(b *testing.B) {
			s, docker := acrcheckBench(b)
			s.kit.SetProxyFaultFor("management.azure.com", r.fault)
			execLoop(b, s.env, "", docker, diagnosisArgs...)
		})
	}
}

// BenchmarkAcrcheckARMRefusedSlowestOther finds the slowest check that does not read ARM, run alone with ARM
// refused, then times it.
func BenchmarkAcrcheckARMRefusedSlowestOther(b *testing.B) {
	for _, r := range armRefusals {
		b.Run(r.name, func(b *testing.B) {
			s, docker := acrcheckBench(b)
			s.kit.SetProxyFaultFor("management.azure.com", r.fault)
			slowest, worst := slowestCheck(s, docker, armChecks)
			b.Logf("slowest other check alone: %s (%s)", slowest, worst)
			execLoop(b, s.env, "", docker, append(diagnosisArgs, "--checks", slowest)...)
		})
	}
}

// The plugin's budget: the metadata call and the hook, which the docker CLI runs around every hooked
// command, each within 2x of a trivial Go binary's exec.

func BenchmarkPluginMetadata(b *testing.B) {
	execLoop(b, os.Environ(), "", filepath.Join(binDir, "docker-acrcheck"), "docker-cli-plugin-metadata")
}

// BenchmarkPluginHook is the hook after a failed push whose error names no registry: it classifies the
// text and reads the helper's records.
func BenchmarkPluginHook(b *testing.B) {
	env := append(os.Environ(), "XDG_CACHE_HOME="+b.TempDir(), "ACRDIAG_CONFIG="+filepath.Join(b.TempDir(), "none.json"))
	execLoop(b, env, "", filepath.Join(binDir, "docker-acrcheck"), "acrcheck", "docker-cli-plugin-hooks",
		`{"RootCmd":"push","Flags":{},"CommandError":"unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information."}`)
}

// slowestCheck runs each check alone, but those in except, and returns the slowest and its time.
func slowestCheck(s *session, docker string, except []string) (string, time.Duration) {
	slowest, worst := "", time.Duration(0)
	for _, id := range allCheckIDs {
		if slices.Contains(except, id) {
			continue
		}
		start := time.Now()
		s.run("", docker, append(diagnosisArgs, "--checks", id)...)
		if d := time.Since(start); d > worst {
			slowest, worst = id, d
		}
	}
	return slowest, worst
}
