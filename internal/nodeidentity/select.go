package nodeidentity

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/acrdiag/acrdiag/internal/azurejson"
	"github.com/acrdiag/acrdiag/internal/kubelet"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// Options are what names the identity.
type Options struct {
	// ServiceAccountToken and Annotations come from the kubelet's request (tokenAttributes configured).
	ServiceAccountToken string
	Annotations         map[string]string
	// AzureJSON is the node's cloud provider configuration, nil when none was given.
	AzureJSON *azurejson.Config
	// ClientID or ResourceID name a user-assigned managed identity (flags), when there is no azure.json.
	ClientID, ResourceID string
	// Cloud is the cloud of the registry (its login-server suffix), for the Entra authority and the ARM
	// fallback when azure.json names none.
	Cloud string
	// Chain is the acrdiag configuration's chain, for the environment's identity.
	Chain tokencache.ChainOptions
}

// Mode is where the identity came from.
type Mode string

// The modes.
const (
	ServiceAccount Mode = "service account token"
	AzureJSON      Mode = "azure.json"
	Flags          Mode = "flags"
	Environment    Mode = "environment"
)

// Choice is the identity picked, not yet asked for a token.
type Choice struct {
	Mode        Mode
	Description string // for messages; never a secret
	Cloud       string
	TenantID    string // the tenant the identity signs in to, when it is known before a token
	build       func() (azcore.TokenCredential, error)
	chain       *tokencache.ChainOptions // the default chain instead of one credential
}

// AnnotationError is a service account token without the annotations that name its Entra identity.
type AnnotationError struct{ Missing []string }

func (e *AnnotationError) Error() string {
	return "the pod's service account has no " + strings.Join(e.Missing, " and no ") +
		" annotation (or the kubelet does not pass it: tokenAttributes.requiredServiceAccountAnnotationKeys)"
}

// Select picks the identity.
func Select(o Options) (Choice, error) {
	cloudName := o.Cloud
	if o.AzureJSON != nil && o.AzureJSON.CloudName() != "" {
		cloudName = o.AzureJSON.CloudName()
	}
	copts := renew.ClientOptions(cloudName, false)
	switch {
	case o.ServiceAccountToken != "" && annotated(o.Annotations):
		return serviceAccount(o, cloudName, copts)
	case o.AzureJSON != nil:
		id, err := o.AzureJSON.Identity()
		if err != nil {
			return Choice{}, err
		}
		return fromAzureJSON(id, cloudName, copts), nil
	case o.ClientID != "" || o.ResourceID != "":
		return managedIdentity(azurejson.Identity{Kind: azurejson.ManagedIdentity, ClientID: o.ClientID, ResourceID: o.ResourceID}, Flags, cloudName, copts), nil
	}
	chain := o.Chain
	if chain.Credential == "" && os.Getenv("AZURE_TOKEN_CREDENTIALS") == "" {
		chain.Credential = "prod" // a node has no Azure CLI user: environment, workload and managed identity only
	}
	if chain.Cloud == "" {
		chain.Cloud = cloudName
	}
	return Choice{Mode: Environment, Description: "the environment's identity (AZURE_TOKEN_CREDENTIALS " + credentialSetting(chain) + ")",
		Cloud: chain.Cloud, chain: &chain}, nil
}

func credentialSetting(chain tokencache.ChainOptions) string {
	if v := os.Getenv("AZURE_TOKEN_CREDENTIALS"); v != "" {
		return v
	}
	return chain.Credential
}

// annotated reports whether the service account names an identity at all. With tokenAttributes the kubelet
// passes every pod's token; a service account without either annotation pulls with the node's identity
// (requireServiceAccount false, optional keys), one with only one of them is a mistake to report.
func annotated(a map[string]string) bool {
	return strings.TrimSpace(a[kubelet.AnnotationClientID]) != "" || strings.TrimSpace(a[kubelet.AnnotationTenantID]) != ""
}

