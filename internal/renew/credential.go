package renew

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/netproxy"
)

// Credential adapts a Source to the SDK's credential interface, for the Azure Resource Manager clients: the
// diagnosis shares one Source, so the identity signs in once for the registry and for ARM.
func Credential(src Source) azcore.TokenCredential { return sourceCredential{src} }

type sourceCredential struct{ src Source }

func (c sourceCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.src.Token(ctx, strings.Join(opts.Scopes, " "))
	if err != nil {
		return azcore.AccessToken{}, err
	}
	exp := time.Now().Add(5 * time.Minute) // an unreadable token is used once and asked for again
	if claims, err := jwt.Inspect(tok); err == nil && !claims.Expiry.IsZero() {
		exp = claims.Expiry
	}
	return azcore.AccessToken{Token: tok, ExpiresOn: exp}, nil
}

// ClientOptions are the Entra client options every credential of acrdiag uses: the cloud's authority, a
// transport whose proxy refusals are named, and no retries when a caller must answer within a deadline.
func ClientOptions(cloudName string, noRetry bool) azcore.ClientOptions {
	o := azcore.ClientOptions{Transport: &http.Client{Transport: netproxy.Transport()}}
	if noRetry {
		o.Retry = policy.RetryOptions{MaxRetries: -1}
	}
	switch cloudName {
	case "AzureChinaCloud":
		o.Cloud = cloud.AzureChina
	case "AzureUSGovernment":
		o.Cloud = cloud.AzureGovernment
	}
	return o
}

// credentialSource is one credential the caller chose, instead of the default chain: a node's identity.
type credentialSource struct {
	cred     azcore.TokenCredential
	answered string
}

// CredentialSource is a Source of one credential; answered names it for the diagnosis
// ("ManagedIdentityCredential (user-assigned managed identity ...)").
func CredentialSource(cred azcore.TokenCredential, answered string) Source {
	listen() // the SDK's log listener, as for the chain: AZURE_SDK_GO_LOGGING=all keeps working
	return &credentialSource{cred: cred, answered: answered}
}

func (s *credentialSource) Token(ctx context.Context, scope string) (string, error) {
	tok, err := s.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return "", err
	}
	return tok.Token, nil
}

// Answered implements Answerer.
func (s *credentialSource) Answered() string { return s.answered }
