package e2e

import (
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestRegistryIdentityPerRegistry: a CI runner whose environment holds one service principal, and a second
// registry that needs a user-assigned managed identity of its own (registryIdentities: credential and
// client id). The helper renews each registry's token from its own identity, the cache keeps them apart,
// and list names the configured registry.
func TestRegistryIdentityPerRegistry(t *testing.T) {
	crane := requireTool(t, "crane", "installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{
		Identities: append(acrtest.DefaultIdentities(), acrtest.Identity{Name: "vm-second", Kind: acrtest.ManagedIdentity}),
		Registries: []acrtest.Registry{{Name: "myregistry"}, {Name: "otherteam"}},
	})
	mine, other := kit.Host("myregistry"), kit.Host("otherteam")
	for _, reg := range []string{"myregistry", "otherteam"} {
		if _, err := kit.Seed(reg, "base:1"); err != nil {
			t.Fatal(err)
		}
	}
	s := newSession(t, kit)
	s.useIdentity("ci-sp")                          // the machine's default: the environment's service principal
	s.setEnv(kit.IdentityEnv("vm-identity")...)     // the managed identity endpoint, on loopback
	s.writeDockerConfig(`{"credsStore":"acrdiag"}`) // one helper for every registry
	s.writeAcrdiagConfig(`{"registryIdentities":{"` + other + `":{"credential":"ManagedIdentityCredential","clientId":"` + kit.Identity("vm-second").ClientID + `"}}}`)

	for _, host := range []string{mine, other} {
		if r := s.mustRun("", crane, "ls", host+"/base"); strings.TrimSpace(r.stdout) != "1" {
			t.Errorf("crane ls %s = %q", host, r.stdout)
		}
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Host: mine}); len(ex) != 1 || ex[0].Identity != "ci-sp" {
		t.Errorf("exchanges for %s = %v, want one by the machine's ci-sp", mine, ex)
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Host: other}); len(ex) != 1 || ex[0].Identity != "vm-second" {
		t.Errorf("exchanges for %s = %v, want one by its own identity vm-second", other, ex)
	}
	if list := s.helper("list", ""); !strings.Contains(list.stdout, `"`+other+`":"00000000-0000-0000-0000-000000000000"`) {
		t.Errorf("list does not name the registry with an identity of its own: %s", list)
	}
	s.writeAcrdiagConfig(`{"registryIdentities":{"` + other + `":{"clientId":"not-a-guid"}}}`)
	if r := s.helper("get", other); r.exitCode == 0 || !strings.Contains(r.stdout, "acrdiag.config_invalid") || !strings.Contains(r.stdout, "clientId") {
		t.Errorf("get with an invalid registry identity: %s", r)
	}
	s.assertNoSecretsLeaked()
}
