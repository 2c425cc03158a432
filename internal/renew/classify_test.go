package renew

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/netproxy"
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

// chainError is the text of DefaultAzureCredential's error after the given attempts, as azidentity writes it.
func chainError(attempts ...string) error {
	return &EntraError{Err: errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\t" + strings.Join(attempts, "\n\t"))}
}

const (
	envMissing = "EnvironmentCredential: missing environment variable AZURE_TENANT_ID"
	wiMissing  = "WorkloadIdentityCredential: no client ID specified. Check pod configuration or set ClientID in the options"
	miRefused  = "ManagedIdentityCredential authentication failed. \n\t\tGET http://127.0.0.1:18999/msi/token\n\t\t----------\n\t\tRESPONSE 403: 403 Forbidden\n\t\t----------\n\t\t" +
		"Forbidden by proxy policy\n\t\t----------\n\t\tTo troubleshoot, visit https://aka.ms/azsdk/go/identity/troubleshoot#managed-id"
	miUnreachable = `ManagedIdentityCredential: Get "http://127.0.0.1:4/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fcontainerregistry.azure.net": ` +
		"dial tcp 127.0.0.1:4: connect: connection refused. To troubleshoot, visit https://aka.ms/azsdk/go/identity/troubleshoot#managed-id"
	cliMissing = "AzureCLICredential: executable not found on path"
)

// TestClassifyTable: every rule of the classifier, and its fallbacks: what no rule recognises is unknown, a
// 5xx of the registry is no proxy error, a proxy's refusal names the proxy.
func TestClassifyTable(t *testing.T) {
	refused := &netproxy.RefusedError{Proxy: "10.0.0.1:3128", Target: "r.azurecr.io:443", Status: "403 Forbidden", Body: "Forbidden by proxy policy"}
	refusedEntra := &netproxy.RefusedError{Proxy: "10.0.0.1:3128", Target: "login.microsoftonline.com:443", Status: "403 Forbidden"}
	unresolved := &netproxy.RefusedError{Proxy: "10.0.0.1:3128", Target: "nosuch.azurecr.io:443", Status: "502 Bad Gateway", Body: "dial tcp: lookup nosuch.azurecr.io: no such host"}
	entraUnresolved := &netproxy.RefusedError{Proxy: "10.0.0.1:3128", Target: "login.microsoftonline.com:443", Status: "503 Service Unavailable", Body: "ERR_DNS_FAIL 0"}
	entra401 := &http.Response{StatusCode: 401, Status: "401 Unauthorized", Body: io.NopCloser(strings.NewReader(`{"error":"invalid_client"}`))}
	defer func() { _ = entra401.Body.Close() }()
	tests := []struct {
		name   string
		err    error
		cause  string
		detail []string // the detail must hold each
	}{
		{"no identity: the managed identity endpoint refuses", chainError(envMissing, wiMissing, miRefused), cause.AuthNoIdentity,
			[]string{"no credential of the chain has an identity", "GET http://127.0.0.1:18999/msi/token answered 403 Forbidden (Forbidden by proxy policy)", "EnvironmentCredential: missing environment variable AZURE_TENANT_ID"}},
		{"no identity: the managed identity endpoint does not answer", chainError(envMissing, wiMissing, miUnreachable), cause.AuthNoIdentity,
			[]string{"connection refused", "no managed identity answers there"}},
		{"no identity: nothing signed in", chainError(cliMissing, "AzureDeveloperCLICredential: executable not found on path"), cause.AuthNoIdentity,
			[]string{"AzureCLICredential: executable not found on path; AzureDeveloperCLICredential"}},
		{"the proxy refuses the exchange", fmt.Errorf("exchange an Entra token with r.azurecr.io: %w", &url.Error{Op: "Post", URL: "https://r.azurecr.io/oauth2/exchange", Err: refused}),
			cause.NetworkProxyError, []string{"the proxy 10.0.0.1:3128 refused CONNECT r.azurecr.io:443: 403 Forbidden"}},
		{"the proxy refuses Entra ID (text in azidentity's error)", &EntraError{Err: errors.New(`EnvironmentCredential authentication failed. Post "https://login.microsoftonline.com/t/oauth2/v2.0/token": ` + refusedEntra.Error())},
			cause.NetworkProxyError, []string{"the proxy 10.0.0.1:3128 refused CONNECT login.microsoftonline.com:443: 403 Forbidden"}},
		{"the proxy cannot resolve the registry", fmt.Errorf("exchange: %w", unresolved), cause.RegistryNotFound,
			[]string{"the proxy 10.0.0.1:3128 cannot resolve nosuch.azurecr.io", "502 Bad Gateway", "no such host"}},
		{"the proxy cannot resolve Entra ID", fmt.Errorf("token: %w", entraUnresolved), cause.NetworkProxyError, []string{"login.microsoftonline.com", "ERR_DNS_FAIL"}},
		{"the registry fails on its side", &acr.ResponseError{Host: "r.azurecr.io", Op: "exchange", Status: 503, FromRegistry: true, Proxy: "10.0.0.1:3128"}, cause.Unknown,
			[]string{"HTTP 503", "the registry failed on its side"}},
		{"the registry fails on its side, no proxy", &acr.ResponseError{Host: "r.azurecr.io", Op: "exchange", Status: 500, FromRegistry: true}, cause.Unknown, []string{"HTTP 500"}},
		{"a TLS-inspecting proxy answers instead of the registry", &acr.ResponseError{Host: "r.azurecr.io", Op: "exchange", Status: 502, Proxy: "10.0.0.1:3128"}, cause.NetworkProxyError,
			[]string{"HTTP 502", "the proxy 10.0.0.1:3128 answered instead of the registry"}},
		{"another status of the registry", &acr.ResponseError{Host: "r.azurecr.io", Op: "exchange", Status: 400, Code: "BAD_REQUEST", FromRegistry: true}, cause.Unknown, []string{"HTTP 400 BAD_REQUEST"}},
		{"an error no rule knows", errors.New("exchange with r.azurecr.io: the answer is not JSON (12 bytes)"), cause.Unknown, []string{"not JSON"}},
		{"connection refused", fmt.Errorf("exchange: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), cause.NetworkConnectionReset, []string{"connection refused"}},
		{"an invalid AZURE_TOKEN_CREDENTIALS", &EntraError{Err: errors.New(`set up Entra credentials: invalid AZURE_TOKEN_CREDENTIALS value "cli". Valid values are "dev", "prod"`)}, cause.ConfigInvalid,
			[]string{"AZURE_TOKEN_CREDENTIALS"}},
		{"Entra ID refuses the credential without a code acrdiag knows", &EntraError{Err: &azidentity.AuthenticationFailedError{RawResponse: entra401}}, cause.AuthInvalidCredentials, []string{"RESPONSE 401"}},
		{"an authentication failure without an answer", &EntraError{Err: &azidentity.AuthenticationFailedError{}}, cause.Unknown, nil},
		{"an unreadable Entra token", &EntraError{Err: errors.New("the Entra token is unreadable: not a JWT")}, cause.Unknown, []string{"unreadable"}},
	}
	for _, tt := range tests {
		id, detail := Classify(tt.err)
		t.Logf("%s: %s: %s", tt.name, id, detail)
		if id != tt.cause {
			t.Errorf("%s: Classify = %s (%s), want %s", tt.name, id, detail, tt.cause)
		}
		for _, want := range tt.detail {
			if !strings.Contains(detail, want) {
				t.Errorf("%s: detail %q lacks %q", tt.name, detail, want)
			}
		}
		if strings.ContainsAny(detail, "\n\r\t") || len(detail) > 500 || detail == "" {
			t.Errorf("%s: detail is not one short line: %q", tt.name, detail)
		}
	}
}
