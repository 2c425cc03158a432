package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestUserFileCannotWidenLockedKeys: when the administrator's file locks every key, nothing in the user's
// file counts: not an added login-server suffix (which would send tokens to the user's host), not a
// registry identity of its own, and not a "locked" list of its own that unlocks them.
func TestUserFileCannotWidenLockedKeys(t *testing.T) {
	sysBody := `{"credential":"ManagedIdentityCredential","tenant":"contoso.onmicrosoft.com","cloud":"AzureCloud",
		"loginServerSuffixes":["acr.corp.example"],"cacheMargin":"20m","store":"file","lockTimeout":"30s",
		"logFile":"/var/log/acrdiag.log","registries":["corpreg.azurecr.io"],
		"registryIdentities":{"corpreg.azurecr.io":{"credential":"ManagedIdentityCredential","clientId":"11111111-1111-1111-1111-111111111111"}},
		"locked":["` + strings.Join(keys(), `","`) + `"]}`
	sys := filepath.Join(testfs.TempDir(t), "system.json")
	if err := os.WriteFile(sys, []byte(sysBody), 0o644); err != nil {
		t.Fatal(err)
	}
	writeUser(t, `{"credential":"AzureCLICredential","tenant":"evil.onmicrosoft.com","cloud":"AzureChinaCloud",
		"loginServerSuffixes":["evil.example.com"],"cacheMargin":"1m","store":"pass","lockTimeout":"1s",
		"logFile":"/tmp/log","registries":["userreg.azurecr.io"],
		"registryIdentities":{"corpreg.azurecr.io":{"credential":"AzureCLICredential"},"userreg.azurecr.io":{"credential":"AzureCLICredential"}},
		"locked":[]}`)
	t.Setenv("ACRDIAG_SYSTEM_CONFIG", sys)
	t.Setenv("ACRDIAG_LOG", "")
	got, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want, err := readFile(sys)
	if err != nil {
		t.Fatal(err)
	}
	got.Files, got.CacheDir = nil, ""
	if !reflect.DeepEqual(got, *want) {
		t.Errorf("the user's file changed locked keys:\n got %+v\nwant %+v", got, *want)
	}
	if _, err := loginserver.ParseLoginServer("registry.evil.example.com", got.LoginServerSuffixes...); err == nil {
		t.Error("a suffix of the user's file made a host ACR though the system file locks loginServerSuffixes")
	}
	if _, err := loginserver.ParseLoginServer("registry.acr.corp.example", got.LoginServerSuffixes...); err != nil {
		t.Errorf("the administrator's suffix: %v", err)
	}
}
