// Package cmd holds no program of its own: its test enforces the start-up budget of the binaries Docker
// runs most often, which must link no network client code.
package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// TestLightBinariesDoLittleAtInit: no acrdiag package of the light binaries does work at start-up (a
// regular expression compiled in a package variable costs every call of the helper; lazyre compiles on
// first use). GODEBUG=inittrace=1 makes the runtime report each package's init and what it allocated.
func TestLightBinariesDoLittleAtInit(t *testing.T) {
	const maxInitBytes = 32 << 10 // tables of literals take a few kilobytes; one compiled expression takes tens
	dir := t.TempDir()
	for _, bin := range []string{"docker-credential-acrdiag", "docker-acrcheck"} {
		path := filepath.Join(dir, bin)
		if out, err := exec.Command("go", "build", "-o", path, "./"+bin).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", bin, err, out)
		}
		cmd := exec.Command(path, "--version")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		out, _ := cmd.CombinedOutput()
		inits := 0
		for _, line := range strings.Split(string(out), "\n") {
			// init github.com/acrdiag/acrdiag/internal/config @1.3 ms, 3.7 ms clock, 103056 bytes, 597 allocs
			f := strings.Fields(line)
			if len(f) < 9 || f[0] != "init" {
				continue
			}
			inits++
			bytes, _ := strconv.Atoi(f[7])
			if strings.HasPrefix(f[1], "github.com/acrdiag/") && bytes > maxInitBytes {
				t.Errorf("%s: %s allocates %d bytes at init (%s ms): defer the work to first use", bin, f[1], bytes, f[4])
			}
		}
		if inits == 0 {
			t.Fatalf("%s printed no init trace:\n%s", bin, out)
		}
	}
}
