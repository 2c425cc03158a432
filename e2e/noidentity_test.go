package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// lastCause runs `docker acrcheck last HOST --format json` and returns the recorded cause and detail.
func (s *session) lastCause(docker, host string) (id, detail string) {
	s.t.Helper()
	r := s.mustRun("", docker, "acrcheck", "last", host, "--format", "json")
	var out struct {
		Failure struct{ Cause, Detail string }
		Cause   struct{ ID, Fix string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		s.t.Fatalf("docker acrcheck last: %v\n%s", err, r)
	}
	if out.Cause.ID != out.Failure.Cause || out.Cause.Fix == "" {
		s.t.Errorf("docker acrcheck last: the explanation %+v does not match the record %+v", out.Cause, out.Failure)
	}
	return out.Failure.Cause, out.Failure.Detail
}

// refusingEndpoint is a loopback HTTP server that answers every request with status and body, as a corporate
// proxy answers a managed identity probe it will not forward.
func refusingEndpoint(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, body, status) }))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort is a loopback address where nothing listens.
// TestHelperNoIdentityAllowsAnonymousPull: a machine with no Entra identity at all (no az login, nothing in the
// environment, a managed identity endpoint that refuses or does not answer) gets "not found" from the helper,
// so that an anonymous pull works, and the failure is recorded as auth.no_identity.
func TestHelperNoIdentityAllowsAnonymousPull(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{{Name: "publicreg", Scenario: acrtest.AnonymousPull}}})
	if _, err := kit.Seed("publicreg", "base:1"); err != nil {
		t.Fatal(err)
	}
	host := kit.Host("publicreg")
	cases := []struct {
		name string
		env  []string // on top of no identity at all; the whole chain unless AZURE_TOKEN_CREDENTIALS is set
	}{
		{"not signed in to az", []string{"AZURE_TOKEN_CREDENTIALS=dev"}},
		{"managed identity endpoint refuses", []string{"IDENTITY_ENDPOINT=" + refusingEndpoint(t, http.StatusForbidden, "Forbidden by proxy policy") + "/msi/token", "IDENTITY_HEADER=x"}},
		{"managed identity endpoint unreachable", []string{"IDENTITY_ENDPOINT=http://" + acrtest.ClosedPort(t) + "/msi/token", "IDENTITY_HEADER=x"}},
	}
	s := newSession(t, kit)
	s.installPlugin()
	s.useHelper(host)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			s.noIdentity()
			s.unsetEnv("AZURE_TOKEN_CREDENTIALS")
			s.setEnv("AZURE_CONFIG_DIR=" + t.TempDir()) // a real az on the machine finds no login either
			s.setEnv(tc.env...)
			if s.getEnv("AZURE_TOKEN_CREDENTIALS") == "" && !strings.HasPrefix(s.getEnv("IDENTITY_ENDPOINT"), "http://127.0.0.1:") {
				t.Fatal("the whole chain without a loopback IDENTITY_ENDPOINT would probe the instance metadata service")
			}
			r := s.helper("get", host)
			if r.exitCode != 1 || r.stdout != notFound+"\n" {
				t.Errorf("get without an identity: %s", r)
			}
			if id, detail := s.lastCause(docker, host); id != "auth.no_identity" {
				t.Errorf("docker acrcheck last = %s (%s), want auth.no_identity", id, detail)
			}
		})
	}
	s.t = t
	if probes := kit.Requests(acrtest.Filter{Service: "proxy", Host: "169.254.169.254"}); len(probes) != 0 {
		t.Errorf("the instance metadata service was probed: %v", probes)
	}
	s.startDockerd()
	s.mustRun("", docker, "pull", host+"/base:1")
	if anon := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Grant: "anonymous"}); len(anon) == 0 {
		t.Errorf("docker did not pull anonymously")
	}
	if id, _ := s.lastCause(docker, host); id != "auth.no_identity" {
		t.Errorf("after the pull: docker acrcheck last = %s, want auth.no_identity", id)
	}
	s.assertNoSecretsLeaked()
}
