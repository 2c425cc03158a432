package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestCompletionNeverRuns: TAB completion answers with cobra's protocol and runs nothing: setup does not
// write config.json, --undo restores nothing, a registry argument starts no diagnosis.
func TestCompletionNeverRuns(t *testing.T) {
	dir := testfs.TempDir(t)
	cfgPath := filepath.Join(dir, "config.json")
	orig := `{"credHelpers":{"corpreg.azurecr.io":"acrdiag","gcr.io":"gcloud"},"auths":{"otherreg.azurecr.io":{}}}`
	if err := os.WriteFile(cfgPath, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", testfs.TempDir(t)) // --config must win over it
	t.Setenv("ACRDIAG_CACHE_DIR", testfs.TempDir(t))
	t.Setenv("ACRDIAG_ENGINE", filepath.Join(dir, "no-engine")) // running the engine would say so on stderr
	tests := []struct {
		argv    []string
		want    []string
		wantNot []string
	}{
		{[]string{"--config", dir, "__complete", "acrcheck", "setup", "corp"}, []string{"corpreg.azurecr.io", ":4"}, []string{"gcr.io", "otherreg"}},
		{[]string{"__complete", "acrcheck", "setup", "--undo", ""}, []string{":4"}, nil},
		{[]string{"__complete", "acrcheck", ""}, []string{"explain", "setup", "corpreg.azurecr.io", "otherreg.azurecr.io"}, []string{"gcr.io"}},
		{[]string{"__completeNoDesc", "acrcheck", "corpreg.azurecr.io", "--format", ""}, []string{"text", "json"}, nil},
		{[]string{"--config", dir, "__complete", "acrcheck", "last", ""}, []string{"corpreg.azurecr.io"}, nil},
		{[]string{"__complete", "acrcheck", "explain", "--format", "j"}, []string{"json"}, nil},
		{[]string{"__complete", "acrcheck", "corpreg.azurecr.io", "--action", ""}, []string{"pull", "push"}, nil},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := Main(tt.argv, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: lacks %q:\n%s", tt.argv, w, out.String())
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(out.String(), w) {
				t.Errorf("%q: offers %q:\n%s", tt.argv, w, out.String())
			}
		}
		if code != 0 || strings.Contains(errOut.String(), "engine") {
			t.Errorf("%q: exit %d, stderr %q", tt.argv, code, errOut.String())
		}
		if b, _ := os.ReadFile(cfgPath); string(b) != orig {
			t.Fatalf("%q changed config.json:\n%s", tt.argv, b)
		}
	}
}

// TestDockerHelpAcrcheck: `docker help acrcheck` runs `docker-acrcheck help acrcheck`, which prints the help.
func TestDockerHelpAcrcheck(t *testing.T) {
	for _, argv := range [][]string{{"help", "acrcheck"}, {"help", "acrcheck", "setup"}, {"acrcheck", "--help"}} {
		var out, errOut bytes.Buffer
		code := Main(argv, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != 0 || !strings.Contains(out.String(), "Usage:  docker acrcheck") {
			t.Errorf("%q: exit %d\n%s%s", argv, code, out.String(), errOut.String())
		}
	}
}

// TestHandedOverCommandsHaveTheirOwnHelp: token and logs, which the engine runs, show docker-style help
// and refuse bad flags in the plugin, without the engine.
func TestHandedOverCommandsHaveTheirOwnHelp(t *testing.T) {
	t.Setenv("ACRDIAG_ENGINE", filepath.Join(testfs.TempDir(t), "no-engine"))
	for _, tt := range []struct {
		argv []string
		code int
		want string
	}{
		{[]string{"acrcheck", "logs", "--help"}, 0, "Usage:  docker acrcheck logs [OPTIONS] REGISTRY"},
		{[]string{"acrcheck", "token", "--help"}, 0, "Usage:  docker acrcheck token REGISTRY"},
		{[]string{"acrcheck", "logs", "r.azurecr.io", "--since", "-1h"}, 2, "--since must be between"},
		{[]string{"acrcheck", "token", "r.azurecr.io", "--format", "yaml"}, 2, "--format must be text or json"},
	} {
		var out, errOut bytes.Buffer
		code := Main(tt.argv, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.want) || strings.Contains(out.String()+errOut.String(), "acrdiag logs") {
			t.Errorf("%q: exit %d\n%s%s", tt.argv, code, out.String(), errOut.String())
		}
	}
}
