package dockerconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var change = Change{
	CredHelpers: map[string]string{"myregistry.azurecr.io": "acrdiag"},
	PluginHooks: map[string]string{"hooks": "login,push,pull"},
	Features:    map[string]string{"hooks": "true"},
}

func TestApplyKeepsForeignKeysAndIsIdempotent(t *testing.T) {
	dir := t.TempDir()
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
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", st.Mode().Perm())
	}
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
	dir := t.TempDir()
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
	// A symlinked config.json is written through, the link stays.
	real := filepath.Join(dir, "real.json")
	_ = os.WriteFile(real, []byte(`{}`), 0o600)
	link := filepath.Join(dir, "link.json")
	_ = os.Symlink(real, link)
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
	if err := Undo(filepath.Join(dir, "none.json")); err == nil {
		t.Error("undo without a backup: no error")
	}
}
