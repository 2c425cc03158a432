package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestProxyRefusalsAreNamed: a proxy that refuses CONNECT (403, 502) is a proxy error naming the proxy and its
// answer, in the diagnosis and in the helper's renewal, never a timeout; a registry name the proxy cannot
// resolve is a registry that does not exist.
func TestProxyRefusalsAreNamed(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	proxy := strings.TrimPrefix(kit.ProxyURL, "http://")
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.installPlugin()
	for _, tc := range []struct {
		fault    acrtest.ProxyFault
		status   string
		identity string
	}{
		{acrtest.ProxyForbidden, "403 Forbidden", "ci-sp"}, // Entra ID is behind the proxy too
		{acrtest.ProxyBadGateway, "502 Bad Gateway", "ci-sp"},
		{acrtest.ProxyForbidden, "403 Forbidden", "dev-user"}, // az answers locally: only the registry is refused
	} {
		t.Run(string(tc.fault)+" "+tc.identity, func(t *testing.T) {
			s.t = t
			s.useIdentity(tc.identity)
			s.useHelper(host)
			kit.SetProxyFault(tc.fault)
			defer kit.SetProxyFault(acrtest.ProxyOK)

			rep, r := s.acrcheck(docker, host)
			if r.exitCode != 1 || !slices.Contains(rep.Causes, "network.proxy_error") || slices.Contains(rep.Causes, "network.timeout") {
				t.Errorf("diagnosis: exit %d, causes %v, want network.proxy_error and no timeout\n%s", r.exitCode, rep.Causes, r.stdout)
			}
			for _, c := range rep.Checks {
				if c.Status == "fail" && c.Cause != "network.proxy_error" && c.ID != "docker_daemon" { // no daemon runs here
					t.Errorf("check %s: %s [%s], want network.proxy_error", c.ID, c.Summary, c.Cause)
				}
			}
			if st, sum := rep.check("tcp"); st != "fail" || !strings.Contains(sum, proxy) || !strings.Contains(sum, tc.status) {
				t.Errorf("tcp: %s %q, want a failure naming the proxy %s and %q", st, sum, proxy, tc.status)
			}

			r = s.helper("get", host)
			line := strings.TrimSpace(r.stdout)
			if r.exitCode != 1 || !strings.Contains(line, "[network.proxy_error]") || !strings.Contains(line, proxy) || !strings.Contains(line, tc.status) {
				t.Errorf("helper get: %s", r)
			}
			if f := s.lastFailures(); len(f) == 0 || f[0]["cause"] != "network.proxy_error" || !strings.Contains(f[0]["detail"], proxy) {
				t.Errorf("last failure = %v", f)
			}
		})
	}
	s.t = t

	// A registry that does not exist: the proxy answers 502, saying it cannot resolve the name.
	s.useIdentity("ci-sp")
	missing := "nosuchregistry.azurecr.io"
	rep, r := s.acrcheck(docker, missing)
	if r.exitCode != 1 || !slices.Contains(rep.Causes, "registry.not_found") {
		t.Errorf("diagnosis of %s: exit %d causes %v\n%s", missing, r.exitCode, rep.Causes, r.stdout)
	}
	for _, c := range rep.Checks {
		if c.Status == "fail" && c.Cause != "registry.not_found" && c.ID != "docker_daemon" {
			t.Errorf("check %s: %s [%s], want registry.not_found", c.ID, c.Summary, c.Cause)
		}
	}
	r = s.helper("get", missing)
	if line := strings.TrimSpace(r.stdout); r.exitCode != 1 || !strings.Contains(line, "[registry.not_found]") || !strings.Contains(line, proxy) {
		t.Errorf("helper get %s: %s", missing, r)
	}
	if f := s.lastFailures(); len(f) == 0 || f[0]["cause"] != "registry.not_found" || f[0]["host"] != missing {
		t.Errorf("last failure = %v", f)
	}
	s.assertNoSecretsLeaked()
}
