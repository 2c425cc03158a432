package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestDockerSidesWithDaemonAndSudo: the docker_sides check through the real docker CLI, dockerd and sudo.
// Without sudo it names the CLI's config.json, helper and proxy and the daemon's proxy (from docker info).
// Under a real sudo it reads the environment sudo was run with and names the split: sudo dropped
// DOCKER_CONFIG, so root's docker reads another config.json with nothing for the registry
// (docker.credential_store_error); or sudo dropped HTTPS_PROXY, so the helper would go direct
// (network.proxy_error); or sudo dropped the identity's AZURE_* variables (auth.no_identity). Only docker_sides runs under sudo: without the kit's proxy nothing else may.
func TestDockerSidesWithDaemonAndSudo(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	sudo := requireTool(t, "sudo", "Debian's sudo package")
	if os.Geteuid() != 0 {
		missing(t, "sudo without a password prompt needs root here")
	}
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	// The shell's docker reads DOCKER_CONFIG; ~/.docker (what docker reads once DOCKER_CONFIG is gone) has
	// the plugin and nothing for the registry.
	shellConfig := filepath.Join(s.home, "docker-config")
	homeConfig := s.dockerConfig
	for _, dir := range []string{shellConfig, homeConfig} {
		if err := os.MkdirAll(filepath.Join(dir, "cli-plugins"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(binDir, "docker-acrcheck"), filepath.Join(dir, "cli-plugins", "docker-acrcheck")); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(shellConfig, "config.json"), []byte(`{"credHelpers": {"`+host+`": "acrdiag"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s.writeDockerConfig(`{}`)
	s.setEnv("DOCKER_CONFIG=" + shellConfig)
	s.startDockerd()

	sides := func(r result, rep report) (status, summary, cause, fix string) {
		t.Helper()
		c := rep.result("docker_sides")
		if c.ID == "" {
			t.Fatalf("no docker_sides check: %s", r)
		}
		t.Logf("docker_sides: %s [%s] %s | %s", c.Status, c.Cause, c.Summary, c.Detail)
		return c.Status, c.Summary + " | " + c.Detail, c.Cause, c.Fix
	}
	rep, r := s.acrcheck(docker, host, "--checks", "docker_sides")
	status, text, _, _ := sides(r, rep)
	if status != "pass" || !strings.Contains(text, filepath.Join(shellConfig, "config.json")+" (credHelpers: acrdiag), proxy "+kit.ProxyURL) ||
		!strings.Contains(text, "the daemon: proxy "+kit.ProxyURL) || !strings.Contains(text, "sudo docker reads /root/.docker/config.json") {
		t.Errorf("without sudo: %s %s", status, text)
	}

	// sudo keeps what the test names: PATH is secure_path, so the CLI is called by its path.
	keep := func(names ...string) []string {
		return []string{"--preserve-env=" + strings.Join(names, ","), docker, "acrcheck", host, "--checks", "docker_sides", "--format", "json"}
	}
	common := []string{"HOME", "DOCKER_HOST", "SSL_CERT_FILE", "AZURE_TOKEN_CREDENTIALS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ACRDIAG_SYSTEM_CONFIG"}
	proxies := []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"}

	r = s.run("", sudo, keep(append(common, proxies...)...)...)
	rep = decodeReport(t, r)
	status, text, cause, fix := sides(r, rep)
	if status != "fail" || cause != "docker.credential_store_error" || !strings.Contains(text, "sudo docker reads "+filepath.Join(homeConfig, "config.json")+", which names nothing for "+host) ||
		!strings.Contains(text, "sudo dropped DOCKER_CONFIG") || !strings.Contains(fix, "sudo docker acrcheck setup "+host) {
		t.Errorf("sudo without DOCKER_CONFIG: %s [%s] %s (fix %s)", status, cause, text, fix)
	}

	r = s.run("", sudo, keep(append(common, "DOCKER_CONFIG")...)...)
	rep = decodeReport(t, r)
	status, text, cause, fix = sides(r, rep)
	if status != "fail" || cause != "network.proxy_error" || !strings.Contains(text, "sudo dropped the proxy: root's shell reaches "+host+" through "+kit.ProxyURL) ||
		!strings.Contains(fix, "--preserve-env=HTTPS_PROXY") {
		t.Errorf("sudo without the proxy: %s [%s] %s (fix %s)", status, cause, text, fix)
	}

	r = s.run("", sudo, keep(append(append(common, "DOCKER_CONFIG"), proxies...)...)...)
	rep = decodeReport(t, r)
	status, text, cause, fix = sides(r, rep)
	if status != "fail" || cause != "auth.no_identity" || !strings.Contains(text, "sudo dropped AZURE_CLIENT_ID, AZURE_TENANT_ID") || !strings.Contains(fix, "--preserve-env=AZURE_CLIENT_ID,AZURE_TENANT_ID") {
		t.Errorf("sudo without the identity: %s [%s] %s (fix %s)", status, cause, text, fix)
	}

	r = s.run("", sudo, keep(append(append(append(common, "DOCKER_CONFIG"), proxies...), identityVars...)...)...)
	rep = decodeReport(t, r)
	if status, text, _, _ = sides(r, rep); status != "pass" || !strings.Contains(text, "as root's docker does") {
		t.Errorf("sudo keeping everything: %s %s", status, text)
	}
}

func decodeReport(t *testing.T, r result) report {
	t.Helper()
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, r)
	}
	return rep
}
