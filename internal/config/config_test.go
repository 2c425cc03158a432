package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

func writeUser(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(testfs.TempDir(t), "config.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ACRDIAG_CONFIG", p)
	t.Setenv("ACRDIAG_SYSTEM_CONFIG", filepath.Join(testfs.TempDir(t), "absent.json"))
	return p
}

func TestLoad(t *testing.T) {
	t.Setenv("ACRDIAG_CACHE_DIR", "/tmp/acrdiag-cache")
	t.Setenv("ACRDIAG_LOG", "")
	writeUser(t, `{"credential":"AzureCLICredential","cacheMargin":"10m","loginServerSuffixes":["azurecr.contoso.local"],"unknownKey":1}`)
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Credential != "AzureCLICredential" || cfg.Margin() != 10*time.Minute || cfg.LoginServerSuffixes[0] != "azurecr.contoso.local" || cfg.CacheDir != "/tmp/acrdiag-cache" {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestLoadBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ content, want string }{
		"invalid JSON":           {`{"credential":`, "the file ends at line 1, column 15 before its JSON does"},
		"a stray comma":          {"{\n  \"credential\": \"dev\",\n}", "invalid JSON at line 3, column 2: invalid character '}'"},
		"binary":                 {"\x00\xff\xfe", "invalid JSON at line 1, column 2"},
		"bad cacheMargin":        {`{"cacheMargin":"soon"}`, `cacheMargin: "soon" is not a duration such as "30m"`},
		"bad lockTimeout":        {`{"lockTimeout":true}`, `lockTimeout: true is not a duration such as "30m"`},
		"wrong type":             {`{"loginServerSuffixes":"azurecr.io"}`, `"loginServerSuffixes" must be a []string, not a JSON string`},
		"array, not object":      {`[]`, "the file must hold one JSON object, not a JSON array"},
		"a locked typo":          {`{"locked":["credentail"]}`, `locked lists "credentail", which is not a key (keys: credential,`},
		"a one-label suffix":     {`{"loginServerSuffixes":["io"]}`, `loginServerSuffixes: "io" is not a DNS suffix of at least two labels`},
		"a suffix with a scheme": {`{"loginServerSuffixes":["http://acr.corp.example"]}`, `"http://acr.corp.example" is not a DNS suffix`},
	} {
		p := writeUser(t, tc.content)
		cfg, err := Load()
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != p || !strings.Contains(err.Error(), "configuration file "+p+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a FileError naming %s and %q", name, err, p, tc.want)
		}
		if cfg.Margin() != DefaultCacheMargin {
			t.Errorf("%s: defaults lost: %+v", name, cfg)
		}
	}
}

// TestLoadUnreadableFile: a configuration that cannot be read is an error naming it, for root too (a
// directory where the file should be; mode 000 stops only other users).
func TestLoadUnreadableFile(t *testing.T) {
	p := writeUser(t, `{}`)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("a directory in place of the file: %v", err)
	}
	if os.Geteuid() == 0 || !testfs.HasModes {
		return // root reads any file, and a Windows file's mode cannot forbid its owner reading it
	}
	p = writeUser(t, `{}`)
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(); err == nil {
		t.Error("unreadable file: no error")
	}
}

func TestSystemFileLocksKeys(t *testing.T) {
	sys := filepath.Join(testfs.TempDir(t), "system.json")
	if err := os.WriteFile(sys, []byte(`{"credential":"ManagedIdentityCredential","locked":["credential"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	writeUser(t, `{"credential":"AzureCLICredential","tenant":"t"}`)
	t.Setenv("ACRDIAG_SYSTEM_CONFIG", sys)
	cfg, err := Load()
	if err != nil || cfg.Credential != "ManagedIdentityCredential" || cfg.Tenant != "t" || len(cfg.Files) != 2 {
		t.Errorf("cfg = %+v, %v", cfg, err)
	}
}

func TestLockedKeysKeepTheSystemValue(t *testing.T) {
	sys := Config{Credential: "ManagedIdentityCredential", LoginServerSuffixes: []string{"azurecr.corp"}, Locked: []string{"credential"}}
	sys.overlay(Config{Credential: "AzureCLICredential", Tenant: "t", LoginServerSuffixes: []string{"azurecr.mine"}})
	if sys.Credential != "ManagedIdentityCredential" || sys.Tenant != "t" || len(sys.LoginServerSuffixes) != 2 {
		t.Errorf("merged = %+v", sys)
	}
}

func TestLockTimeout(t *testing.T) {
	writeUser(t, `{}`)
	if cfg, _ := Load(); cfg.LockWait() != DefaultLockTimeout {
		t.Errorf("default lock wait = %s", cfg.LockWait())
	}
	writeUser(t, `{"lockTimeout":"5s"}`)
	if cfg, err := Load(); err != nil || cfg.LockWait() != 5*time.Second {
		t.Errorf("lock wait = %s, %v", cfg.LockWait(), err)
	}
}

// FuzzLoad: whatever the user's file holds, Load either names it in a FileError or returns a configuration
// whose suffixes can only name registries and whose locked keys are keys.
func FuzzLoad(f *testing.F) {
	f.Add(`{"credential":"dev","loginServerSuffixes":["azurecr.contoso.local"],"cacheMargin":"10m"}`)
	f.Add(`{"loginServerSuffixes":["io"]}`)
	f.Add(`{"locked":["tenant"],"lockTimeout":30}`)
	f.Add("\x00{")
	f.Fuzz(func(t *testing.T, content string) {
		p := writeUser(t, content)
		cfg, err := Load()
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != p {
				t.Fatalf("Load: %v names no file", err)
			}
			return
		}
		for _, s := range cfg.LoginServerSuffixes {
			if !loginserver.ValidSuffix(s) {
				t.Fatalf("accepted the suffix %q", s)
			}
		}
		for _, k := range cfg.Locked {
			if !slices.Contains(keys(), k) {
				t.Fatalf("accepted the locked key %q", k)
			}
		}
	})
}

// TestWithRegistries: setup --system adds registries to the machine's file once each and keeps every
// other key; an absent file becomes one with the registries; an invalid one is refused, not rewritten.
func TestWithRegistries(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "config.json")
	if _, after, err := WithRegistries(path, []string{"a.azurecr.io"}); err != nil || string(after) != "{\n  \"registries\": [\n    \"a.azurecr.io\"\n  ]\n}\n" {
		t.Errorf("absent file: %q, %v", after, err)
	}
	if err := os.WriteFile(path, []byte(`{"tenant":"contoso.onmicrosoft.com","registries":["a.azurecr.io"],"locked":["tenant"],"future":{"x":1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, after, err := WithRegistries(path, []string{"a.azurecr.io", "b.azurecr.io"})
	var got map[string]any
	if err != nil || json.Unmarshal(after, &got) != nil {
		t.Fatalf("%q, %v", after, err)
	}
	if fmt.Sprint(got["registries"]) != "[a.azurecr.io b.azurecr.io]" || got["tenant"] != "contoso.onmicrosoft.com" || got["future"] == nil || fmt.Sprint(got["locked"]) != "[tenant]" {
		t.Errorf("after: %s", after)
	}
	if err := os.WriteFile(path, []byte(`{"locked":["tennant"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WithRegistries(path, []string{"a.azurecr.io"}); err == nil || !strings.Contains(err.Error(), "tennant") {
		t.Errorf("an invalid file: %v", err)
	}
}