// serviceAccount exchanges the pod's service account token for the identity its annotations name, in the
// tenant they name: the tenant of the federated credential, which may not be the node's.
func serviceAccount(o Options, cloudName string, copts azcore.ClientOptions) (Choice, error) {
	clientID := strings.TrimSpace(o.Annotations[kubelet.AnnotationClientID])
	tenantID := strings.TrimSpace(o.Annotations[kubelet.AnnotationTenantID])
	var missing []string
	if clientID == "" {
		missing = append(missing, kubelet.AnnotationClientID)
	}
	if tenantID == "" {
		missing = append(missing, kubelet.AnnotationTenantID)
	}
	if len(missing) > 0 {
		return Choice{}, &AnnotationError{Missing: missing}
	}
	saToken := o.ServiceAccountToken
	return Choice{Mode: ServiceAccount, Cloud: cloudName, TenantID: tenantID,
		Description: fmt.Sprintf("the pod's service account token, federated to client id %s in tenant %s", clientID, tenantID),
		build: func() (azcore.TokenCredential, error) {
			return azidentity.NewClientAssertionCredential(tenantID, clientID, func(context.Context) (string, error) { return saToken, nil },
				&azidentity.ClientAssertionCredentialOptions{ClientOptions: copts})
		}}, nil
}

func fromAzureJSON(id azurejson.Identity, cloudName string, copts azcore.ClientOptions) Choice {
	c := Choice{Mode: AzureJSON, Cloud: cloudName, TenantID: id.TenantID, Description: id.String() + " from azure.json"}
	switch id.Kind {
	case azurejson.ManagedIdentity:
		return managedIdentity(id, AzureJSON, cloudName, copts)
	case azurejson.WorkloadIdentity:
		c.build = func() (azcore.TokenCredential, error) {
			return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: copts,
				ClientID: id.ClientID, TenantID: id.TenantID, TokenFilePath: id.TokenFile})
		}
	case azurejson.ServicePrincipal:
		// The secret signs in to Entra ID; the registry only ever sees the ACR token it is exchanged for.
		c.build = func() (azcore.TokenCredential, error) {
			return azidentity.NewClientSecretCredential(id.TenantID, id.ClientID, id.Secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: copts})
		}
	case azurejson.CertificatePrincipal:
		c.build = func() (azcore.TokenCredential, error) {
			b, err := os.ReadFile(id.CertPath)
			if err != nil {
				return nil, fmt.Errorf("read the service principal certificate aadClientCertPath: %w", err)
			}
			certs, key, err := azidentity.ParseCertificates(b, []byte(id.CertPassword))
			if err != nil {
				return nil, fmt.Errorf("parse the service principal certificate %s: %w", id.CertPath, err)
			}
			return azidentity.NewClientCertificateCredential(id.TenantID, id.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: copts})
		}
	}
	return c
}

func managedIdentity(id azurejson.Identity, mode Mode, cloudName string, copts azcore.ClientOptions) Choice {
	desc := id.String()
	if mode == AzureJSON {
		desc += " from azure.json"
	}
	return Choice{Mode: mode, Cloud: cloudName, Description: desc, build: func() (azcore.TokenCredential, error) {
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: copts}
		switch {
		case id.ResourceID != "":
			o.ID = azidentity.ResourceID(id.ResourceID)
		case id.ClientID != "":
			o.ID = azidentity.ClientID(id.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(o)
	}}
}

// Source is the Entra token source of the choice; an identity whose credential cannot be built (an
// unreadable certificate) fails on its first token, with the reason.
func (c Choice) Source() renew.Source {
	if c.chain != nil {
		return renew.NewChainSource(*c.chain)
	}
	cred, err := c.build()
	if err != nil {
		return failing{fmt.Errorf("set up the node's Entra credential (%s): %w", c.Description, err)}
	}
	return renew.CredentialSource(cred, credentialName(cred)+" ("+c.Description+")")
}

func credentialName(cred azcore.TokenCredential) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", cred), "*azidentity.")
}

type failing struct{ err error }

func (f failing) Token(context.Context, string) (string, error) { return "", f.err }
