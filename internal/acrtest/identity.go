package acrtest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// IdentityKind says how an identity proves itself to Entra ID.
type IdentityKind string

// The identity kinds the fake Entra ID accepts.
const (
	ServicePrincipal     IdentityKind = "service-principal" // client secret
	CertificatePrincipal IdentityKind = "certificate"       // client certificate (signed client assertion)
	WorkloadIdentity     IdentityKind = "workload-identity" // federated token file (client assertion)
	ManagedIdentity      IdentityKind = "managed-identity"  // the App Service style IDENTITY_ENDPOINT
	UserIdentity         IdentityKind = "user"              // a user signed in to the Azure CLI
	DeveloperCLIUser     IdentityKind = "developer-cli"     // a user signed in to the Azure Developer CLI (azd)
)

// Well-known audiences, as Entra ID writes them in the aud claim.
const (
	AudienceACR = "https://containerregistry.azure.net"
	AudienceARM = "https://management.core.windows.net/"
)

// Identity is an Entra ID principal the fake knows.
type Identity struct {
	Name     string // the key in Registry.Roles and in the request log
	Kind     IdentityKind
	TenantID string // defaults to DefaultTenantID
	ClientID string // app id; derived from Name when empty
	ObjectID string // derived from Name when empty
	Secret   string // service principal secret; derived from Name when empty

	// Entra ID faults for this identity.
	SecretExpired bool // AADSTS7000222: the client secret expired
	NoACRAudience bool // AADSTS500011: the ACR resource is unknown in this cloud or tenant (Azure Local, AzureML)

	// FederatedSubject is what a workload identity's federated token must carry as sub.
	FederatedSubject string

	certPath string // written at start for CertificatePrincipal: key and certificate PEM
	certDER  []byte
}

// DefaultTenantID is the tenant of identities that name none.
const DefaultTenantID = "72f988bf-0000-4000-8000-00000000a11e"

// DefaultIdentities is one identity of each kind, with ordinary names.
func DefaultIdentities() []Identity {
	return []Identity{
		{Name: "ci-sp", Kind: ServicePrincipal},
		{Name: "cert-sp", Kind: CertificatePrincipal},
		{Name: "expired-sp", Kind: ServicePrincipal, SecretExpired: true},
		{Name: "aks-workload", Kind: WorkloadIdentity, FederatedSubject: "system:serviceaccount:default:builder"},
		{Name: "vm-identity", Kind: ManagedIdentity},
		{Name: "dev-user", Kind: UserIdentity},
		{Name: "azd-user", Kind: DeveloperCLIUser},
	}
}

func (id *Identity) fillDefaults() {
	if id.TenantID == "" {
		id.TenantID = DefaultTenantID
	}
	if id.ClientID == "" {
		id.ClientID = stableUUID("client:" + id.Name)
	}
	if id.ObjectID == "" {
		id.ObjectID = stableUUID("object:" + id.Name)
	}
	if id.Secret == "" && (id.Kind == ServicePrincipal || id.Kind == "") {
		id.Secret = "secret-" + stableUUID("secret:" + id.Name)[:18]
	}
	if id.Kind == "" {
		id.Kind = ServicePrincipal
	}
}

