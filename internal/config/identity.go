package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// RegistryIdentity is the Entra identity one registry needs instead of the machine's default: another
// tenant, a user-assigned managed identity or workload identity of its own, another credential kind.
type RegistryIdentity struct {
	// Credential selects the chain for this registry, as the credential key does.
	Credential string `json:"credential,omitempty"`
	// Tenant is the tenant to ask tokens from for this registry (a GUID or a domain name).
	Tenant string `json:"tenant,omitempty"`
	// ClientID is the app (client) id of the identity: a user-assigned managed identity, a workload identity,
	// a service principal whose secret or certificate the environment holds (AZURE_CLIENT_ID for this registry).
	ClientID string `json:"clientId,omitempty"`
}

// Identity is what the credential chain uses for one registry.
type Identity struct {
	Credential, Tenant, ClientID string
	// Pinned: a registryIdentities entry set it; its fields win over the AZURE_* environment, which names
	// the machine's default identity.
	Pinned bool
}

// IdentityFor is the identity for a login server: its registryIdentities entry over the machine's
// credential and tenant keys; the machine's default when it has no entry.
func (c Config) IdentityFor(host string) Identity {
	id := Identity{Credential: c.Credential, Tenant: c.Tenant}
	ri, ok := c.RegistryIdentities[strings.ToLower(host)]
	if !ok {
		return id
	}
	id.Pinned = true
	if ri.Credential != "" {
		id.Credential = ri.Credential
	}
	if ri.Tenant != "" {
		id.Tenant = ri.Tenant
	}
	id.ClientID = ri.ClientID
	return id
}

// Credentials are the values the credential keys take (AZURE_TOKEN_CREDENTIALS's).
var Credentials = []string{"dev", "prod", "EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential",
	"AzureCLICredential", "AzureDeveloperCLICredential"}

var (
	// compiled on first use: every binary loads the configuration, most without a registry identity
	guidPattern   = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainPattern = lazyre.New(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$`)
)

// validateIdentities refuses an entry that would silently use another identity than meant: a key that is
// no ACR login server, a credential kind azidentity does not know, a tenant or client id of the wrong form,
// an entry that sets nothing. Keys are normalised to the login server's host.
func (c *Config) validateIdentities() error {
	if len(c.RegistryIdentities) == 0 {
		return nil
	}
	out := make(map[string]RegistryIdentity, len(c.RegistryIdentities))
	for key, ri := range c.RegistryIdentities {
		where := fmt.Sprintf("registryIdentities[%q]", key)
		ls, err := loginserver.ParseLoginServer(key, c.LoginServerSuffixes...)
		switch {
		case errors.Is(err, loginserver.ErrNotACR):
			return fmt.Errorf("invalid value: %s: not an ACR login server such as myregistry.azurecr.io (a private cloud's suffix goes in loginServerSuffixes of the same file)", where)
		case err != nil:
			return fmt.Errorf("invalid value: %s: %w", where, err)
		case ri == RegistryIdentity{}:
			return fmt.Errorf("invalid value: %s sets none of credential, tenant, clientId", where)
		case ri.Credential != "" && !slices.Contains(Credentials, ri.Credential):
			return fmt.Errorf("invalid value: %s.credential %q is not one of %s", where, ri.Credential, strings.Join(Credentials, ", "))
		case ri.Tenant != "" && !guidPattern().MatchString(ri.Tenant) && !domainPattern().MatchString(ri.Tenant):
			return fmt.Errorf("invalid value: %s.tenant %q is neither a tenant id (GUID) nor a domain name such as contoso.onmicrosoft.com", where, ri.Tenant)
		case ri.ClientID != "" && !guidPattern().MatchString(ri.ClientID):
			return fmt.Errorf("invalid value: %s.clientId %q is not an app (client) id: a GUID such as 11111111-2222-3333-4444-555555555555", where, ri.ClientID)
		}
		if _, dup := out[ls.Host]; dup {
			return fmt.Errorf("invalid value: registryIdentities names %s twice (in two spellings)", ls.Host)
		}
		out[ls.Host] = ri
	}
	c.RegistryIdentities = out
	return nil
}
