package check

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
)

// TestNewEnvParsesOnce: the environment judges the registry name once, with the configured suffixes, and
// picks the cloud from the suffix; nothing touches the network before Run.
func TestNewEnvParsesOnce(t *testing.T) {
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential") // never the instance metadata service
	tests := []struct {
		registry, suffix, host, cloud string
		nameErr                       bool
	}{
		{"MyRegistry.azurecr.io", "", "myregistry.azurecr.io", "AzureCloud", false},
		{"govregistry.azurecr.us", "", "govregistry.azurecr.us", "AzureUSGovernment", false},
		{"corpregistry.registry.contoso.example", "registry.contoso.example", "corpregistry.registry.contoso.example", "", false},
		{"corpregistry.registry.contoso.example", "", "", "", true},
		{"myregistry.azurecr.io.evil.example", "", "", "", true},
	}
	for _, tt := range tests {
		cfg := config.Config{}
		if tt.suffix != "" {
			cfg.LoginServerSuffixes = []string{tt.suffix}
		}
		e := NewEnv(Options{Registry: tt.registry}, cfg, nil)
		if (e.Name != nil) != tt.nameErr || e.LS.Host != tt.host || (tt.cloud != "" && e.LS.Cloud.Name != tt.cloud) {
			t.Errorf("%s (suffix %q): host %q cloud %q name error %v", tt.registry, tt.suffix, e.LS.Host, e.LS.Cloud.Name, e.Name)
		}
		if tt.nameErr && e.Host() != tt.registry {
			t.Errorf("%s: Host() = %q, want the input back", tt.registry, e.Host())
		}
	}
}

// TestDiagnosisInProcess runs the checks in a process of this test binary against the loopback kit,
// through its proxy and CA: a healthy registry passes every network check, and the registry's own faults
// get their causes. The checks run in a child of the test binary because Go reads the proxy and CA
// environment once per process, and other tests here have read it already.
func TestDiagnosisInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the kit")
	}
	if runtime.GOOS == "windows" {
		t.Skip("Go on Windows trusts the system store only, not the kit's SSL_CERT_FILE; e2e's TestWindowsBinaries covers Windows")
	}
	if os.Getenv("ACRDIAG_CHECK_CHILD") != "" {
		diagnoseKitRegistries(t)
		return
	}
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{
		{Name: "myregistry", Scenario: acrtest.Healthy},
		{Name: "firewalled", Scenario: acrtest.Firewall},
		{Name: "norole", Scenario: acrtest.NoRole},
	}})
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiagnosisInProcess$", "-test.v")
	cmd.Env = append(os.Environ(), kit.Env()...)
	cmd.Env = append(cmd.Env, kit.IdentityEnv("ci-sp")...)
	cmd.Env = append(cmd.Env, "AZURE_TOKEN_CREDENTIALS=EnvironmentCredential", "ACRDIAG_CHECK_CHILD=1",
		"ACRDIAG_KIT_HOSTS="+kit.Host("myregistry")+","+kit.Host("firewalled")+","+kit.Host("norole"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDiagnosisInProcess") {
		t.Errorf("the diagnosis in the child: %v\n%s", err, out)
	}
}

func diagnoseKitRegistries(t *testing.T) {
	hosts := strings.Split(os.Getenv("ACRDIAG_KIT_HOSTS"), ",")
	run := func(host string) Report {
		e := NewEnv(Options{Registry: host, Action: "pull"}, config.Config{}, nil)
		return Run(context.Background(), e, []Check{mustCheck(t, "dns"), mustCheck(t, "tcp"), mustCheck(t, "tls"),
			mustCheck(t, "challenge"), mustCheck(t, "identity"), mustCheck(t, "exchange")}, 20*time.Second, nil)
	}
	if r := run(hosts[0]); !r.OK {
		t.Errorf("healthy registry: %+v", r.Checks)
	}
	for host, want := range map[string]string{hosts[1]: cause.NetworkFirewallDenied, hosts[2]: cause.AuthzPullDenied} {
		if r := run(host); r.OK || !strings.Contains(strings.Join(r.Causes, " "), want) {
			t.Errorf("%s: causes %v, want %s; checks %+v", host, r.Causes, want, r.Checks)
		}
	}
}

func mustCheck(t *testing.T, id string) Check {
	t.Helper()
	c, ok := ByID(id)
	if !ok {
		t.Fatalf("no check %q", id)
	}
	return c
}
