package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestInstalledPackage: with the deb installed (CI installs the one `make snapshot` built), the docker CLI
// finds `docker acrcheck` through the system plugin directory and the helper on PATH from the package alone,
// and a credential request goes through the packaged engine.
func TestInstalledPackage(t *testing.T) {
	requireTool(t, "docker", "the docker CLI")
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		missing(t, "dpkg-query not found: the package test runs on Debian")
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "acrdiag").Output(); err != nil || !strings.Contains(string(out), "installed") {
		missing(t, "the acrdiag package is not installed (make snapshot && dpkg -i dist/acrdiag_*_linux_amd64.deb)")
	}
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.setEnv("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") // no build directory: the package alone
	s.useIdentity("ci-sp")
	if entries, _ := os.ReadDir(filepath.Join(s.dockerConfig, "cli-plugins")); len(entries) != 0 {
		t.Fatalf("the session has its own plugins: %v", entries)
	}
	r := s.mustRun("", "docker", "info", "--format", "{{range .ClientInfo.Plugins}}{{.Name}} {{.Path}}{{\"\\n\"}}{{end}}")
	if !strings.Contains(r.stdout, "acrcheck /usr/libexec/docker/cli-plugins/docker-acrcheck") {
		t.Errorf("docker does not find the packaged plugin: %s", r.stdout)
	}
	if r := s.mustRun("", "docker", "acrcheck", "--version"); !strings.Contains(r.stdout, "commit") {
		t.Errorf("docker acrcheck --version: %s", r.stdout)
	}
	helper, err := exec.LookPath("docker-credential-acrdiag")
	if err != nil || !strings.HasPrefix(helper, "/usr/bin/") {
		t.Fatalf("the packaged helper is not on PATH: %q %v", helper, err)
	}
	if r := s.mustRun("", helper, "version"); !strings.Contains(r.stdout, "built") {
		t.Errorf("helper version: %s", r.stdout)
	}
	if _, _, err := getAnswer(s.run(kit.Host("myregistry"), helper, "get")); err != nil {
		t.Errorf("get through the packaged helper and engine: %v", err)
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex) != 1 {
		t.Errorf("exchanges = %v", ex)
	}
}
