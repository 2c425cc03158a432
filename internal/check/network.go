package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/netproxy"
	"github.com/acrdiag/acrdiag/internal/renew"
)

// nameCheck: the login-server form, with a corrected suggestion.
func nameCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		var ne *loginserver.NameError
		summary := fmt.Sprintf("%q is not an Azure Container Registry login server", e.Opts.Registry)
		if errors.As(e.Name, &ne) {
			summary = ne.Error()
		} else if s := loginserver.Suggest(e.Opts.Registry, e.Config.LoginServerSuffixes...); s != "" {
			summary += "; did you mean " + s + "?"
		}
		return e.fail(cause.RegistryNameInvalid, summary, "Docker keys credentials by the exact login server, <registry>.azurecr.io in lower case")
	}
	r := pass(fmt.Sprintf("%s is a login server of %s", e.LS.Host, e.LS.Cloud.Name))
	if e.LS.Region != "" {
		r.Detail = "a regional endpoint (" + e.LS.Region + "): Docker stores credentials per host name, so it needs its own login"
	}
	typed := strings.TrimSpace(e.Opts.Registry)
	if typed != e.LS.Host && strings.ToLower(typed) != typed {
		r = warn(fmt.Sprintf("use %s: login servers are lower case, and Docker keys credentials by the exact name", e.LS.Host), "given: "+typed)
		r.Cause = cause.RegistryNameInvalid
		r.Fix = cause.FixFor(cause.RegistryNameInvalid, e.LS.Host)
	}
	return r
}

// proxyCheck: which proxy applies to the registry.
func proxyCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	p := e.proxyFor(e.LS.Host)
	if p == nil {
		return pass("no proxy applies: this machine connects to " + e.LS.Host + " directly")
	}
	return pass(fmt.Sprintf("HTTPS to %s goes through the proxy %s", e.LS.Host, redact(p)))
}

// tcpCheck: a TCP connection to port 443, through the proxy when one applies.
func tcpCheck(ctx context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	return e.reach()
}

// connectFailure names why a connection to host failed: the proxy's own answer when it refused the tunnel.
func (e *Env) connectFailure(host string, err error) Result {
	var pr *netproxy.RefusedError
	if errors.As(err, &pr) {
		switch {
		case pr.Code() == http.StatusProxyAuthRequired:
			return e.fail(cause.NetworkProxyError, fmt.Sprintf("the proxy %s requires authentication: %s", pr.Proxy, pr.Status), pr.Error())
		case pr.CannotResolve():
			return e.fail(cause.RegistryNotFound, fmt.Sprintf("the proxy %s cannot resolve %s (%s): the registry does not exist or the name is wrong", pr.Proxy, host, pr.Status), pr.Error())
		}
		return e.fail(cause.NetworkProxyError, fmt.Sprintf("the proxy %s refuses CONNECT to %s: %s", pr.Proxy, pr.Target, pr.Status), pr.Error())
	}
	id := renew.NetworkCause(err)
	if id == "" {
		id = cause.Unknown // a failure no rule recognises is not called a timeout
	}
	return e.fail(id, "cannot connect to "+host+":443", cause.Summarize(err.Error()))
}

// tlsCheck: the TLS handshake and the certificate the registry (or something in between) presents.
func tlsCheck(ctx context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	return e.tlsTo(ctx, e.LS.Host)
}

func (e *Env) tlsTo(ctx context.Context, host string) Result {
	c, _, err := e.dial(ctx, host)
	if err != nil {
		return e.connectFailure(host, err)
	}
	defer func() { _ = c.Close() }()
	tc := tls.Client(c, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		detail := cause.Summarize(err.Error())
		if issuer := e.presentedIssuer(ctx, host); issuer != "" {
			detail += "; the certificate presented is issued by " + issuer
		}
		var uae x509.UnknownAuthorityError
		if errors.As(err, &uae) || strings.Contains(err.Error(), "unknown authority") {
			return e.fail(cause.NetworkTLSError, "the TLS certificate of "+host+" is not trusted on this machine (a TLS-inspecting proxy?)", detail)
		}
		return e.fail(cause.NetworkTLSError, "the TLS handshake with "+host+" fails", detail)
	}
	st := tc.ConnectionState()
	leaf := st.PeerCertificates[0]
	issuer := leaf.Issuer.CommonName
	summary := fmt.Sprintf("%s, certificate for %s issued by %s, valid until %s", tls.VersionName(st.Version), host, issuer, leaf.NotAfter.Format("2006-01-02"))
	if !strings.Contains(issuer, "Microsoft") && !strings.Contains(issuer, "DigiCert") {
		return warn(summary, "the issuer is not Microsoft's: TLS is inspected by a proxy (or a test CA); clients that do not trust it will fail")
	}
	return pass(summary)
}

