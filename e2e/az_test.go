package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestRealAzureCLIThenDockerPull: Debian's azure-cli signs in as the kit's service principal
// (`az login --service-principal` against the kit's Entra ID, through its proxy), finds the registry
// through ARM (`az acr login --expose-token`, which reads the generic resource list), and then the helper,
// with AzureCLICredential only, turns that az login into the credentials of a real `docker pull` through
// dockerd: az asks Entra ID for an ACR-audience token, the helper exchanges it once. Nothing but the kit is
// contacted.
func TestRealAzureCLIThenDockerPull(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{withReader(acrtest.Registry{Name: "myregistry"})}})
	host := kit.Host("myregistry")
	if _, err := kit.Seed("myregistry", "base:1"); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, kit)
	s.noIdentity()
	s.setEnv("AZURE_TOKEN_CREDENTIALS=AzureCLICredential") // the helper uses az's login and nothing else
	az := s.useRealAz(t)

	start := time.Now()
	if r := s.azLoginServicePrincipal(az, "ci-sp"); !strings.Contains(r.stdout, acrtest.DefaultSubscriptionID) || !strings.Contains(r.stdout, `"servicePrincipal"`) {
		t.Fatalf("az login did not find the kit's subscription: %s", r)
	}
	t.Logf("az login --service-principal took %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if r := s.mustRun("", az, "acr", "login", "-n", "myregistry", "--expose-token", "--query", "loginServer", "-o", "tsv"); strings.TrimSpace(r.stdout) != host {
		t.Errorf("az acr login --expose-token: %s", r)
	}
	t.Logf("az acr login --expose-token took %s", time.Since(start).Round(time.Millisecond))

	s.writeDockerConfig(`{"credHelpers": {"` + host + `": "acrdiag"}}`)
	s.startDockerd()
	before := len(kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange"}))
	start = time.Now()
	s.mustRun("", docker, "pull", host+"/base:1")
	t.Logf("docker pull through the helper and the real az took %s", time.Since(start).Round(time.Millisecond))

	acrTokens := 0
	for _, r := range kit.Requests(acrtest.Filter{Service: "entra", Grant: "client_credentials", Identity: "ci-sp"}) {
		if r.Audience == acrtest.AudienceACR && r.Status == 200 {
			acrTokens++
		}
	}
	if acrTokens != 1 {
		t.Errorf("Entra ID issued %d ACR-audience tokens to az, want one (the helper asks az for the ACR audience)", acrTokens)
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex)-before != 1 {
		t.Errorf("the helper's exchanges = %d, want one", len(ex)-before)
	}
	assertOnlyKitHostsContacted(t, kit)
	s.assertNoSecretsLeaked()
}
