package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestMakeCompare runs scripts/compare.sh (make compare) with the binaries under test: every scenario has
// a row for each tool, docker acrcheck names the scenario's cause, az names what it names (its own codes),
// and the script finds no tool that tried to leave the kit.
func TestMakeCompare(t *testing.T) {
	requireTool(t, "az", "Debian's azure-cli package")
	requireTool(t, "docker", "the docker CLI runs the plugin")
	requireTool(t, "unshare", "util-linux: check-health needs a private /etc/hosts")
	if os.Geteuid() != 0 {
		missing(t, "the private mount namespace for check-health's /etc/hosts needs root here")
	}
	_, here, _, _ := runtime.Caller(0)
	cmd := exec.Command(filepath.Join(filepath.Dir(here), "..", "scripts", "compare.sh"))
	cmd.Env = append(os.Environ(), "ACRDIAG_BIN="+binDir, "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("compare.sh: %v\n%s", err, out)
	}
	t.Logf("make compare:\n%s", out)
	rows := map[string]map[string]string{} // registry -> tool -> what it names
	row := regexp.MustCompile(`^(\S*)(?: \([^)]*\))?\s+(az acr check-health|az acr login --expose-token|docker acrcheck)\s+[0-9.]+s  (.*)$`)
	registry := ""
	for _, line := range strings.Split(string(out), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[1] != "" {
			registry = m[1]
			rows[registry] = map[string]string{}
		}
		rows[registry][m[2]] = m[3]
	}
	want := map[string][3]string{ // check-health, login, acrcheck
		"myregistry": {"OK", "OK", "OK"},
		"firewalled": {"CONNECTIVITY_FORBIDDEN_ERROR", "ERROR: Looks like you don't have access", "network.ip_not_allowed"},
		"norole":     {"CONNECTIVITY_REFRESH_TOKEN_ERROR", "ERROR: Unable to authenticate", "authz.pull_denied"},
		"pullonly":   {"OK", "OK", "authz.push_denied"},
		"expiring":   {"CONNECTIVITY_ACCESS_TOKEN_ERROR", "OK", "auth.token_expired"},
		"acronly":    {"CONNECTIVITY_REFRESH_TOKEN_ERROR", "ERROR: Unable to authenticate", "OK"},
		"blocked":    {"OK", "OK", "network.data_endpoint_blocked"},
	}
	for reg, w := range want {
		got := rows[reg]
		for i, tool := range []string{"az acr check-health", "az acr login --expose-token", "docker acrcheck"} {
			if !strings.HasPrefix(got[tool], w[i]) {
				t.Errorf("%s, %s names %q, want %q", reg, tool, got[tool], w[i])
			}
		}
	}
}
