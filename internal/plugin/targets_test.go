package plugin

import (
	"path/filepath"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestSetupTargets: the default configures Docker's config.json (helpers and hook) and containers'
// auth.json (helpers only); --clients narrows it; an unknown client is a usage error; containers without a
// registry has nothing to write.
func TestSetupTargets(t *testing.T) {
	home := testfs.TempDir(t)
	t.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	tests := []struct {
		name    string
		clients []string
		hosts   []string
		want    map[string]bool // path -> has the hook
		wantErr bool
	}{
		{name: "default", clients: setupClients, hosts: []string{"myregistry.azurecr.io"},
			want: map[string]bool{filepath.Join(home, ".docker", "config.json"): true, filepath.Join(home, ".config", "containers", "auth.json"): false}},
		{name: "docker only", clients: []string{"docker"}, hosts: []string{"myregistry.azurecr.io"},
			want: map[string]bool{filepath.Join(home, ".docker", "config.json"): true}},
		{name: "hooks only: no containers file", clients: setupClients,
			want: map[string]bool{filepath.Join(home, ".docker", "config.json"): true}},
		{name: "an unknown client", clients: []string{"podman"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clients, err := parseClients(tt.clients)
			if tt.wantErr {
				if err == nil {
					t.Errorf("parseClients(%v) accepted it", tt.clients)
				}
				return
			}
			targets, err := targetFiles(clients)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, tg := range withChanges(targets, tt.hosts, true) {
				got[tg.path] = tg.change.PluginHooks != nil
				if len(tg.change.CredHelpers) != len(tt.hosts) {
					t.Errorf("%s: credHelpers %v", tg.path, tg.change.CredHelpers)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("targets = %v, want %v", got, tt.want)
			}
			for p, hook := range tt.want {
				if h, ok := got[p]; !ok || h != hook {
					t.Errorf("target %s: present %v hook %v, want hook %v", p, ok, h, hook)
				}
			}
		})
	}
}
