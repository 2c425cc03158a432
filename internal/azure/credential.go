package azure

import (
	"context"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TokenSource gets Entra access tokens for a scope (renew.Source): the diagnosis shares one, so the
// identity signs in once for the registry and for ARM.
type TokenSource interface {
	Token(ctx context.Context, scope string) (string, error)
}

// Credential adapts a TokenSource to the SDK's credential interface.
func Credential(src TokenSource) azcore.TokenCredential { return sourceCredential{src} }

type sourceCredential struct{ src TokenSource }

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
