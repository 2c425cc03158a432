package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

const (
	appA = "11111111-2222-3333-4444-555555555555"
	appB = "66666666-7777-8888-9999-000000000000"
)

// TestRegistryIdentitiesValidation: an entry that would use another identity than meant makes the file
// invalid, naming the entry and what is wrong; good entries are keyed by the login server's host.
func TestRegistryIdentitiesValidation(t *testing.T) {
	tests := []struct {
		name, file, wantErr string
	}{
		{"a good entry", `{"registryIdentities":{"https://Other.azurecr.io/":{"credential":"ManagedIdentityCredential","clientId":"` + appA + `","tenant":"contoso.onmicrosoft.com"}}}`, ""},
		{"a private cloud's registry with its suffix", `{"loginServerSuffixes":["azurecr.corp.example"],"registryIdentities":{"reg01.azurecr.corp.example":{"tenant":"` + appB + `"}}}`, ""},
		{"not a registry", `{"registryIdentities":{"ghcr.io":{"tenant":"` + appA + `"}}}`, `registryIdentities["ghcr.io"]: not an ACR login server`},
		{"the privatelink name", `{"registryIdentities":{"other.privatelink.azurecr.io":{"tenant":"` + appA + `"}}}`, `registryIdentities["other.privatelink.azurecr.io"]`},
		{"an empty entry", `{"registryIdentities":{"other.azurecr.io":{}}}`, "sets none of credential, tenant, clientId"},
		{"an unknown credential", `{"registryIdentities":{"other.azurecr.io":{"credential":"AzureCliCredential"}}}`, `credential "AzureCliCredential" is not one of`},
		{"a tenant of the wrong form", `{"registryIdentities":{"other.azurecr.io":{"tenant":"not a tenant"}}}`, `tenant "not a tenant" is neither`},
		{"a client id that is no GUID", `{"registryIdentities":{"other.azurecr.io":{"clientId":"my-app"}}}`, `clientId "my-app" is not an app (client) id`},
		{"one registry twice", `{"registryIdentities":{"other.azurecr.io":{"tenant":"` + appA + `"},"OTHER.azurecr.io":{"tenant":"` + appB + `"}}}`, "names other.azurecr.io twice"},
		{"a key of the wrong type", `{"registryIdentities":{"other.azurecr.io":"` + appA + `"}}`, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeUser(t, tt.file)
			cfg, err := Load()
			if tt.wantErr == "" {
				if err != nil || len(cfg.RegistryIdentities) != 1 {
					t.Fatalf("Load = %+v, %v", cfg.RegistryIdentities, err)
				}
				for host := range cfg.RegistryIdentities {
					if host != strings.ToLower(host) || strings.Contains(host, "/") {
						t.Errorf("key %q is not the login server's host", host)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("Load error = %v, want the file and %q", err, tt.wantErr)
			}
		})
	}
}

// TestIdentityFor: a registry's entry overrides the machine's credential and tenant field by field and
// pins them; another registry gets the machine's default.
func TestIdentityFor(t *testing.T) {
	cfg := Config{Credential: "dev", Tenant: "home.onmicrosoft.com", RegistryIdentities: map[string]RegistryIdentity{
		"other.azurecr.io": {ClientID: appA, Tenant: appB},
	}}
	if got := cfg.IdentityFor("Other.azurecr.io"); got != (Identity{Credential: "dev", Tenant: appB, ClientID: appA, Pinned: true}) {
		t.Errorf("IdentityFor(other) = %+v", got)
	}
	if got := cfg.IdentityFor("minereg.azurecr.io"); got != (Identity{Credential: "dev", Tenant: "home.onmicrosoft.com"}) {
		t.Errorf("IdentityFor(mine) = %+v", got)
	}
}

// TestRegistryIdentitiesMerge: the user's entries add to the system's, replacing the system's entry of the
// same registry; a system file that locks the key keeps its entries alone.
func TestRegistryIdentitiesMerge(t *testing.T) {
	for _, locked := range []bool{false, true} {
		sys := `{"registryIdentities":{"corpreg.azurecr.io":{"clientId":"` + appA + `"},"shared.azurecr.io":{"clientId":"` + appA + `"}}`
		if locked {
			sys += `,"locked":["registryIdentities"]`
		}
		sysPath := filepath.Join(testfs.TempDir(t), "system.json")
		if err := os.WriteFile(sysPath, []byte(sys+"}"), 0o644); err != nil {
			t.Fatal(err)
		}
		writeUser(t, `{"registryIdentities":{"shared.azurecr.io":{"clientId":"`+appB+`"},"minereg.azurecr.io":{"tenant":"`+appB+`"}}}`)
		t.Setenv("ACRDIAG_SYSTEM_CONFIG", sysPath)
		cfg, err := Load()
		if err != nil {
			t.Fatal(err)
		}
		ids := cfg.RegistryIdentities
		switch {
		case !locked && (len(ids) != 3 || ids["shared.azurecr.io"].ClientID != appB || ids["corpreg.azurecr.io"].ClientID != appA):
			t.Errorf("merged = %+v", ids)
		case locked && (len(ids) != 2 || ids["shared.azurecr.io"].ClientID != appA):
			t.Errorf("locked = %+v", ids)
		}
	}
}
