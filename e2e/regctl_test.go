package e2e

import (
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestRegctlWithCredsStore: regctl asks a credsStore helper's get only for the hosts its list names (without
// the registry in list, the copy below fails unauthenticated). With `credsStore: acrdiag`, nothing stored and
// the registry in acrdiag's configuration, list names it, and regctl copies (pull and push), lists and reads
// through the helper's token: one exchange, no login.
func TestRegctlWithCredsStore(t *testing.T) {
	regctl := requireTool(t, "regctl", "regclient's regctl v0.11.1, installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	if _, err := kit.Seed("myregistry", "base:1"); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	s.writeDockerConfig(`{"credsStore": "acrdiag"}`)
	s.writeAcrdiagConfig(`{"registries": ["` + host + `"]}`)

	if list := s.helper("list", ""); !strings.Contains(list.stdout, `"`+host+`":"00000000-0000-0000-0000-000000000000"`) {
		t.Fatalf("list does not name the configured registry: %s", list)
	}
	s.mustRun("", regctl, "image", "copy", host+"/base:1", host+"/copied:2")
	if r := s.mustRun("", regctl, "tag", "ls", host+"/copied"); strings.TrimSpace(r.stdout) != "2" {
		t.Errorf("regctl tag ls = %q, want the pushed tag 2", r.stdout)
	}
	s.mustRun("", regctl, "manifest", "get", host+"/copied:2")
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex) != 1 {
		t.Errorf("exchanges = %v, want one (every regctl run shares the cached token)", ex)
	}
	if push := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Identity: "ci-sp"}); !scopeGranted(push, "repository:copied:") {
		t.Errorf("regctl did not trade the helper's refresh token for a push token: %v", push)
	}
	s.assertNoSecretsLeaked()
}

// scopeGranted reports whether a token request asked for a scope starting with prefix and got it.
func scopeGranted(reqs []acrtest.Request, prefix string) bool {
	for _, r := range reqs {
		if strings.Contains(r.Scope, prefix) && r.Status == 200 {
			return true
		}
	}
	return false
}
