package dockerconfig

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestContainersAuthPaths: REGISTRY_AUTH_FILE alone when set; else the lasting file under XDG_CONFIG_HOME
// (or ~/.config), plus the primary runtime file when it exists, since the tools read it first.
func TestContainersAuthPaths(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the primary file is the lasting one off Linux")
	}
	home, runDir := testfs.TempDir(t), testfs.TempDir(t)
	primary := filepath.Join(runDir, "containers", "auth.json")
	tests := []struct {
		name                          string
		authFile, cfgHome, runtimeDir string
		primaryExists                 bool
		want                          []string
	}{
		{name: "REGISTRY_AUTH_FILE wins", authFile: "/ci/auth.json", runtimeDir: runDir, primaryExists: true, want: []string{"/ci/auth.json"}},
		{name: "the lasting file under ~/.config", want: []string{filepath.Join(home, ".config", "containers", "auth.json")}},
		{name: "under XDG_CONFIG_HOME", cfgHome: "/xdg", want: []string{"/xdg/containers/auth.json"}},
		{name: "a runtime dir without auth.json adds nothing", runtimeDir: runDir, want: []string{filepath.Join(home, ".config", "containers", "auth.json")}},
		{name: "an existing primary file is edited too", runtimeDir: runDir, primaryExists: true,
			want: []string{filepath.Join(home, ".config", "containers", "auth.json"), primary}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("REGISTRY_AUTH_FILE", tt.authFile)
			t.Setenv("XDG_CONFIG_HOME", tt.cfgHome)
			t.Setenv("XDG_RUNTIME_DIR", tt.runtimeDir)
			_ = os.RemoveAll(filepath.Dir(primary))
			if tt.primaryExists {
				_ = os.MkdirAll(filepath.Dir(primary), 0o700)
				_ = os.WriteFile(primary, []byte(`{"auths":{}}`), 0o600)
			}
			got, err := ContainersAuthPaths()
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ContainersAuthPaths = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestAuthJSONSetupAndUndo: on containers' auth.json, setup adds only credHelpers entries and keeps every
// other key; undo restores the file byte for byte when nobody touched it since, and keeps a later podman
// login's entries and another tool's credHelpers entry when someone did.
func TestAuthJSONSetupAndUndo(t *testing.T) {
	const orig = "{\n  \"auths\": {\n    \"quay.io\": {\"auth\": \"Ym9iOnB3\"}\n  },\n  \"credHelpers\": {\"123.dkr.ecr.aws\": \"ecr-login\"},\n  \"futureKey\": [1, 2]\n}\n"
	ours := Change{CredHelpers: map[string]string{"myregistry.azurecr.io": "acrdiag"}}
	tests := []struct {
		name      string
		orig      string // "" means no file
		afterward func(t *testing.T, path string)
		want      func(t *testing.T, b []byte)
	}{
		{name: "undo restores the file byte for byte", orig: orig,
			want: func(t *testing.T, b []byte) {
				if string(b) != orig {
					t.Errorf("undo gave:\n%s\nwant:\n%s", b, orig)
				}
			}},
		{name: "undo removes a file setup created", orig: "",
			want: func(t *testing.T, b []byte) {
				if b != nil {
					t.Errorf("undo of a created file left %s", b)
				}
			}},
		{name: "a later podman login and another helper stay", orig: orig,
			afterward: func(t *testing.T, path string) {
				edit(t, path, func(m map[string]any) {
					m["auths"].(map[string]any)["ghcr.io"] = map[string]any{"auth": "YWxpY2U6cHc="}
					m["credHelpers"].(map[string]any)["gcr.io"] = "gcloud"
				})
			},
			want: func(t *testing.T, b []byte) {
				m := decode(t, b)
				helpers, auths := m["credHelpers"].(map[string]any), m["auths"].(map[string]any)
				if helpers["myregistry.azurecr.io"] != nil || helpers["gcr.io"] != "gcloud" || helpers["123.dkr.ecr.aws"] != "ecr-login" ||
					auths["ghcr.io"] == nil || auths["quay.io"] == nil || m["futureKey"] == nil {
					t.Errorf("undo after others' changes = %s", b)
				}
			}},
		{name: "an entry someone repointed since is theirs", orig: orig,
			afterward: func(t *testing.T, path string) {
				edit(t, path, func(m map[string]any) { m["credHelpers"].(map[string]any)["myregistry.azurecr.io"] = "pass" })
			},
			want: func(t *testing.T, b []byte) {
				if decode(t, b)["credHelpers"].(map[string]any)["myregistry.azurecr.io"] != "pass" {
					t.Errorf("undo took back someone else's entry: %s", b)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(testfs.TempDir(t), "containers", "auth.json")
			if tt.orig != "" {
				_ = os.MkdirAll(filepath.Dir(path), 0o700)
				if err := os.WriteFile(path, []byte(tt.orig), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if changed, err := f.Apply(ours); err != nil || !changed {
				t.Fatalf("Apply = %v, %v", changed, err)
			}
			if err := f.Save(); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			m := decode(t, b)
			if m["credHelpers"].(map[string]any)["myregistry.azurecr.io"] != "acrdiag" || m["plugins"] != nil || m["features"] != nil {
				t.Errorf("auth.json after setup = %s (credHelpers only: no hooks in a containers file)", b)
			}
			if tt.orig != "" && (m["futureKey"] == nil || m["auths"].(map[string]any)["quay.io"] == nil) {
				t.Errorf("setup lost foreign keys: %s", b)
			}
			if tt.afterward != nil {
				tt.afterward(t, path)
			}
			if err := Undo(path); err != nil {
				t.Fatal(err)
			}
			b, _ = os.ReadFile(path)
			tt.want(t, b)
			if err := Undo(path); !errors.Is(err, ErrNothingToUndo) {
				t.Errorf("a second undo = %v, want ErrNothingToUndo", err)
			}
		})
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return m
}

// edit changes a file as another tool would: read, change, write back.
func edit(t *testing.T, path string, change func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, b)
	change(m)
	b, _ = json.Marshal(m)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
