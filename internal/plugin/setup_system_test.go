package plugin

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// systemMachine is a machine's files under a temporary directory: the system configuration, the profile
// skeleton, and the administrator's own Docker config.json, which --system must leave alone.
type systemMachine struct{ system, skel, own string }

func newSystemMachine(t *testing.T) systemMachine {
	root := testfs.TempDir(t)
	m := systemMachine{system: filepath.Join(root, "etc", "acrdiag", "config.json"), skel: filepath.Join(root, "etc", "skel"),
		own: filepath.Join(root, "root", ".docker", "config.json")}
	t.Setenv("ACRDIAG_SYSTEM_CONFIG", m.system)
	t.Setenv("ACRDIAG_SKEL_DIR", m.skel)
	t.Setenv("ACRDIAG_CONFIG", filepath.Join(root, "root", ".config", "acrdiag", "config.json"))
	t.Setenv("DOCKER_CONFIG", filepath.Dir(m.own))
	return m
}

func runSetup(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append([]string{"acrcheck", "setup"}, args...), cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// TestSetupSystem: --system puts the registries in the machine's configuration (keeping the keys the
// administrator wrote, once each), and credHelpers and the hook in the skeleton config.json new users
// start with, for every registry the machine's file lists; the administrator's own config.json is not
// touched; a second run changes nothing; the dry run writes nothing; --undo takes the skeleton back and
// leaves the machine's file.
func TestSetupSystem(t *testing.T) {
	m := newSystemMachine(t)
	if err := os.MkdirAll(filepath.Dir(m.system), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.system, []byte(`{"tenant":"contoso.onmicrosoft.com","registries":["first.azurecr.io"],"locked":["tenant"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	skelConfig := filepath.Join(m.skel, ".docker", "config.json")

	if code, out, _ := runSetup(t, "--system", "--dry-run", "contoso.azurecr.io"); code != 0 || !strings.Contains(out, `+     "contoso.azurecr.io"`) || exists(skelConfig) {
		t.Fatalf("dry run: exit %d, skeleton written %v\n%s", code, exists(skelConfig), out)
	}
	code, out, errOut := runSetup(t, "--system", "contoso.azurecr.io")
	if code != 0 {
		t.Fatalf("setup --system: exit %d\n%s%s", code, out, errOut)
	}
	var sys struct {
		Tenant     string
		Registries []string
		Locked     []string
	}
	b, _ := os.ReadFile(m.system)
	if err := json.Unmarshal(b, &sys); err != nil || !slices.Equal(sys.Registries, []string{"first.azurecr.io", "contoso.azurecr.io"}) || sys.Tenant == "" || len(sys.Locked) != 1 {
		t.Errorf("system configuration (%v): %s", err, b)
	}
	testfs.WantPerm(t, m.system, 0o644)
	var skel struct {
		CredHelpers map[string]string
		Plugins     map[string]map[string]string
		Features    map[string]string
	}
	b, _ = os.ReadFile(skelConfig)
	if err := json.Unmarshal(b, &skel); err != nil || skel.CredHelpers["first.azurecr.io"] != "acrdiag" || skel.CredHelpers["contoso.azurecr.io"] != "acrdiag" ||
		skel.Plugins["acrcheck"]["hooks"] == "" || skel.Features["hooks"] != "true" {
		t.Errorf("skeleton config.json (%v): %s", err, b)
	}
	if exists(m.own) {
		t.Error("--system wrote the administrator's own config.json")
	}
	if !strings.Contains(out, "docker acrcheck setup --system-registries") {
		t.Errorf("output does not say how existing users get the setup:\n%s", out)
	}

	if code, out, _ := runSetup(t, "--system", "contoso.azurecr.io"); code != 0 || strings.Contains(out, "Updated") {
		t.Errorf("a second run: exit %d\n%s", code, out)
	}
	if code, out, errOut := runSetup(t, "--system", "--undo"); code != 0 || exists(skelConfig) || !strings.Contains(out, "left as it is") {
		t.Errorf("undo: exit %d, skeleton left %v\n%s%s", code, exists(skelConfig), out, errOut)
	}
	if b, _ := os.ReadFile(m.system); !strings.Contains(string(b), "contoso.azurecr.io") {
		t.Error("undo changed the machine's configuration")
	}
}

// TestSetupSystemRefusals: what --system cannot do is said before anything is written: a name that is no
// registry, the flags of a user's own setup, an invalid machine file.
func TestSetupSystemRefusals(t *testing.T) {
	m := newSystemMachine(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--system", "docker.io"}, 2, "not an Azure Container Registry login server"},
		{[]string{"--system", "--clients", "docker", "contoso.azurecr.io"}, 2, "--clients and --system-registries are for a user's own setup"},
		{[]string{"--system", "--system-registries"}, 2, "--clients and --system-registries"},
	} {
		if code, _, errOut := runSetup(t, tc.args...); code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	if err := os.MkdirAll(filepath.Dir(m.system), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.system, []byte(`{"locked":["tennant"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runSetup(t, "--system", "contoso.azurecr.io"); code != 1 || !strings.Contains(errOut, "tennant") || exists(filepath.Join(m.skel, ".docker")) {
		t.Errorf("an invalid machine file: exit %d, %q", code, errOut)
	}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }
