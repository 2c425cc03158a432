package nodecheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

const acrdiagProvider = `{"name":"acrdiag","matchImages":["*.azurecr.io"],"defaultCacheDuration":"10m",
	"apiVersion":"credentialprovider.kubelet.k8s.io/v1","args":["kubelet-credential-provider"],
	"env":[{"name":"ACRDIAG_CACHE_DIR","value":"CACHE"}]}`

// nodeSetup writes a node's provider config (providers as JSON), a bin dir with the named executables and
// a cache dir, and finds the setup for an image of contoso.azurecr.io.
func nodeSetup(t *testing.T, providers string, binaries ...string) (*Setup, string) {
	t.Helper()
	dir := testfs.TempDir(t)
	cache := filepath.Join(dir, "cache")
	bin := filepath.Join(dir, "bin")
	for _, d := range []string{cache, bin} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range binaries {
		if err := os.WriteFile(filepath.Join(bin, b), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "credential-provider-config.json")
	body := `{"apiVersion":"kubelet.config.k8s.io/v1","kind":"CredentialProviderConfig","providers":[` + strings.ReplaceAll(providers, "CACHE", cache) + `]}`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential") // never the instance metadata service
	s := Find(Options{Image: "contoso.azurecr.io/app", Host: "contoso.azurecr.io", ProviderConfig: cfg, BinDir: bin, CacheDir: cache})
	s.SelectIdentity()
	return s, cache
}

func results(s *Setup) map[string]check.Result {
	out := map[string]check.Result{}
	for _, c := range s.Checks() {
		out[c.ID] = c.Run(nil, nil)
	}
	return out
}

// TestNodeChecks: what each node check says about a healthy acrdiag setup and about the ways it breaks.
func TestNodeChecks(t *testing.T) {
	tests := []struct {
		name, providers string
		binaries        []string
		check           string
		status          check.Status
		cause, says     string
	}{
		{"healthy", acrdiagProvider, []string{"acrdiag"}, "provider_match", check.Pass, "", "kubelet-credential-provider"},
		{"healthy binary", acrdiagProvider, []string{"acrdiag"}, "provider_binary", check.Pass, "", ""},
		{"the binary missing", acrdiagProvider, nil, "provider_binary", check.Fail, cause.KubeletProviderConfig, "acrdiag"},
		{"no pattern matches", strings.Replace(acrdiagProvider, `*.azurecr.io`, `*.azurecr.cn`, 1), []string{"acrdiag"}, "provider_match", check.Fail, cause.KubeletProviderConfig, "*.azurecr.io"},
		{"a * spans no dot", strings.Replace(acrdiagProvider, `*.azurecr.io`, `*.io`, 1), []string{"acrdiag"}, "provider_match", check.Fail, cause.KubeletProviderConfig, ""},
		{"another provider", strings.Replace(acrdiagProvider, `"args":["kubelet-credential-provider"]`, `"args":["/etc/kubernetes/azure.json"]`, 1), []string{"acrdiag"}, "provider_match", check.Warn, "", "not acrdiag"},
		{"a config the kubelet refuses", strings.Replace(acrdiagProvider, `"defaultCacheDuration":"10m",`, ``, 1), []string{"acrdiag"}, "kubelet_config", check.Fail, cause.KubeletProviderConfig, "defaultCacheDuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := nodeSetup(t, tt.providers, tt.binaries...)
			r := results(s)[tt.check]
			text := r.Summary + " " + r.Detail + " " + r.Fix
			if r.Status != tt.status || r.Cause != tt.cause || !strings.Contains(text, tt.says) {
				t.Errorf("%s: %s [%s] %q, want %s [%s] saying %q", tt.check, r.Status, r.Cause, text, tt.status, tt.cause, tt.says)
			}
		})
	}
}

// TestNodeChecksMissingConfig: no config at all means the kubelet runs no provider; the other checks skip.
func TestNodeChecksMissingConfig(t *testing.T) {
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential")
	dir := testfs.TempDir(t)
	s := Find(Options{Image: "contoso.azurecr.io/app", Host: "contoso.azurecr.io", ProviderConfig: filepath.Join(dir, "none.yaml"), BinDir: dir})
	r := results(s)
	if c := r["kubelet_config"]; c.Status != check.Fail || !strings.Contains(c.Detail, "without credentials") {
		t.Errorf("kubelet_config: %+v", c)
	}
	for _, id := range []string{"provider_match", "provider_binary", "token_attributes"} {
		if r[id].Status != check.Skip {
			t.Errorf("%s: %s, want skip", id, r[id].Status)
		}
	}
}

// TestNodeProviderFailure: the provider's failure for this registry, recorded in the cache dir its env
// names, is reported with its cause; another registry's is not.
func TestNodeProviderFailure(t *testing.T) {
	s, cache := nodeSetup(t, acrdiagProvider, "acrdiag")
	if r := results(s)["provider_failure"]; r.Status != check.Pass {
		t.Errorf("no record: %+v", r)
	}
	rec := lastfailure.Record{Time: time.Now(), Host: "other.azurecr.io", Action: "kubelet", Cause: cause.NetworkFirewallDenied, Detail: "403 DENIED"}
	if err := lastfailure.Add(cache, rec); err != nil {
		t.Fatal(err)
	}
	if r := results(s)["provider_failure"]; r.Status != check.Pass {
		t.Errorf("another registry's failure: %+v", r)
	}
	rec.Host = "contoso.azurecr.io"
	if err := lastfailure.Add(cache, rec); err != nil {
		t.Fatal(err)
	}
	if r := results(s)["provider_failure"]; r.Status != check.Warn || r.Cause != cause.NetworkFirewallDenied {
		t.Errorf("this registry's failure: %+v", r)
	}
}
