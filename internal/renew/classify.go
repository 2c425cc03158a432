package renew

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
)

var aadstsCode = regexp.MustCompile(`AADSTS(\d+)`)

// Classify names the cause of a renewal failure (Entra, exchange or network) and a one-line detail.
func Classify(err error) (id, detail string) {
	detail = cause.Summarize(err.Error())
	var (
		re  *acr.ResponseError
		ee  *EntraError
		afe *azidentity.AuthenticationFailedError
		fb  *FallbackError
	)
	if m := aadstsCode.FindStringSubmatch(err.Error()); m != nil {
		if c, ok := cause.ForEntraCode(m[1]); ok {
			return c, detail
		}
	}
	if c := NetworkCause(err); c != "" {
		return c, detail
	}
	switch {
	case errors.As(err, &re):
		switch {
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
		}
		return cause.NetworkProxyError, detail
	case errors.As(err, &afe):
		return cause.AuthInvalidCredentials, detail
	case errors.As(err, &ee):
		return cause.AuthNoIdentity, detail
	}
	return cause.NetworkTimeout, detail
}

// NetworkCause recognises transport failures: DNS, proxy, TLS, timeouts, resets.
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
	case strings.Contains(msg, "proxyconnect") || strings.Contains(msg, "Proxy Authentication Required") ||
		(errors.As(err, &opErr) && opErr.Op == "proxyconnect"):
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
		return cause.NetworkTimeout
	}
	return ""
}
