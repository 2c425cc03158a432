// Package netproxy names what an HTTP(S) proxy did to a connection. Go's HTTP client turns a CONNECT the proxy
// refused into an error that says only "Forbidden" or "Bad Gateway", without the proxy, the host or the
// proxy's own explanation, so that a refusal reads like any other network failure. Transports built here
// report it as a RefusedError instead, and every layer (the token exchange, Entra ID's requests, the
// diagnosis' own CONNECT) names the proxy and its answer the same way.
package netproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// RefusedError is a CONNECT that the proxy answered with something other than 200. It never holds the
// proxy's credentials.
type RefusedError struct {
	Proxy  string // the proxy's host:port
	Target string // the host:port the tunnel was asked for
	Status string // the proxy's status line, such as "403 Forbidden"
	Body   string // the proxy's explanation, one line (its error page's title, or a squid error code)
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("the proxy %s refused CONNECT %s: %s", e.Proxy, e.Target, e.Status)
	if e.Body != "" {
		msg += " (" + e.Body + ")"
	}
	return msg
}

// NonRetriable tells the Azure SDK's retry policy that asking again gets the same refusal.
func (*RefusedError) NonRetriable() {}

// Code is the proxy's status code.
func (e *RefusedError) Code() int {
	code, _ := strconv.Atoi(strings.SplitN(e.Status, " ", 2)[0])
	return code
}

// TargetHost is the host the tunnel was asked for, without the port.
func (e *RefusedError) TargetHost() string {
	host, _, found := strings.Cut(e.Target, ":")
	if !found {
		return e.Target
	}
	return host
}

// unresolvable are the ways proxies say that a name does not resolve: Go's resolver (and the test kit),
// squid's ERR_DNS_FAIL page, nginx, Envoy and the usual resolver texts.
var unresolvable = regexp.MustCompile(`(?i)no such host|ERR_DNS_FAIL|unable to determine ip address|could not resolve|name or service not known|` +
	`nodename nor servname|NXDOMAIN|dns (?:lookup|resolution) fail|unknown host|host not found|failed to resolve`)

// CannotResolve reports whether the proxy says the target's name does not resolve.
func (e *RefusedError) CannotResolve() bool { return unresolvable.MatchString(e.Body) }

// maxBody bounds what is read of a proxy's error page.
const maxBody = 4 << 10

// Refusal reads a proxy's non-200 answer to CONNECT target into a RefusedError.
func Refusal(proxy *url.URL, target string, resp *http.Response) *RefusedError {
	e := &RefusedError{Proxy: proxyHost(proxy), Target: target, Status: resp.Status}
	if e.Status == "" {
		e.Status = strconv.Itoa(resp.StatusCode)
	}
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	}
	e.Body = explanation(resp.Header, string(body))
	return e
}

// OnConnectResponse is an http.Transport.OnProxyConnectResponse hook: a refused CONNECT becomes a RefusedError.
func OnConnectResponse(_ context.Context, proxy *url.URL, req *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	target := req.Host
	if target == "" && req.URL != nil {
		target = req.URL.Opaque
	}
	return Refusal(proxy, target, resp)
}

// Transport is Go's default transport (proxy from the environment, HTTP/2, bounded handshakes), TLS 1.2 at
// least, reporting a refused CONNECT as a RefusedError.
func Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.OnProxyConnectResponse = OnConnectResponse
	return tr
}

func proxyHost(u *url.URL) string {
	if u == nil {
		return "?"
	}
	host := u.Host
	if u.Port() == "" {
		switch u.Scheme {
		case "https":
			host += ":443"
		case "http", "":
			host += ":80"
		}
	}
	return host
}

var (
	spaces = regexp.MustCompile(`\s+`)
	title  = regexp.MustCompile(`(?is)<title>(.*?)</title>`)
	tags   = regexp.MustCompile(`<[^>]*>`)
)

// explanation is the one line a proxy's answer gives for its refusal: squid's error code, the title of an
// HTML error page, or the text of a plain one.
func explanation(h http.Header, body string) string {
	var parts []string
	if sq := strings.TrimSpace(h.Get("X-Squid-Error")); sq != "" {
		parts = append(parts, sq)
	}
	text := body
	if strings.Contains(body, "<") {
		text = ""
		if m := title.FindStringSubmatch(body); m != nil {
			text = tags.ReplaceAllString(m[1], "")
		}
	}
	if text = strings.TrimSpace(spaces.ReplaceAllString(text, " ")); text != "" {
		parts = append(parts, text)
	}
	out := strings.NewReplacer("(", "[", ")", "]").Replace(strings.Join(parts, ": ")) // one level of parentheses in Error
	if len(out) > 200 {
		out = out[:200] + "..."
	}
	return out
}

var refusedText = regexp.MustCompile(`the proxy (\S+) refused CONNECT (\S+): (\d{3}(?: [A-Z][A-Za-z]*)*)(?: \(([^()\n]*)\))?`)

// FromText finds a refusal in error text: the Azure SDK keeps only the messages of the errors it wraps.
func FromText(msg string) (*RefusedError, bool) {
	m := refusedText.FindStringSubmatch(msg)
	if m == nil {
		return nil, false
	}
	return &RefusedError{Proxy: m[1], Target: m[2], Status: strings.TrimSpace(m[3]), Body: m[4]}, true
}
