package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestDockerSidesCheck: the config.json, helper and proxy of the docker CLI, the daemon and sudo docker,
// and the splits that make docker fail where az works: Docker Desktop's helper from WSL and a dev
// container's injected helper (warnings: acrdiag is not asked), and under sudo root's config.json or a
// dropped proxy (failures with their causes and fixes).
func TestDockerSidesCheck(t *testing.T) {
	const host, proxy = "myregistry.azurecr.io", "http://proxy.corp.example:3128"
	dir := testfs.TempDir(t)
	file := func(name, content string) string {
		p := filepath.Join(dir, name, ".docker", "config.json")
		_ = os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	acrdiag := `{"credHelpers": {"` + host + `": "acrdiag"}}`
	homes := map[string]string{"root": filepath.Join(dir, "root"), "alice": filepath.Join(dir, "alice")}
	withProxy := map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "localhost"}
	tests := []struct {
		name    string
		config  string // the CLI's config.json, as the user's (alice) or root's
		root    string // root's config.json when it differs ("" none)
		env     map[string]string
		sudo    map[string]string // the environment sudo was run with; nil outside sudo or unknown
		sudoed  bool
		wsl     bool
		daemon  string
		status  Status
		cause   string
		summary string // in the summary
		detail  string // in the detail
		fix     string
	}{
		{name: "the same proxy everywhere", config: acrdiag, env: withProxy, daemon: proxy, status: Pass,
			summary: "(credHelpers: acrdiag), proxy " + proxy + "; the daemon: proxy " + proxy, detail: "sudo docker reads " + filepath.Join(homes["root"], ".docker", "config.json")},
		{name: "Docker Desktop's helper from WSL", config: `{"credsStore": "desktop.exe"}`, wsl: true, status: Warn, cause: cause.DockerCredentialStore,
			summary: "(credsStore: desktop.exe), proxy none", detail: "Windows interop", fix: "docker acrcheck setup " + host},
		{name: "WSL with acrdiag for the registry", config: `{"credsStore": "desktop.exe", "credHelpers": {"` + host + `": "acrdiag"}}`, wsl: true, status: Pass,
			summary: "credHelpers: acrdiag"},
		{name: "a dev container's injected helper", config: `{"credsStore": "dev-containers-6d1f7b2a"}`, status: Warn, cause: cause.DockerCredentialStore,
			detail: "Dev Containers injected", fix: "docker acrcheck setup " + host},
		{name: "sudo reads root's config.json", config: acrdiag, root: `{"auths": {}}`, sudoed: true,
			sudo: map[string]string{"HOME": homes["alice"], "AZURE_CLIENT_ID": "x"}, status: Fail, cause: cause.DockerCredentialStore,
			summary: "names nothing for " + host + "; alice's own " + filepath.Join(homes["alice"], ".docker", "config.json") + " names credHelpers: acrdiag",
			detail:  "sudo dropped AZURE_CLIENT_ID", fix: "sudo usermod -aG docker alice"},
		{name: "sudo dropped the proxy", config: acrdiag, root: acrdiag, sudoed: true, sudo: map[string]string{"HOME": homes["alice"], "HTTPS_PROXY": proxy},
			status: Fail, cause: cause.NetworkProxyError, summary: "through " + proxy + ", sudo docker and its credential helper through none", fix: "--preserve-env=HTTPS_PROXY"},
		{name: "sudo dropped the identity", config: acrdiag, root: acrdiag, sudoed: true, sudo: map[string]string{"HOME": homes["alice"], "AZURE_CLIENT_ID": "x", "AZURE_TENANT_ID": "t"},
			status: Fail, cause: cause.AuthNoIdentity, summary: "sudo dropped AZURE_CLIENT_ID, AZURE_TENANT_ID: acrdiag's helper", fix: "--preserve-env=AZURE_CLIENT_ID,AZURE_TENANT_ID"},
		{name: "sudo -E keeps everything", config: acrdiag, root: acrdiag, sudoed: true, env: withProxy,
			sudo: map[string]string{"HOME": homes["alice"], "HTTPS_PROXY": proxy, "NO_PROXY": "localhost"}, status: Pass, summary: "asks credHelpers: acrdiag for " + host + " through proxy " + proxy + ", as alice's docker does"},
		{name: "sudo with the user's environment unknown", config: acrdiag, root: acrdiag, sudoed: true, status: Pass, summary: "proxy is unknown", detail: "proxy unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cli := file("alice", tt.config)
			if tt.sudoed {
				file("root", tt.root)
				cli = filepath.Join(homes["root"], ".docker", "config.json")
			}
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			euid := 1000
			if tt.sudoed {
				euid, env["SUDO_USER"] = 0, "alice"
			}
			e := NewEnv(Options{Registry: host}, config.Config{CacheDir: testfs.TempDir(t)}, fakeDocker{config: cli, info: DaemonInfo{HTTPSProxy: tt.daemon}})
			e.machine = machine{euid: euid, getenv: func(k string) string { return env[k] }, wsl: tt.wsl,
				sudoEnv: func() map[string]string { return tt.sudo }, homeOf: func(n string) string { return homes[n] }}
			e.start(context.Background(), time.Second)
			r := dockerSidesCheck(context.Background(), e)
			t.Logf("%s [%s] %s | %s | %s", r.Status, r.Cause, r.Summary, r.Detail, r.Fix)
			if r.Status != tt.status || r.Cause != tt.cause || !strings.Contains(r.Summary, tt.summary) ||
				!strings.Contains(r.Detail, tt.detail) || !strings.Contains(r.Fix, tt.fix) {
				t.Errorf("= %s [%s]\n summary %q\n detail %q\n fix %q\nwant %s [%s] with %q, %q, %q", r.Status, r.Cause, r.Summary, r.Detail, r.Fix,
					tt.status, tt.cause, tt.summary, tt.detail, tt.fix)
			}
		})
	}
	e := NewEnv(Options{Registry: host}, config.Config{}, nil)
	if r := dockerSidesCheck(context.Background(), e); r.Status != Skip {
		t.Errorf("without the docker CLI: %+v", r)
	}
}
