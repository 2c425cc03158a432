package cause

import (
	"os"
	"strings"
	"testing"
)

func TestCatalogueIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Catalogue {
		if seen[c.ID] {
			t.Errorf("%s listed twice", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Why == "" || c.Fix == "" || (!strings.Contains(c.ID, ".") && c.ID != Unknown) {
			t.Errorf("%s: incomplete entry %+v", c.ID, c)
		}
	}
	if len(Catalogue) != 45 {
		t.Errorf("catalogue has %d causes, want the design's 27, network.connection_reset, docker.desktop_unreachable, the 4 that need Azure Resource Manager, the docker CLI missing, the platform mismatch, the federated credential mismatch, the ARM permission, acrdiag's own 3, the kubelet provider's 4 and unknown", len(Catalogue))
	}
}

func TestFixForFillsTheRegistry(t *testing.T) {
	fix := FixFor(NetworkFirewallDenied, "corp.azurecr.io")
	if !strings.Contains(fix, "az acr network-rule add -n corp ") || strings.Contains(fix, "{") {
		t.Errorf("fix = %q", fix)
	}
	if fix := FixWithEvidence(NetworkFirewallDenied, "corp.azurecr.io", "403 DENIED: client with IP '203.0.113.9' is not allowed access"); !strings.Contains(fix, "--ip-address 203.0.113.9") {
		t.Errorf("fix = %q", fix)
	}
	if fix := FixFor(AuthAnonymousPullBlocked, "corp.azurecr.io"); fix != "Remove them: docker logout corp.azurecr.io" {
		t.Errorf("fix = %q", fix)
	}
}

func TestREADMEListsEveryCause(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Catalogue {
		if !strings.Contains(string(b), "`"+c.ID+"`") {
			t.Errorf("README.md does not list %s", c.ID)
		}
	}
}
