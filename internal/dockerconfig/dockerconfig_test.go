package dockerconfig

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

var change = Change{
	CredHelpers: map[string]string{"myregistry.azurecr.io": "acrdiag"},
	PluginHooks: map[string]string{"hooks": "login,push,pull"},
	Features:    map[string]string{"hooks": "true"},
}

func TestApplyKeepsForeignKeysAndIsIdempotent(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "config.json")
	orig := `{"auths":{"docker.io":{"auth":"Ym9iOnB3"}},"credsStore":"desktop","currentContext":"prod","plugins":{"scout":{"hooks":"pull"}},"someFutureKey":{"x":[1,2]}}`
	_ = os.WriteFile(path, []byte(orig), 0o640)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := f.Apply(change); err != nil || !changed {
		t.Fatalf("Apply = %v, %v", changed, err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil || fmt.Sprint(got["someFutureKey"]) != "map[x:[1 2]]" || fmt.Sprint(got["auths"]) != "map[docker.io:map[auth:Ym9iOnB3]]" {
		t.Errorf("foreign keys changed: %v %v", got, err)
	}
	for _, want := range []string{`"credsStore": "desktop"`, `"scout"`, `"myregistry.azurecr.io": "acrdiag"`, `"hooks": "true"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("config lacks %s:\n%s", want, b)
		}
	}
	testfs.WantPerm(t, path, 0o640) // the user's mode is kept
	f2, _ := Load(path)
	if changed, _ := f2.Apply(change); changed {
		t.Error("a second Apply changed something")
	}
	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != orig {
		t.Errorf("undo did not restore the original:\n%s", b)
	}
}

func TestBadFiles(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "config.json")
	_ = os.WriteFile(path, []byte(`{"credHelpers":`), 0o600)
	if _, err := Load(path); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid JSON: %v", err)
	}
	_ = os.WriteFile(path, []byte(`{"credHelpers":"acrdiag"}`), 0o600)
	f, _ := Load(path)
	if _, err := f.Apply(change); err == nil {
		t.Error("a credHelpers string was overwritten")
	}
	// Docker reads "CredHelpers" (or "pluginſ") as the key setup edits: setup refuses rather than add a
	// second spelling beside it.
	for _, body := range []string{`{"CredHelpers":{"gcr.io":"gcloud"}}`, `{"pluginſ":{}}`} {
		_ = os.WriteFile(path, []byte(body), 0o600)
		if _, err := Load(path); !errors.Is(err, ErrMisspelled) || !strings.Contains(err.Error(), "rename it") {
			t.Errorf("%s: %v", body, err)
		}
	}
	// A symlinked config.json is written through, the link stays.
	real := filepath.Join(dir, "real.json")
	_ = os.WriteFile(real, []byte(`{}`), 0o600)
	link := filepath.Join(dir, "link.json")
	if testfs.Symlink(real, link) == nil { // where links can be made
		f, _ = Load(link)
		_, _ = f.Apply(change)
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
			t.Error("the symlink was replaced")
		}
		if b, _ := os.ReadFile(real); !strings.Contains(string(b), "acrdiag") {
			t.Error("the link's target was not written")
		}
	}
	if err := Undo(filepath.Join(dir, "none.json")); err == nil {
		t.Error("undo without a backup: no error")
	}
}

// TestNullSections: a config.json that is null, or whose sections are null, is set up without a panic.
func TestNullSections(t *testing.T) {
	for _, content := range []string{`null`, `{"credHelpers":null}`, `{"plugins":null}`, `{"plugins":{"acrcheck":null}}`, `{"features":null}`} {
		path := filepath.Join(testfs.TempDir(t), "config.json")
		_ = os.WriteFile(path, []byte(content), 0o600)
		f, err := Load(path)
		if err != nil {
			t.Errorf("%s: %v", content, err)
			continue
		}
		if changed, err := f.Apply(change); err != nil || !changed {
			t.Errorf("%s: Apply = %v, %v", content, changed, err)
			continue
		}
		if err := f.Save(); err != nil {
			t.Errorf("%s: %v", content, err)
		}
		if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"myregistry.azurecr.io": "acrdiag"`) {
			t.Errorf("%s: not set up:\n%s", content, b)
		}
	}
}

// TestUndoKeepsOthersChanges: undo takes back acrdiag's own keys, keeps what others changed since, and
// after two setups reaches the state before the first.
func TestUndoKeepsOthersChanges(t *testing.T) {
	path := filepath.Join(testfs.TempDir(t), "config.json")
	orig := `{"credHelpers":{"gcr.io":"gcloud"},"features":{"hooks":"false"}}`
	_ = os.WriteFile(path, []byte(orig), 0o600)
	setup := func(c Change) {
		t.Helper()
		f, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Apply(c); err != nil {
			t.Fatal(err)
		}
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
	}
	setup(change)
	setup(Change{CredHelpers: map[string]string{"other.azurecr.io": "acrdiag"}})
	// Then docker login and another tool change the file.
	var cfg map[string]any
	b, _ := os.ReadFile(path)
	_ = json.Unmarshal(b, &cfg)
	cfg["auths"] = map[string]any{"corp.example": map[string]string{"auth": "eDp5"}}
	cfg["credHelpers"].(map[string]any)["ecr.example"] = "ecr-login"
	b, _ = json.Marshal(cfg)
	_ = os.WriteFile(path, b, 0o600)

	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	var got struct {
		Auths       map[string]any    `json:"auths"`
		CredHelpers map[string]string `json:"credHelpers"`
		Features    map[string]string `json:"features"`
		Plugins     map[string]any    `json:"plugins"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"gcr.io": "gcloud", "ecr.example": "ecr-login"}
	if fmt.Sprint(got.CredHelpers) != fmt.Sprint(want) || got.Features["hooks"] != "false" || got.Auths["corp.example"] == nil || got.Plugins["acrcheck"] != nil {
		t.Errorf("after undo:\n%s", b)
	}
	if err := Undo(path); err == nil {
		t.Error("a second undo found something to undo")
	}
}

// FuzzApply: whatever config.json holds, setup either refuses it unchanged or writes a JSON object that
// has acrdiag's entries and every top-level key the file had.
func FuzzApply(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"credHelpers":null,"auths":{"a":{"auth":"eA=="}}}`, `{"plugins":{"acrcheck":{"hooks":"x"}}}`, `[1]`, `{"features":7}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		cfg, err := Parse("config.json", []byte(content)) // no file: thousands of inputs a second
		if err != nil {
			return
		}
		if _, err := cfg.Apply(change); err != nil {
			return
		}
		b, err := cfg.Bytes()
		if err != nil {
			t.Fatalf("Bytes: %v", err)
		}
		var before, after map[string]json.RawMessage
		_ = json.Unmarshal([]byte(content), &before)
		if err := json.Unmarshal(b, &after); err != nil {
			t.Fatalf("wrote no JSON object: %v\n%s", err, b)
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Fatalf("lost key %q:\n%s", k, b)
			}
		}
		var helpers struct {
			CredHelpers map[string]string `json:"credHelpers"`
		}
		if json.Unmarshal(b, &helpers) != nil || helpers.CredHelpers["myregistry.azurecr.io"] != "acrdiag" {
			t.Fatalf("no credHelpers entry:\n%s", b)
		}
	})
}

// TestReadAccessors: what explanations read of config.json, and a file too big to be Docker's refused
// before it is read.
func TestReadAccessors(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "config.json")
	body := `{"auths":{"https://old.azurecr.io":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("admin:pa:ss")) + `"},"bad.azurecr.io":{"auth":"%%"}},
		"credsStore":"desktop","credHelpers":{"ci.azurecr.io":"acrdiag"}}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := f.InlineLogin("old.azurecr.io"); !ok || l.Username != "admin" || l.Secret != "pa:ss" {
		t.Errorf("inline login under https://: %+v %v", l, ok)
	}
	if _, ok := f.InlineLogin("bad.azurecr.io"); ok {
		t.Error("an undecodable auth was returned")
	}
	if h := f.HelperFor("ci.azurecr.io"); h != "acrdiag" {
		t.Errorf("credHelpers entry: %q", h)
	}
	if h := f.HelperFor("other.azurecr.io"); h != "desktop" {
		t.Errorf("credsStore fallback: %q", h)
	}
	big, err := os.Create(filepath.Join(dir, "big.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(1 << 30); err != nil { // sparse: a gigabyte that costs no disk
		t.Fatal(err)
	}
	_ = big.Close()
	if _, err := Load(big.Name()); err == nil || !strings.Contains(err.Error(), "big.json") {
		t.Errorf("a 1 GiB config.json: %v", err)
	}
}
