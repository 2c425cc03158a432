// Package cmd holds no program of its own: its test enforces the start-up budget of the binaries Docker
// runs most often, which must link no network client code.
package cmd

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLightBinariesLinkNoNetworkCode: docker-credential-acrdiag runs on every pull and push of a configured
// registry and docker-acrcheck on every hook; neither may link net/http, the Entra ID library or the docker
// CLI's command packages (each adds start-up work that the performance budget has no room for).
func TestLightBinariesLinkNoNetworkCode(t *testing.T) {
	forbidden := []string{"net/http", "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "github.com/docker/cli/cli/command"}
	for _, bin := range []string{"./docker-credential-acrdiag", "./docker-acrcheck"} {
		out, err := exec.Command("go", "list", "-deps", bin).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", bin, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 20 {
			t.Fatalf("go list -deps %s listed only %d packages", bin, len(deps))
		}
		for _, dep := range deps {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s links %s", bin, dep)
				}
			}
		}
	}
}
