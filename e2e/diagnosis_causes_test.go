package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestCredentialsCheckTakesTheHelpersCause: when acrdiag's helper answers for a registry and fails (firewall,
// no role), the docker_credentials check names the helper's own cause, not a credential store failure.
func TestCredentialsCheckTakesTheHelpersCause(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{
		{Name: "firewalled", Scenario: acrtest.Firewall}, {Name: "norole", Scenario: acrtest.NoRole}}})
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	s.useHelper(kit.Host("firewalled"), kit.Host("norole"))
	for registry, want := range map[string]string{"firewalled": "network.firewall_denied", "norole": "authz.pull_denied"} {
		rep, r := s.acrcheck(docker, kit.Host(registry))
		if r.exitCode != 1 || !slices.Contains(rep.Causes, want) || slices.Contains(rep.Causes, "docker.credential_store_error") {
			t.Errorf("%s: exit %d, causes %v, want %s and no docker.credential_store_error", registry, r.exitCode, rep.Causes, want)
		}
		for _, c := range rep.Checks {
			if c.ID == "docker_credentials" && (c.Cause != want || !strings.Contains(c.Summary, "acrdiag")) {
				t.Errorf("%s: docker_credentials = %s %q [%s], want the helper's cause %s", registry, c.Status, c.Summary, c.Cause, want)
			}
		}
	}
	s.assertNoSecretsLeaked()
}

// TestIdentityCheckNamesTheCredentialThatAnswered: the identity check reports which credential of the chain
// gave the token (a service principal signed in to az is AzureCLICredential, not a managed identity).
func TestIdentityCheckNamesTheCredentialThatAnswered(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.installPlugin()
	for _, tc := range []struct {
		identity, chain, want string
		azLogin               bool // sign the identity in to az instead (az login --service-principal)
	}{
		{"ci-sp", "prod", "EnvironmentCredential (service principal secret)", false},
		{"cert-sp", "prod", "EnvironmentCredential (service principal certificate)", false},
		{"aks-workload", "prod", "WorkloadIdentityCredential", false},
		{"vm-identity", "prod", "ManagedIdentityCredential", false},
		{"dev-user", "dev", "AzureCLICredential", false},
		{"azd-user", "dev", "AzureDeveloperCLICredential", false},
		{"ci-sp", "dev", "AzureCLICredential", true},
	} {
		s.t = t
		kit.AzLogout() // the identity of this case alone is signed in
		if tc.azLogin {
			s.noIdentity()
			kit.AzLogin(tc.identity)
			s.setEnv("AZURE_CONFIG_DIR="+filepath.Join(kit.Dir, "azure"), "PATH="+kit.AzDir+string(os.PathListSeparator)+s.getEnv("PATH"))
		} else {
			s.useIdentity(tc.identity)
		}
		s.setEnv("AZURE_TOKEN_CREDENTIALS=" + tc.chain)
		rep, r := s.acrcheck(docker, host, "--checks", "identity")
		st, sum := rep.check("identity")
		if st != "pass" || !strings.Contains(sum, "from "+tc.want) || strings.Contains(sum, "managed identity") != (tc.identity == "vm-identity") {
			t.Errorf("%s (az login %v, chain %s): identity = %s %q, want it from %s\n%s", tc.identity, tc.azLogin, tc.chain, st, sum, tc.want, r.stderr)
		}
	}
}
