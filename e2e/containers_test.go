package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// containersSession is a session whose containers tools see only the session's files: its auth.json
// files (the lasting one and the primary runtime one), a policy that accepts any image, and no Docker
// config.json entry for the registry, so that what works can only come from auth.json.
func containersSession(t *testing.T, kit *acrtest.Kit) (*session, string) {
	t.Helper()
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	s.writeDockerConfig(`{}`)
	policy := filepath.Join(s.home, "policy.json")
	if err := os.WriteFile(policy, []byte(`{"default":[{"type":"insecureAcceptAnything"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, policy
}

func (s *session) lastingAuthFile() string {
	return filepath.Join(s.home, ".config", "containers", "auth.json")
}

func (s *session) primaryAuthFile() string {
	return filepath.Join(s.getEnv("XDG_RUNTIME_DIR"), "containers", "auth.json")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSkopeoUsesAuthJSONAfterSetup: skopeo ignores credsStore and reads containers' auth.json. After
// `docker acrcheck setup --clients containers`, it inspects and copies (pull and push) through the helper,
// although the primary auth.json holds a stale podman login for the registry (setup adds the credHelpers
// entry there too, which the tools read before auths). Undo gives both auth.json files back byte for byte.
func TestSkopeoUsesAuthJSONAfterSetup(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI runs the plugin")
	skopeo := requireTool(t, "skopeo", "Debian's skopeo package")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	if _, err := kit.Seed("myregistry", "base:1"); err != nil {
		t.Fatal(err)
	}
	s, policy := containersSession(t, kit)
	// A stale podman login (a wrong password) in the primary file, and another tool's entries in the lasting one.
	primary := "{\n\t\"auths\": {\n\t\t\"" + host + "\": {\"auth\": \"MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOnN0YWxl\"},\n\t\t\"quay.io\": {\"auth\": \"Ym9iOnB3\"}\n\t}\n}\n"
	lasting := `{"credHelpers":{"123456789012.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"},"futureKey":{"x":[1,2]}}`
	for path, content := range map[string]string{s.primaryAuthFile(): primary, s.lastingAuthFile(): lasting} {
		_ = os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := s.run("", skopeo, "inspect", "--raw", "docker://"+host+"/base:1"); r.exitCode == 0 {
		t.Fatalf("skopeo worked before setup with a stale login: the test proves nothing: %s", r)
	}

	dry := s.mustRun("", docker, "acrcheck", "setup", "--dry-run", "--clients", "containers", host)
	if !strings.Contains(dry.stdout, "Would change "+s.lastingAuthFile()) || !strings.Contains(dry.stdout, "Would change "+s.primaryAuthFile()) ||
		!strings.Contains(dry.stdout, `+ 		"`+host+`": "acrdiag"`) || strings.Contains(dry.stdout, `+ 	"auths"`) ||
		readFile(t, s.primaryAuthFile()) != primary || readFile(t, s.lastingAuthFile()) != lasting {
		t.Errorf("dry run: %s", dry)
	}
	s.mustRun("", docker, "acrcheck", "setup", "--clients", "containers", host)
	if cfg := s.readDockerConfig(); cfg != `{}` {
		t.Errorf("--clients containers changed Docker's config.json: %s", cfg)
	}
	for _, path := range []string{s.primaryAuthFile(), s.lastingAuthFile()} {
		if got := readFile(t, path); !strings.Contains(got, `"`+host+`": "acrdiag"`) || strings.Contains(got, "hooks") {
			t.Errorf("%s after setup: %s", path, got)
		}
	}
	if got := readFile(t, s.lastingAuthFile()); !strings.Contains(got, `"ecr-login"`) || !strings.Contains(got, `"futureKey"`) {
		t.Errorf("setup lost foreign keys: %s", got)
	}

	s.mustRun("", skopeo, "inspect", "--raw", "docker://"+host+"/base:1")
	s.mustRun("", skopeo, "copy", "--policy", policy, "docker://"+host+"/base:1", "docker://"+host+"/skopeo/copied:1")
	if r := s.mustRun("", skopeo, "list-tags", "docker://"+host+"/skopeo/copied"); !strings.Contains(r.stdout, `"1"`) {
		t.Errorf("skopeo list-tags: %s", r.stdout)
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex) != 1 {
		t.Errorf("exchanges = %v, want one (skopeo runs share the cached token)", ex)
	}
	if push := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Identity: "ci-sp"}); !scopeGranted(push, "repository:skopeo/copied:") {
		t.Errorf("skopeo did not push with the helper's token: %v", push)
	}

	s.mustRun("", docker, "acrcheck", "setup", "--undo", "--clients", "containers")
	if got := readFile(t, s.primaryAuthFile()); got != primary {
		t.Errorf("undo of the primary auth.json:\n%s\nwant:\n%s", got, primary)
	}
	if got := readFile(t, s.lastingAuthFile()); got != lasting {
		t.Errorf("undo of the lasting auth.json:\n%s\nwant:\n%s", got, lasting)
	}
	s.assertNoSecretsLeaked()
}

// TestPodmanPullPushAfterSetup: podman (as root, its own storage under the session) pulls and pushes
// through the helper after the default setup, which configures Docker and the containers tools at once.
func TestPodmanPullPushAfterSetup(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI runs the plugin")
	podman := requireTool(t, "podman", "Debian's podman package")
	if os.Geteuid() != 0 {
		missing(t, "podman here needs root: rootless podman needs subuid ranges and a user namespace this machine's user lacks")
	}
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	if _, err := kit.Seed("myregistry", "base:1"); err != nil {
		t.Fatal(err)
	}
	s, _ := containersSession(t, kit)
	r := s.mustRun("", docker, "acrcheck", "setup", host)
	if !strings.Contains(r.stdout, "Updated "+filepath.Join(s.dockerConfig, "config.json")) || !strings.Contains(r.stdout, "Updated "+s.lastingAuthFile()) {
		t.Errorf("default setup did not configure both clients: %s", r)
	}
	store, err := os.MkdirTemp("", "pdm-") // podman refuses a runroot of more than 50 characters
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(store) })
	args := []string{"--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"), "--storage-driver", "vfs",
		"--cgroup-manager", "cgroupfs", "--events-backend", "none"}
	podmanRun := func(more ...string) result {
		return s.mustRun("", podman, append(append([]string{}, args...), more...)...)
	}
	// Docker's config.json is read by the containers tools too: move it away, so only auth.json can answer.
	emptyDocker := filepath.Join(s.home, "empty-docker-config")
	if err := os.MkdirAll(emptyDocker, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(emptyDocker, "config.json"), []byte(`{}`), 0o600); err != nil { // podman fails on a missing one
		t.Fatal(err)
	}
	s.setEnv("DOCKER_CONFIG=" + emptyDocker)
	podmanRun("pull", host+"/base:1")
	podmanRun("tag", host+"/base:1", host+"/podman/pushed:1")
	podmanRun("push", host+"/podman/pushed:1")
	if push := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/token", Identity: "ci-sp"}); !scopeGranted(push, "repository:podman/pushed:") {
		t.Errorf("podman did not push with the helper's token: %v", push)
	}
	s.assertNoSecretsLeaked()
}