// Env returns the environment variables that make azidentity pick this identity: the service principal
// and certificate variables of EnvironmentCredential, the workload identity variables, the managed
// identity endpoint, or the fake az's AZURE_CONFIG_DIR (the user is signed in; the caller puts AzDir
// first on PATH).
func (k *Kit) IdentityEnv(name string) []string {
	id := k.identity(name)
	if id == nil {
		panic("acrtest: unknown identity " + name)
	}
	switch id.Kind {
	case ServicePrincipal:
		return []string{"AZURE_TENANT_ID=" + id.TenantID, "AZURE_CLIENT_ID=" + id.ClientID, "AZURE_CLIENT_SECRET=" + id.Secret}
	case CertificatePrincipal:
		return []string{"AZURE_TENANT_ID=" + id.TenantID, "AZURE_CLIENT_ID=" + id.ClientID, "AZURE_CLIENT_CERTIFICATE_PATH=" + id.certPath}
	case WorkloadIdentity:
		return []string{"AZURE_TENANT_ID=" + id.TenantID, "AZURE_CLIENT_ID=" + id.ClientID,
			"AZURE_FEDERATED_TOKEN_FILE=" + k.federatedTokenFile(id), "AZURE_AUTHORITY_HOST=https://" + entraHost + "/"}
	case ManagedIdentity:
		return []string{"IDENTITY_ENDPOINT=" + k.IdentityEndpoint, "IDENTITY_HEADER=" + k.identityHeader}
	case UserIdentity:
		k.AzLogin(name)
		return []string{"AZURE_CONFIG_DIR=" + k.azureConfigDir()} // and k.AzDir first on PATH
	case DeveloperCLIUser:
		k.AzdLogin(name)
		return []string{"AZD_CONFIG_DIR=" + k.azdConfigDir()} // and k.AzDir first on PATH
	}
	return nil
}

// writeCertificate makes a self-signed certificate for a certificate principal, in the PEM form that
// AZURE_CLIENT_CERTIFICATE_PATH expects (key and certificate in one file).
func (k *Kit) writeCertificate(id *Identity) error {
	der, keyPEM, err := selfSigned("CN=" + id.Name)
	if err != nil {
		return err
	}
	id.certDER = der
	id.certPath = filepath.Join(k.Dir, "identity-"+id.Name+".pem")
	data := slices.Concat(keyPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return os.WriteFile(id.certPath, data, 0o600)
}

// The federated credentials of the kit's workload identities trust this issuer (the cluster's service
// account issuer) and audience.
const (
	FederationIssuer   = "https://oidc.acrtest.local/"
	FederationAudience = "api://AzureADTokenExchange"
)

// ResourceID is a managed identity's ARM resource id, as Entra writes it in xms_mirid.
func (id Identity) ResourceID() string {
	return "/subscriptions/" + stableUUID("sub") + "/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + id.Name
}

// ServiceAccountToken is the token a kubelet passes a credential provider for a pod (KEP-4412): a
// projected service account token of the cluster's issuer, for namespace/name, with the audience the
// provider's tokenAttributes ask for. A workload identity whose FederatedSubject is
// system:serviceaccount:<namespace>:<name> accepts it when the audience is FederationAudience.
func (k *Kit) ServiceAccountToken(namespace, name, audience string, ttl time.Duration) string {
	now := time.Now()
	tok, err := k.signer.sign(k.federationKey, map[string]any{
		"iss": FederationIssuer, "sub": "system:serviceaccount:" + namespace + ":" + name, "aud": []string{audience},
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": randomID(),
		"kubernetes.io": map[string]any{
			"namespace":      namespace,
			"serviceaccount": map[string]any{"name": name, "uid": stableUUID("sa:" + namespace + "/" + name)},
			"pod":            map[string]any{"name": name + "-pod", "uid": randomID()},
		},
	})
	if err != nil {
		panic(fmt.Sprintf("acrtest: sign a service account token: %v", err))
	}
	return tok
}

func (k *Kit) federatedTokenFile(id *Identity) string {
	path := filepath.Join(k.Dir, "federated-"+id.Name+".jwt")
	tok, err := k.signer.sign(k.federationKey, map[string]any{
		"iss": FederationIssuer, "sub": id.FederatedSubject, "aud": FederationAudience,
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	})
	if err == nil {
		err = os.WriteFile(path, []byte(tok), 0o600)
	}
	if err != nil {
		panic(fmt.Sprintf("acrtest: write federated token: %v", err))
	}
	return path
}

func parseCertificate(der []byte) (*x509.Certificate, error) { return x509.ParseCertificate(der) }
