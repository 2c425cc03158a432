package e2e

import (
	"strings"
	"testing"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/acrtest"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// TestCredentialHelpersClientPackage drives the built helper through docker-credential-helpers' own client
// package (what docker/cli, containers/image and ORAS call): Store, Get, List and Erase of an ordinary
// login, the exact not-found contract (the client turns the helper's stdout line into its typed
// not-found error, for a host that is not an ACR registry and for an erased login), a token for a kit
// registry answered from the identity alone, and erase of a registry nothing was stored for.
func TestCredentialHelpersClientPackage(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	s.writeAcrdiagConfig(`{"registries": ["` + host + `"]}`)
	env := map[string]string{}
	for _, kv := range s.env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	helper := client.NewShellProgramFuncWithEnv(s.helperPath(), &env)

	notFound := func(server string) {
		t.Helper()
		c, err := client.Get(helper, server)
		if !credentials.IsErrCredentialsNotFound(err) || err.Error() != "credentials not found in native keychain" {
			t.Errorf("Get(%s) = %+v, %v; want the typed not-found error", server, c, err)
		}
	}
	notFound("ghcr.io")
	notFound("https://index.docker.io/v1/")

	const other = "registry.example.com"
	if err := client.Store(helper, &credentials.Credentials{ServerURL: other, Username: "bob", Secret: "hunter2-password"}); err != nil {
		t.Fatalf("Store: %v", err)
	}
	if c, err := client.Get(helper, other); err != nil || c.Username != "bob" || c.Secret != "hunter2-password" || c.ServerURL != other {
		t.Errorf("Get(%s) after Store = %+v, %v", other, c, err)
	}
	list, err := client.List(helper)
	if err != nil || list[other] != "bob" || list[host] != loginserver.EmptyGUID {
		t.Errorf("List = %v, %v; want the stored login and the configured registry", list, err)
	}
	if err := client.Erase(helper, other); err != nil {
		t.Errorf("Erase: %v", err)
	}
	notFound(other)
	if list, err := client.List(helper); err != nil || list[other] != "" {
		t.Errorf("List after Erase = %v, %v", list, err)
	}

	for _, server := range []string{host, "https://" + host, host + "/base"} {
		c, err := client.Get(helper, server)
		if err != nil || c.Username != loginserver.EmptyGUID || !jwtPattern.MatchString(c.Secret) {
			t.Errorf("Get(%s) = user %q, %v; want the ACR refresh token under the all-zero username", server, c.Username, err)
		}
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex) != 1 {
		t.Errorf("exchanges = %d, want one (the later gets come from the cache)", len(ex))
	}
	if err := client.Erase(helper, host); err != nil {
		t.Errorf("Erase(%s) with nothing stored: %v", host, err)
	}
}
