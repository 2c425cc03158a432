package explain

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

func unsignedJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("sig"))
}

// TestMachineEvidence: what the machine knows about the registry the text names decides a bare 401, and
// only that registry's records count.
func TestMachineEvidence(t *testing.T) {
	now := time.Now()
	bare := `Head "https://corp.azurecr.io/v2/app/manifests/1": unauthorized: authentication required`
	expired := unsignedJWT(`{"iss":"Azure Container Registry","exp":1700000000}`)
	tests := []struct {
		name, config string
		record       *lastfailure.Record
		want         string
	}{
		{"a password stored: unknown", `{"auths":{"corp.azurecr.io":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("corp:password")) + `"}}}`, nil, cause.Unknown},
		{"a helper answers: unknown", `{"credsStore":"present"}`, nil, cause.Unknown},
		{"no credentials at all", `{"auths":{"other.azurecr.io":{}}}`, nil, cause.AuthNoIdentity},
		{"an expired stored token", `{"auths":{"corp.azurecr.io":{"auth":"` + base64.StdEncoding.EncodeToString([]byte(loginserver.EmptyGUID+":"+expired)) + `"}}}`, nil, cause.AuthTokenExpired},
		{"a missing credential helper", `{"credHelpers":{"corp.azurecr.io":"nosuchhelper"}}`, nil, cause.DockerCredentialStore},
		{"the helper's record for this registry", `{}`, &lastfailure.Record{Time: now.Add(-time.Minute), Host: "corp.azurecr.io", Cause: cause.AuthNoIdentity, Detail: "no identity"}, cause.AuthNoIdentity},
		{"another registry's record explains nothing", `{"credsStore":"present"}`, &lastfailure.Record{Time: now.Add(-time.Minute), Host: "other.azurecr.io", Cause: cause.AuthNoIdentity}, cause.Unknown},
		{"an old record explains nothing", `{"credsStore":"present"}`, &lastfailure.Record{Time: now.Add(-2 * time.Hour), Host: "corp.azurecr.io", Cause: cause.AuthNoIdentity}, cause.Unknown},
		{"corrupt config.json adds nothing", `{"auths":`, nil, cause.Unknown},
	}
	for _, tt := range tests {
		dir := testfs.TempDir(t)
		cfg := filepath.Join(dir, "config.json")
		if err := os.WriteFile(cfg, []byte(tt.config), 0o600); err != nil {
			t.Fatal(err)
		}
		if tt.record != nil {
			if err := lastfailure.Add(dir, *tt.record); err != nil {
				t.Fatal(err)
			}
		}
		m := &Machine{DockerConfig: cfg, CacheDir: dir, FailureWithin: time.Hour, Now: now,
			lookPath: func(p string) (string, error) {
				if p == "docker-credential-present" {
					return "/usr/bin/" + p, nil
				}
				return "", os.ErrNotExist
			}}
		e := Explain(bare, m)
		if len(e.Causes) == 0 || e.Causes[0].ID != tt.want || len(e.Causes[0].Evidence) == 0 {
			t.Errorf("%s: %+v, want %s first with its evidence", tt.name, e.Causes, tt.want)
		}
		if off := Explain(bare, nil); off.Causes[0].ID != cause.Unknown {
			t.Errorf("%s: offline gave %s", tt.name, off.Causes[0].ID)
		}
	}
}

// TestNoCredentialsHere: an empty config.json explains a refused pull at this machine's docker, not a
// node's or a CI runner's text pasted here.
func TestNoCredentialsHere(t *testing.T) {
	dir := testfs.TempDir(t)
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m := &Machine{DockerConfig: cfg, CacheDir: dir, FailureWithin: time.Hour}
	for text, want := range map[string]string{
		`Error response from daemon: Head "https://corp.azurecr.io/v2/app/manifests/1": unauthorized: authentication required`:                                                                                          cause.AuthNoIdentity,
		`Failed to pull image "corp.azurecr.io/app:1": rpc error: code = Unknown desc = failed to resolve reference "corp.azurecr.io/app:1": 401 Unauthorized`:                                                          "",
		`Error response from daemon: Get "https://corp.azurecr.io/v2/": unauthorized: authentication required`:                                                                                                          "",
		`Error response from daemon: Head "https://corp.azurecr.io/v2/app/manifests/1": denied: client with IP '1.2.3.4' is not allowed access`:                                                                         "",
		`ERROR: failed to solve: failed to push corp.azurecr.io/app:1: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://corp.azurecr.io/oauth2/token: 401 Unauthorized`: "",
	} {
		e := Explain(text, m)
		noIdentity := slices.ContainsFunc(e.Causes, func(c CauseOutput) bool {
			return c.ID == cause.AuthNoIdentity && slices.ContainsFunc(c.Evidence, func(ev string) bool { return strings.Contains(ev, "holds no credentials") })
		})
		if want != "" && (e.Causes[0].ID != want || !noIdentity) {
			t.Errorf("%.50q: %+v, want %s first from config.json", text, e.Causes, want)
		}
		if want == "" && noIdentity {
			t.Errorf("%.50q: this machine's config.json explained a node's or a login's failure", text)
		}
	}
}

// TestCompareWithDiagnosis: a diagnosis confirms a cause it found (or a refinement of it) and rules out
// one whose detecting checks all passed.
func TestCompareWithDiagnosis(t *testing.T) {
	e := Explain(`Head "https://corp.azurecr.io/v2/app/manifests/1": denied: client with IP '1.2.3.4' is not allowed access; dial tcp: i/o timeout`, nil)
	confirmed := e.Compare([]CheckOutcome{{ID: "tcp", Status: "pass"}, {ID: "challenge", Status: "fail", Cause: cause.NetworkIPNotAllowed}})
	verdict := map[string]string{}
	for _, c := range e.Causes {
		verdict[c.ID] = c.Diagnosis
	}
	if !confirmed || verdict[cause.NetworkFirewallDenied] != Confirmed || verdict[cause.NetworkTimeout] != RuledOut {
		t.Errorf("confirmed %v, verdicts %v", confirmed, verdict)
	}
	if e.Compare([]CheckOutcome{{ID: "tcp", Status: "skip"}}) || slices.ContainsFunc(e.Causes, func(c CauseOutput) bool { return c.Diagnosis != "" }) {
		t.Errorf("a skipped check decided something: %+v", e.Causes)
	}
}
