package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestBuildxBuildsFromAndPushesToTheKit: `docker buildx build --push` (buildx v0.19.3, the docker driver,
// the daemon's BuildKit) of a Dockerfile whose FROM is on the kit's registry: BuildKit asks the buildx
// client for credentials over its session, the client asks the helper (credHelpers: acrdiag, nothing
// stored, no login), and the base is pulled and the result pushed with the helper's token.
func TestBuildxBuildsFromAndPushesToTheKit(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI runs buildx as a plugin")
	buildx := requireTool(t, "buildx", "docker/buildx v0.19.3, installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	if _, err := kit.Seed("myregistry", "base:1"); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	s.writeDockerConfig(`{"credHelpers": {"` + host + `": "acrdiag"}}`)
	if err := os.Symlink(buildx, filepath.Join(s.dockerConfig, "cli-plugins", "docker-buildx")); err != nil {
		t.Fatal(err)
	}
	if v := s.mustRun("", docker, "buildx", "version"); !strings.Contains(v.stdout, "v0.19.3") {
		t.Errorf("docker buildx version = %q, want v0.19.3", v.stdout)
	}
	s.startDockerd()
	ctx := t.TempDir()
	dockerfile := "FROM " + host + "/base:1\nCOPY hello.txt /hello.txt\n"
	for name, content := range map[string]string{"Dockerfile": dockerfile, "hello.txt": "built by buildx\n"} {
		if err := os.WriteFile(filepath.Join(ctx, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	s.mustRun("", docker, "buildx", "build", "--progress", "plain", "--provenance=false", "--push", "-t", host+"/buildx/built:1", ctx)
	t.Logf("docker buildx build --push took %s", time.Since(start).Round(time.Millisecond))

	tokens := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Identity: "ci-sp"})
	if !scopeGranted(tokens, "repository:base:pull") || !scopeGranted(tokens, "repository:buildx/built:") {
		t.Errorf("BuildKit did not pull the base and push the result with the helper's token: %v", tokens)
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex) != 1 {
		t.Errorf("exchanges = %v, want one (BuildKit's parallel credential requests share it)", ex)
	}
	s.mustRun("", docker, "pull", host+"/buildx/built:1") // what was pushed is there
	s.assertNoSecretsLeaked()
}
