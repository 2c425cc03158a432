package renew

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
)

func TestClassify(t *testing.T) {
	entra := func(msg string) error { return &EntraError{Err: errors.New(msg)} }
	tests := []struct {
		err   error
		cause string
	}{
		{entra("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tAzureCLICredential: ERROR: Please run 'az login' to setup account."), cause.AuthNoIdentity},
		{entra("ClientSecretCredential: AADSTS7000222: The provided client secret keys for app 'x' are expired."), cause.AuthSPSecretExpired},
		{entra("AADSTS7000215: Invalid client secret provided."), cause.AuthInvalidCredentials},
		{entra("AADSTS700016: Application with identifier 'x' was not found in the directory 't'."), cause.AuthAppNotRegistered},
		{&acr.ResponseError{Host: "r.azurecr.io", Op: "exchange", Status: 403, Code: "DENIED", Message: "client with IP '1.2.3.4' is not allowed access"}, cause.NetworkFirewallDenied},
		{&acr.ResponseError{Status: 429, Code: "TOOMANYREQUESTS"}, cause.RegistryThrottled},
		{&acr.ResponseError{Status: 401, Code: "UNAUTHORIZED"}, cause.AuthzPullDenied},
		{&FallbackError{Err: &acr.ResponseError{Status: 401, Message: "token validation failed"}, ACRErr: entra("AADSTS500011: no resource"), ACREntraFailed: true}, cause.AuthAudienceRejected},
		{fmt.Errorf("exchange: %w", &net.DNSError{Err: "no such host", Name: "r.azurecr.io", IsNotFound: true}), cause.RegistryNotFound},
		{fmt.Errorf("exchange: %w", &net.DNSError{Err: "server misbehaving", Name: "r.azurecr.io"}), cause.NetworkDNSFailure},
		{errors.New(`Post "https://r.azurecr.io/oauth2/exchange": proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused`), cause.NetworkProxyError},
		{errors.New(`Post "https://r.azurecr.io/oauth2/exchange": tls: failed to verify certificate: x509: certificate signed by unknown authority`), cause.NetworkTLSError},
		{fmt.Errorf("exchange: %w", context.DeadlineExceeded), cause.NetworkTimeout},
		{errors.New(`Post "https://r.azurecr.io/oauth2/exchange": read tcp 1.2.3.4:5->6.7.8.9:443: read: connection reset by peer`), cause.NetworkConnectionReset},
	}
	for _, tt := range tests {
		cause, detail := Classify(tt.err)
		if cause != tt.cause {
			t.Errorf("Classify(%v) = %s, want %s", tt.err, cause, tt.cause)
		}
		if strings.ContainsAny(detail, "\n\r\t") {
			t.Errorf("detail is not one line: %q", detail)
		}
	}
}
