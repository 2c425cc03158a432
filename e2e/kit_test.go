package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestKitServesRealClients proves the kit is real: the docker CLI logs in client-side through the proxy with
// an ACR refresh token, dockerd pushes and pulls through the token service and the data endpoint, and crane
// lists the tags, each with the kit's CA and proxy only.
func TestKitServesRealClients(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	crane := requireTool(t, "crane", "go-containerregistry's crane, installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	host := kit.Host("myregistry")
	refresh := kit.RefreshToken("myregistry", "ci-sp", 3*time.Hour)

	// Client-side login: no daemon is reachable, so the CLI talks to the registry itself.
	r := s.mustRun(refresh, docker, "login", host, "-u", acrtest.EmptyGUID, "--password-stdin")
	if !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("docker login: %s", r)
	}
	var cfg struct {
		Auths map[string]struct {
			IdentityToken string `json:"identitytoken"`
		} `json:"auths"`
	}
	if err := json.Unmarshal([]byte(s.readDockerConfig()), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Auths[host].IdentityToken == "" {
		t.Errorf("docker did not store the registry's refresh token as an identity token: %s", s.readDockerConfig())
	}
	logins := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Grant: "basic", Identity: "ci-sp"})
	if len(logins) != 1 || logins[0].Status != 200 {
		t.Errorf("login token requests = %v", logins)
	}
	if connects := kit.Requests(acrtest.Filter{Service: "proxy", Host: host + ":443"}); len(connects) == 0 {
		t.Errorf("docker login did not go through the proxy")
	}

	// A refused login names the firewall, as with real ACR.
	r = s.run(refresh, docker, "login", kit.Host("firewalled"), "-u", acrtest.EmptyGUID, "--password-stdin")
	if r.exitCode == 0 || !strings.Contains(r.stderr, "failed with status: 403 Forbidden") {
		t.Errorf("login to a firewalled registry: %s", r)
	}

	// dockerd pushes and pulls with the stored identity token.
	s.startDockerd()
	image := host + "/e2e/hello:1"
	s.mustRun("", docker, "import", rootfsTar(t, "hello from acrdiag\n"), image)
	s.mustRun("", docker, "push", image)
	pushes := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Grant: "refresh_token", Identity: "ci-sp"})
	if len(pushes) == 0 || !strings.Contains(pushes[0].Scope, "repository:e2e/hello:push") {
		t.Errorf("dockerd did not trade the refresh token for a push token: %v", pushes)
	}
	s.mustRun("", docker, "rmi", image)
	s.mustRun("", docker, "pull", image)
	if blobs := kit.Requests(acrtest.Filter{Service: "data", Host: kit.Registry("myregistry").DataHost()}); len(blobs) == 0 || blobs[0].Status != 200 {
		t.Errorf("dockerd pull did not download layers from the data endpoint: %v", blobs)
	}

	// crane reads the same config.json.
	r = s.mustRun("", crane, "ls", host+"/e2e/hello")
	if strings.TrimSpace(r.stdout) != "1" {
		t.Errorf("crane ls = %q, want the tag 1", r.stdout)
	}
}
