package renew

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/netproxy"
)

var (
	aadstsCode = regexp.MustCompile(`AADSTS(\d+)`)
	rules      = regexp.MustCompile(`-{3,}`) // the lines azidentity draws around an HTTP answer
)

// Classify names the cause of a renewal failure (Entra ID, the exchange or the network) and a one-line detail.
// Every rule rests on evidence in the error; an error no rule recognises is cause.Unknown, with its detail,
// never a guess.
func Classify(err error) (id, detail string) {
	msg := err.Error()
	detail = cause.Summarize(rules.ReplaceAllString(msg, " "))
	chain := parseChain(msg)
	if m := aadstsCode.FindStringSubmatch(msg); m != nil {
		if c, ok := cause.ForEntraCode(m[1]); ok {
			return c, detail
		}
	}
	if len(chain) > 0 {
		detail = summarizeChain(chain)
	}
	if pe := proxyRefusal(err); pe != nil {
		if pe.CannotResolve() && strings.Contains(pe.TargetHost(), ".azurecr.") {
			return cause.RegistryNotFound, fmt.Sprintf("the proxy %s cannot resolve %s (it answered CONNECT with %s: %s): the registry does not exist or its name is wrong",
				pe.Proxy, pe.TargetHost(), pe.Status, pe.Body)
		}
		if host := pe.TargetHost(); strings.HasPrefix(host, "login.") { // login.microsoftonline.com, login.chinacloudapi.cn...
			return cause.NetworkProxyError, pe.Error() + "; the proxy has to allow " + host + " as well: Entra ID tokens come from there"
		}
		return cause.NetworkProxyError, pe.Error()
	}
	if stoppedAt(chain) == "ManagedIdentityCredential" {
		// The managed identity endpoint (the instance metadata service or IDENTITY_ENDPOINT) refused, did not
		// answer, or is something else (a proxy answering for 169.254.169.254): this machine has no identity.
		return cause.AuthNoIdentity, "no credential of the chain has an identity for this machine: " + detail
	}
	if c := NetworkCause(err); c != "" {
		return c, detail
	}
	if strings.Contains(msg, "invalid AZURE_TOKEN_CREDENTIALS value") {
		return cause.ConfigInvalid, detail
	}
	var (
		re  *acr.ResponseError
		ee  *EntraError
		afe *azidentity.AuthenticationFailedError
	)
	switch {
	case errors.As(err, &re):
		return classifyResponse(err, re, detail)
	case errors.As(err, &afe):
		if r := afe.RawResponse; r != nil && (r.StatusCode == http.StatusBadRequest || r.StatusCode == http.StatusUnauthorized) {
			return cause.AuthInvalidCredentials, detail // Entra ID refused the credential itself
		}
		return cause.Unknown, detail
	case errors.As(err, &ee) && !strings.Contains(msg, "is unreadable"):
		// The chain gave no token and no credential of it failed to authenticate: none is set up here.
		if len(chain) > 0 {
			detail = "no credential of the chain has an identity for this machine: " + detail
		}
		return cause.AuthNoIdentity, detail
	}
	return cause.Unknown, detail
}

// classifyResponse names the cause of an unexpected answer to the exchange.
func classifyResponse(err error, re *acr.ResponseError, detail string) (string, string) {
	var fb *FallbackError
	switch {
	case re.Proxy != "" && !re.FromRegistry:
		// No ACR header, no ACR error body: inside the tunnel, a TLS-inspecting proxy answered, not the registry.
		return cause.NetworkProxyError, fmt.Sprintf("%s; the answer has none of ACR's headers: the proxy %s answered instead of the registry", detail, re.Proxy)
	case re.Status == http.StatusForbidden:
		return cause.NetworkFirewallDenied, detail
	case re.Status == http.StatusTooManyRequests:
		return cause.RegistryThrottled, detail
	case re.Status == http.StatusUnauthorized && errors.As(err, &fb) && fb.ACREntraFailed:
		return cause.AuthAudienceRejected, "the registry refused the ARM-audience token (" + detail + ") and no ACR-audience token could be had (" + cause.Summarize(fb.ACRErr.Error()) + ")"
	case re.Status == http.StatusUnauthorized:
		return cause.AuthzPullDenied, detail + ": the identity has no role on this registry"
	case re.Status == http.StatusNotFound:
		return cause.RegistryNotFound, detail
	case re.Status >= 500:
		return cause.Unknown, detail + ": the registry failed on its side; retry, and if it persists check https://azure.status.microsoft"
	}
	return cause.Unknown, detail
}

// proxyRefusal is the proxy's refusal behind err: typed from this engine's transports, or as text where the
// Azure SDK kept only the message.
func proxyRefusal(err error) *netproxy.RefusedError {
	var pe *netproxy.RefusedError
	if errors.As(err, &pe) {
		return pe
	}
	if pe, ok := netproxy.FromText(err.Error()); ok {
		return pe
	}
	return nil
}

// NetworkCause recognises transport failures: DNS, proxy, TLS, timeouts, resets; "" for anything else.
func NetworkCause(err error) string {
	var (
		dnsErr  *net.DNSError
		certErr *x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		opErr   *net.OpError
	)
	msg := err.Error()
	switch {
	case proxyRefusal(err) != nil, strings.Contains(msg, "proxyconnect"), strings.Contains(msg, "Proxy Authentication Required"),
		errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		return cause.NetworkProxyError
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return cause.RegistryNotFound
		}
		return cause.NetworkDNSFailure
	case strings.Contains(msg, "no such host"):
		return cause.RegistryNotFound
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &invErr),
		strings.Contains(msg, "x509:"), strings.Contains(msg, "tls:"):
		return cause.NetworkTLSError
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(msg, "Client.Timeout"), strings.Contains(msg, "i/o timeout"),
		strings.Contains(msg, "TLS handshake timeout"):
		return cause.NetworkTimeout
	case errors.Is(err, syscall.ECONNRESET), strings.Contains(msg, "connection reset"), strings.HasSuffix(msg, ": EOF"):
		return cause.NetworkConnectionReset
	case errors.Is(err, syscall.ECONNREFUSED):
		return cause.NetworkConnectionReset // refused is reset at once: something answers the connection with RST
	}
	return ""
}
