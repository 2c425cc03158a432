package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// useRealAz points the session at Debian's azure-cli (the real one, not the kit's fake az) with a config
// directory of its own, the kit's CA for Python's requests (which ignores SSL_CERT_FILE), and nothing
// that would call home: no telemetry, no survey, and a fresh version check on record, so az does not
// probe azure.microsoft.com and GitHub for a newer version. The kit's proxy refuses every other host.
func (s *session) useRealAz(t *testing.T) string {
	t.Helper()
	az := requireTool(t, "az", "Debian's azure-cli package (apt-get install azure-cli)")
	dir := filepath.Join(s.home, ".azure")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	v := azCoreVersion(t, az)
	check := fmt.Sprintf(`{"versions": {"azure-cli": {"local": %q}, "core": {"local": %q}}, "update_time": %q}`,
		v, v, time.Now().Format("2006-01-02 15:04:05.000000"))
	if err := os.WriteFile(filepath.Join(dir, "versionCheck.json"), []byte(check), 0o600); err != nil {
		t.Fatal(err)
	}
	s.setEnv("AZURE_CONFIG_DIR="+dir, "REQUESTS_CA_BUNDLE="+s.kit.BundlePath,
		"AZURE_CORE_COLLECT_TELEMETRY=false", "AZURE_CORE_SURVEY_MESSAGE=false", "AZURE_CORE_NO_COLOR=true")
	return az
}

// azCoreVersion is the version of azure-cli-core that az runs, read with az's own Python interpreter.
func azCoreVersion(t *testing.T, az string) string {
	t.Helper()
	python := "python3"
	if f, err := os.Open(az); err == nil {
		line, _ := bufio.NewReader(f).ReadString('\n')
		_ = f.Close()
		if interp, ok := strings.CutPrefix(strings.TrimSpace(line), "#!"); ok && strings.Contains(interp, "python") {
			python = strings.Fields(interp)[0]
		}
	}
	out, err := exec.Command(python, "-c", "from azure.cli.core import __version__; print(__version__)").Output()
	if err != nil {
		t.Fatalf("read azure-cli-core's version with %s: %v", python, err)
	}
	return strings.TrimSpace(string(out))
}

// azLoginServicePrincipal signs the session's real az in as the kit's service principal.
func (s *session) azLoginServicePrincipal(az, identity string) result {
	s.t.Helper()
	id := s.kit.Identity(identity)
	return s.mustRun("", az, "login", "--service-principal", "-u", id.ClientID, "-p", id.Secret, "--tenant", id.TenantID, "-o", "json")
}

// assertOnlyKitHostsContacted fails the test if any client asked the kit's proxy for a host it does not
// serve, or sent plain HTTP through it: az's telemetry, version checks or anything else leaving the kit.
func assertOnlyKitHostsContacted(t *testing.T, kit *acrtest.Kit) {
	t.Helper()
	for _, r := range kit.Requests(acrtest.Filter{Service: "proxy"}) {
		if r.Status != 200 {
			t.Errorf("a client asked for something the kit does not serve: %s", r)
		}
	}
}
