package check

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// acrToken is an unsigned token with ACR's issuer, expiring at exp: all the check reads.
func acrToken(exp time.Time) string {
	claims, _ := json.Marshal(map[string]any{"iss": jwt.ACRIssuer, "exp": exp.Unix(), "aud": "myregistry.azurecr.io"})
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(claims) + ".c2ln"
}

func basicAuth(user, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
}

// TestHelmCredentialsCheck: a login `helm registry login` left in plain text in helm's own file is reported
// (it wins over Docker's helper): expired and wrong-username tokens fail with their cause, a valid token or
// a password warns; the fix is helm registry logout. Nothing of helm's for the registry is no finding.
func TestHelmCredentialsCheck(t *testing.T) {
	const host = "myregistry.azurecr.io"
	auths := func(key, auth string) string {
		return `{"auths":{"` + key + `":{"auth":"` + auth + `"}}}`
	}
	tests := []struct {
		name   string
		file   string // "" no file
		status Status
		cause  string
		want   string
	}{
		{"no helm file", "", Skip, "", "no registry login file"},
		{"another registry's login", auths("ghcr.io", basicAuth("bob", "pw")), Pass, "", "no login of its own"},
		{"a helper for the registry", `{"credHelpers":{"` + host + `":"acrdiag"}}`, Pass, "", `credential helper "acrdiag"`},
		{"an expired token", auths(host, basicAuth(loginserver.EmptyGUID, acrToken(time.Now().Add(-time.Hour)))), Fail, cause.AuthTokenExpired, "expired at"},
		{"a token under a user name", auths("https://"+host, basicAuth("alice", acrToken(time.Now().Add(time.Hour)))), Fail, cause.AuthWrongTokenUsername, `"alice"`},
		{"a valid token", auths(host, basicAuth(loginserver.EmptyGUID, acrToken(time.Now().Add(2*time.Hour)))), Warn, "", "a token valid until"},
		{"a password", auths(host, basicAuth("myregistry", "admin-password")), Warn, "", `username "myregistry" and a password`},
		{"a file that is not JSON", `{"auths":`, Warn, "", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(testfs.TempDir(t), "helm", "registry", "config.json")
			t.Setenv("HELM_REGISTRY_CONFIG", path)
			if tt.file != "" {
				_ = os.MkdirAll(filepath.Dir(path), 0o700)
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			e := NewEnv(Options{Registry: host}, config.Config{CacheDir: testfs.TempDir(t)}, nil)
			e.start(context.Background(), time.Second)
			r := helmCredentialsCheck(context.Background(), e)
			if r.Status != tt.status || r.Cause != tt.cause || !strings.Contains(r.Summary, tt.want) {
				t.Errorf("= %s [%s] %q %q, want %s [%s] with %q", r.Status, r.Cause, r.Summary, r.Detail, tt.status, tt.cause, tt.want)
			}
			if (r.Status == Fail || r.Status == Warn) && tt.file[0] == '{' && !strings.Contains(r.Fix+r.Detail, "helm registry logout "+host) {
				t.Errorf("no logout fix: %+v", r)
			}
			if strings.Contains(r.Summary+r.Detail+r.Fix, "eyJ") || strings.Contains(r.Summary+r.Detail+r.Fix, "admin-password") {
				t.Errorf("a secret in the finding: %+v", r)
			}
		})
	}
	if got := (func() string {
		t.Setenv("HELM_REGISTRY_CONFIG", "")
		t.Setenv("HELM_CONFIG_HOME", filepath.FromSlash("/h"))
		return HelmRegistryConfig()
	})(); got != filepath.FromSlash("/h/registry/config.json") {
		t.Errorf("HelmRegistryConfig with HELM_CONFIG_HOME = %s", got)
	}
}
