package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestDiagnosisDoesNotRetryARMRefusals: a proxy that refuses Azure Resource Manager (CONNECT answered 403, or
// closed unanswered) is an answer: the Azure checks say so at once, naming the proxy, and the diagnosis takes
// about as long as its other checks instead of seconds of retries.
func TestDiagnosisDoesNotRetryARMRefusals(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{{Name: "myregistry",
		ARM: acrtest.ARMConfig{Roles: map[string][]acrtest.Role{"ci-sp": {acrtest.RoleReader}}}}}})
	proxy := strings.TrimPrefix(kit.ProxyURL, "http://")
	s := newSession(t, kit)
	s.installPlugin()
	for _, tc := range []struct {
		fault    acrtest.ProxyFault
		identity string
		says     string
	}{
		{acrtest.ProxyForbidden, "ci-sp", "403 Forbidden"},
		{acrtest.ProxyEOF, "ci-sp", "closed the connection without answering CONNECT management.azure.com:443"},
		{acrtest.ProxyEOF, "dev-user", "closed the connection without answering CONNECT management.azure.com:443"},
	} {
		t.Run(string(tc.fault)+" "+tc.identity, func(t *testing.T) {
			s.t = t
			s.useIdentity(tc.identity)
			kit.SetProxyFaultFor("management.azure.com", tc.fault)
			defer kit.SetProxyFaultFor("management.azure.com", acrtest.ProxyOK)
			before := len(kit.Requests(acrtest.Filter{Service: "proxy", Host: "management.azure.com:443"}))
			start := time.Now()
			rep, r := s.acrcheck(docker, kit.Host("myregistry"))
			took := time.Since(start)
			if r.exitCode == 2 {
				t.Fatalf("diagnosis: %s", r)
			}
			var slowestOther int64
			for _, c := range rep.Checks {
				if !slices.Contains(armChecks, c.ID) {
					slowestOther = max(slowestOther, c.MS)
				}
			}
			reg := rep.result("azure_registry")
			if reg.Status != "skip" || !strings.Contains(reg.Summary, proxy) || !strings.Contains(reg.Summary, tc.says) {
				t.Errorf("azure_registry: %s %q; want a skip naming the proxy %s and %q", reg.Status, reg.Summary, proxy, tc.says)
			}
			if reg.MS > slowestOther+500 || took > 2*time.Second {
				t.Errorf("the refusal was retried: azure_registry %d ms, slowest other check %d ms, diagnosis %v", reg.MS, slowestOther, took)
			}
			if n := len(kit.Requests(acrtest.Filter{Service: "proxy", Host: "management.azure.com:443"})) - before; n != 1 {
				t.Errorf("%d CONNECTs to management.azure.com; want one: a refusal is not asked again, nor another ARM API behind the same proxy", n)
			}
		})
	}
	s.t = t
	s.assertNoSecretsLeaked()
}
