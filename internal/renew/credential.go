package renew

import (
	"context"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/acrdiag/acrdiag/internal/jwt"
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
