package helper

import (
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
)

func TestErrorIsOneLineWithCauseAndFix(t *testing.T) {
	e := &Error{Host: "corp.azurecr.io", Cause: cause.NetworkFirewallDenied, Detail: "client with IP '1.2.3.4' is not allowed access"}
	msg := e.Error()
	for _, want := range []string{"corp.azurecr.io", "firewall", "1.2.3.4", "az acr network-rule add -n corp", "[network.firewall_denied]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message spans lines: %q", msg)
	}
}
