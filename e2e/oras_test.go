package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestOrasThroughTheHelper: ORAS reads Docker's config.json (credHelpers here) and pushes and pulls an
// artifact with the helper's token, without oras login.
func TestOrasThroughTheHelper(t *testing.T) {
	oras := requireTool(t, "oras", "ORAS v1.2.0, installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useIdentity("aks-workload")
	s.useHelper(host)
	if err := os.WriteFile(filepath.Join(s.home, "sbom.json"), []byte(`{"packages":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s.mustRun("", oras, "push", host+"/oras/sbom:1", "sbom.json") // run in the session's home: a relative path, as ORAS wants
	out := t.TempDir()
	s.mustRun("", oras, "pull", host+"/oras/sbom:1", "-o", out)
	if b, err := os.ReadFile(filepath.Join(out, "sbom.json")); err != nil || string(b) != `{"packages":[]}` {
		t.Errorf("oras pull: %q %v", b, err)
	}
	if push := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Identity: "aks-workload"}); !scopeGranted(push, "repository:oras/sbom:") {
		t.Errorf("oras did not use the helper's token: %v", push)
	}
	s.assertNoSecretsLeaked()
}
