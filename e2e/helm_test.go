package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestHelmThroughTheHelper: helm v3 pushes and pulls OCI charts with credentials from Docker's config.json,
// where acrdiag answers, when helm's own registry file has no login for the registry. A login left there by
// `helm registry login` (plain text, 3 hours) wins over the helper: once expired, helm pulls fail and the
// diagnosis names the file, the cause and the fix (helm registry logout), after which helm works again.
func TestHelmThroughTheHelper(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI runs the plugin")
	helm := requireTool(t, "helm", "helm v3.17.3, installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	s.mustRun("", docker, "acrcheck", "setup", "--no-hooks", "--clients", "docker", host)

	s.mustRun("", helm, "create", filepath.Join(s.home, "acrchart"))
	s.mustRun("", helm, "package", filepath.Join(s.home, "acrchart"), "--destination", s.home)
	chart := filepath.Join(s.home, "acrchart-0.1.0.tgz")
	s.mustRun("", helm, "push", chart, "oci://"+host+"/charts")
	if push := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Identity: "ci-sp"}); !scopeGranted(push, "repository:charts/acrchart:") {
		t.Errorf("helm push did not use the helper's token: %v", push)
	}
	pulled := t.TempDir()
	s.mustRun("", helm, "pull", "oci://"+host+"/charts/acrchart", "--version", "0.1.0", "--destination", pulled)
	if _, err := os.Stat(filepath.Join(pulled, "acrchart-0.1.0.tgz")); err != nil {
		t.Errorf("helm pull: %v", err)
	}
	if rep, _ := s.acrcheck(docker, host, "--checks", "helm_credentials"); !strings.Contains(summaryOf(rep, "helm_credentials"), "no registry login file") {
		t.Errorf("helm_credentials without a helm login: %+v", rep)
	}

	// What helm registry login left three and a half hours ago.
	expired := kit.RefreshToken("myregistry", "ci-sp", -30*time.Minute)
	helmFile := filepath.Join(s.home, ".config", "helm", "registry", "config.json")
	_ = os.MkdirAll(filepath.Dir(helmFile), 0o700)
	auth := base64.StdEncoding.EncodeToString([]byte(acrtest.EmptyGUID + ":" + expired))
	if err := os.WriteFile(helmFile, []byte(`{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := s.run("", helm, "pull", "oci://"+host+"/charts/acrchart", "--version", "0.1.0", "--destination", t.TempDir()); r.exitCode == 0 {
		t.Errorf("helm pull with an expired login in helm's file worked: the trap is not reproduced: %s", r)
	}
	rep, r := s.acrcheck(docker, host, "--checks", "helm_credentials")
	c := checkOf(rep, "helm_credentials")
	if r.exitCode != 1 || c.Status != "fail" || c.Cause != "auth.token_expired" || !strings.Contains(c.Summary, helmFile) ||
		!strings.Contains(c.Fix, "helm registry logout "+host) {
		t.Errorf("diagnosis of an expired helm login: %+v\n%s", c, r)
	}
	s.mustRun("", helm, "registry", "logout", host)
	s.mustRun("", helm, "pull", "oci://"+host+"/charts/acrchart", "--version", "0.1.0", "--destination", t.TempDir())
	s.assertNoSecretsLeaked() // logout removed the planted login from helm's file
}

func summaryOf(rep report, id string) string {
	_, summary := rep.check(id)
	return summary
}

func checkOf(rep report, id string) (c struct{ ID, Status, Summary, Detail, Cause, Fix string }) {
	for _, got := range rep.Checks {
		if got.ID == id {
			return struct{ ID, Status, Summary, Detail, Cause, Fix string }{got.ID, got.Status, got.Summary, got.Detail, got.Cause, got.Fix}
		}
	}
	return c
}