// presentedIssuer reads, without trusting it, who issued the certificate the other end presents.
func (e *Env) presentedIssuer(ctx context.Context, host string) string {
	c, _, err := e.dial(ctx, host)
	if err != nil {
		return ""
	}
	defer func() { _ = c.Close() }()
	tc := tls.Client(c, &tls.Config{ServerName: host, InsecureSkipVerify: true}) //nolint:gosec // only to name the issuer; nothing is sent
	if tc.HandshakeContext(ctx) != nil || len(tc.ConnectionState().PeerCertificates) == 0 {
		return ""
	}
	return tc.ConnectionState().PeerCertificates[0].Issuer.CommonName
}

// challengeResult is the answer to GET /v2/.
type challengeResult struct {
	Status        int
	Authenticate  string
	Body          string
	CorrelationID string
	RetryAfter    string
	FromRegistry  bool // ACR's headers are on the answer: the registry itself answered
}

func (e *Env) getChallenge() (challengeResult, error) {
	ctx, cancel := context.WithTimeout(e.ctx, e.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+e.LS.Host+"/v2/", nil)
	if err != nil {
		return challengeResult{}, err
	}
	resp, err := e.httpClient().Do(req)
	if err != nil {
		return challengeResult{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return challengeResult{Status: resp.StatusCode, Authenticate: resp.Header.Get("Www-Authenticate"), Body: string(body),
		CorrelationID: resp.Header.Get("X-Ms-Correlation-Request-Id"), RetryAfter: resp.Header.Get("Retry-After"),
		FromRegistry: resp.Header.Get("X-Ms-Correlation-Request-Id") != "" || resp.Header.Get("Docker-Distribution-Api-Version") != ""}, nil
}

var deniedMessage = regexp.MustCompile(`"message"\s*:\s*"([^"]*)"`)

// challengeCheck: GET /v2/ must answer 401 with a Bearer challenge naming the registry's token service.
func challengeCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	c, err := e.challenge()
	if err != nil {
		if r, ok := e.unreachable("GET /v2/ failed"); ok {
			return r
		}
		var pr *netproxy.RefusedError
		if errors.As(err, &pr) {
			return e.connectFailure(e.LS.Host, err)
		}
		id := renew.NetworkCause(err)
		if id == "" {
			id = cause.Unknown
		}
		return e.fail(id, "GET https://"+e.LS.Host+"/v2/ failed", cause.Summarize(err.Error()))
	}
	corr := ""
	if c.CorrelationID != "" {
		corr = " (correlation id " + c.CorrelationID + ")"
	}
	switch {
	case c.Status == http.StatusUnauthorized && strings.HasPrefix(strings.ToLower(c.Authenticate), "bearer ") &&
		strings.Contains(c.Authenticate, "realm=") && strings.Contains(c.Authenticate, "service="):
		return pass("the registry answers with a token challenge: " + c.Authenticate)
	case c.Status == http.StatusOK:
		return pass("the registry answers /v2/ without credentials")
	case c.Status == http.StatusForbidden:
		msg := "403 Forbidden"
		if m := deniedMessage.FindStringSubmatch(c.Body); m != nil {
			msg = "403 DENIED: " + m[1]
		}
		return e.fail(cause.NetworkFirewallDenied, msg, "the registry's network rules refuse this client: IP rules, selected networks, private endpoints only, or public access disabled"+corr)
	case c.Status == http.StatusTooManyRequests:
		return e.fail(cause.RegistryThrottled, "429 Too Many Requests; retry after "+c.RetryAfter+"s", strings.TrimSpace(c.Body)+corr)
	}
	summary := fmt.Sprintf("unexpected answer %d to GET /v2/", c.Status)
	if c.Status == http.StatusUnauthorized {
		summary = "401 without a Bearer challenge: " + c.Authenticate
	}
	if p := e.proxyFor(e.LS.Host); p != nil && !c.FromRegistry {
		// None of ACR's headers: inside the tunnel something else answered, a TLS-inspecting proxy.
		return e.fail(cause.NetworkProxyError, summary, fmt.Sprintf("the answer has none of ACR's headers: the proxy %s answered instead of the registry", p.Host))
	}
	if c.FromRegistry && c.Status >= 500 {
		return e.fail(cause.Unknown, summary, "the registry failed on its side; retry, and if it persists check https://azure.status.microsoft"+corr)
	}
	return e.fail(cause.Unknown, summary, strings.TrimSpace(c.Body)+corr)
}

// isPrivate reports RFC 1918, CGNAT and unique-local addresses: where a private endpoint answers.
func isPrivate(ip net.IP) bool {
	if ip.IsPrivate() {
		return true
	}
	_, cgnat, _ := net.ParseCIDR("100.64.0.0/10")
	return cgnat.Contains(ip)
}
