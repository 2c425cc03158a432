package renew

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/explain"
)

func TestClassify(t *testing.T) {
	entra := func(msg string) error { return &EntraError{Err: errors.New(msg)} }
	tests := []struct {
		err   error
		cause string
	}{
		{entra("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tAzureCLICredential: ERROR: Please run 'az login' to setup account."), explain.AuthNoIdentity},
		{entra("ClientSecretCredential: AADSTS7000222: The provided client secret keys for app 'x' are expired."), explain.AuthSPSecretExpired},
		{entra("AADSTS7000215: Invalid client secret provided."), explain.AuthInvalidCredentials},
		{entra("AADSTS700016: Application with identifier 'x' was not found in the directory 't'."), explain.AuthAppNotRegistered},
		{&acr.ResponseError{Host: "r.azurecr.io", Op: "exchange", Status: 403, Code: "DENIED", Message: "client with IP '1.2.3.4' is not allowed access"}, explain.NetworkFirewallDenied},
		{&acr.ResponseError{Status: 429, Code: "TOOMANYREQUESTS"}, explain.RegistryThrottled},
		{&acr.ResponseError{Status: 401, Code: "UNAUTHORIZED"}, explain.AuthzPullDenied},
		{&FallbackError{Err: &acr.ResponseError{Status: 401, Message: "token validation failed"}, ACRErr: entra("AADSTS500011: no resource"), ACREntraFailed: true}, explain.AuthAudienceRejected},
		{fmt.Errorf("exchange: %w", &net.DNSError{Err: "no such host", Name: "r.azurecr.io", IsNotFound: true}), explain.RegistryNotFound},
		{fmt.Errorf("exchange: %w", &net.DNSError{Err: "server misbehaving", Name: "r.azurecr.io"}), explain.NetworkDNSFailure},
		{errors.New(`Post "https://r.azurecr.io/oauth2/exchange": proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused`), explain.NetworkProxyError},
		{errors.New(`Post "https://r.azurecr.io/oauth2/exchange": tls: failed to verify certificate: x509: certificate signed by unknown authority`), explain.NetworkTLSError},
		{fmt.Errorf("exchange: %w", context.DeadlineExceeded), explain.NetworkTimeout},
		{errors.New(`Post "https://r.azurecr.io/oauth2/exchange": read tcp 1.2.3.4:5->6.7.8.9:443: read: connection reset by peer`), explain.NetworkConnectionReset},
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
