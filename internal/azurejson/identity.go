package azurejson

import (
	"fmt"
	"strings"
)

// Kind is how the identity azure.json names proves itself to Entra ID.
type Kind string

// The kinds, in the order cloud-provider-azure prefers them.
const (
	ManagedIdentity      Kind = "managed identity"
	WorkloadIdentity     Kind = "workload identity"
	ServicePrincipal     Kind = "service principal secret"
	CertificatePrincipal Kind = "service principal certificate"
)

// Identity is the Entra identity of the node's cloud provider configuration.
type Identity struct {
	Kind       Kind
	ClientID   string // the user-assigned managed identity's or the application's client id
	ResourceID string // a user-assigned managed identity named by its ARM resource id
	TenantID   string

	Secret       string // never printed
	CertPath     string
	CertPassword string // never printed
	TokenFile    string
}

// Identity is the identity the file names. A managed identity is named by useManagedIdentityExtension (or
// AKS's "msi"/"msi" client id and secret); userAssignedIdentityID is a resource id when it holds
// /subscriptions/, a client id otherwise, and empty for the system-assigned identity.
func (c Config) Identity() (Identity, error) {
	switch {
	case c.UseManagedIdentityExtension || (c.AADClientID == "msi" && c.AADClientSecret == "msi"):
		id := Identity{Kind: ManagedIdentity}
		if u := strings.TrimSpace(c.UserAssignedIdentityID); strings.Contains(strings.ToLower(u), "/subscriptions/") {
			id.ResourceID = u
		} else {
			id.ClientID = u
		}
		return id, nil
	case c.UseFederatedWorkloadIdentity || c.AADFederatedTokenFile != "":
		if c.AADClientID == "" || c.AADFederatedTokenFile == "" || c.Tenant() == "" {
			return Identity{}, &Error{c.Path, "names a workload identity without aadClientId, aadFederatedTokenFile and tenantId all set"}
		}
		return Identity{Kind: WorkloadIdentity, ClientID: c.AADClientID, TenantID: c.Tenant(), TokenFile: c.AADFederatedTokenFile}, nil
	case c.AADClientID != "" && c.AADClientSecret != "":
		if c.Tenant() == "" {
			return Identity{}, &Error{c.Path, "names a service principal without tenantId"}
		}
		return Identity{Kind: ServicePrincipal, ClientID: c.AADClientID, TenantID: c.Tenant(), Secret: c.AADClientSecret}, nil
	case c.AADClientID != "" && c.AADClientCertPath != "":
		if c.Tenant() == "" {
			return Identity{}, &Error{c.Path, "names a service principal without tenantId"}
		}
		return Identity{Kind: CertificatePrincipal, ClientID: c.AADClientID, TenantID: c.Tenant(), CertPath: c.AADClientCertPath,
			CertPassword: c.AADClientCertPassword}, nil
	}
	return Identity{}, &Error{c.Path, "names no identity: no useManagedIdentityExtension, aadFederatedTokenFile, aadClientSecret or aadClientCertPath"}
}

// String describes the identity for a person, without its secrets.
func (id Identity) String() string {
	switch {
	case id.Kind == ManagedIdentity && id.ResourceID != "":
		return "user-assigned managed identity " + id.ResourceID
	case id.Kind == ManagedIdentity && id.ClientID != "":
		return "user-assigned managed identity (client id " + id.ClientID + ")"
	case id.Kind == ManagedIdentity:
		return "the system-assigned managed identity"
	case id.Kind == WorkloadIdentity:
		return fmt.Sprintf("workload identity (client id %s, tenant %s, token file %s)", id.ClientID, id.TenantID, id.TokenFile)
	case id.Kind == CertificatePrincipal:
		return fmt.Sprintf("service principal %s (tenant %s) with the certificate %s", id.ClientID, id.TenantID, id.CertPath)
	}
	return fmt.Sprintf("service principal %s (tenant %s) with a client secret", id.ClientID, id.TenantID)
}
