package azure

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/acrdiag/acrdiag/internal/netproxy"
)

// What the ARM client asks again. A refusal is an answer: a proxy that refuses CONNECT (any status) or
// closes it unanswered, a connection refused, a name that does not exist, a certificate that does not
// verify give the same answer on every try, so the read ends at the first one and the diagnosis is not
// held up by seconds of back-off. Transient answers (408, 429, 5xx) are asked again, but a Retry-After
// that ends past the caller's deadline is the answer too: the read stops with the throttling instead of
// sleeping into the deadline and reporting none.

// retryStatus are the statuses asked again (azcore's defaults).
var retryStatus = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// retryOptions are the retries of every ARM and Log Analytics read.
func retryOptions() policy.RetryOptions {
	return policy.RetryOptions{MaxRetries: 2, RetryDelay: 500 * time.Millisecond, MaxRetryDelay: 5 * time.Second,
		ShouldRetry: shouldRetry}
}

// shouldRetry is called for what the retry policy would ask again: transport errors (but those
// answerPolicy marked non-retriable) and every response.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	if resp == nil || !slices.Contains(retryStatus, resp.StatusCode) {
		return false
	}
	if wait := retryAfter(resp.Header); wait > 0 && resp.Request != nil {
		if deadline, ok := resp.Request.Context().Deadline(); ok && time.Until(deadline) < wait {
			return false
		}
	}
	return true
}

// retryAfter reads the headers azcore honours: retry-after-ms, x-ms-retry-after-ms, Retry-After (seconds or
// an HTTP date).
func retryAfter(h http.Header) time.Duration {
	for _, k := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if ms, err := strconv.Atoi(h.Get(k)); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// answerPolicy runs inside the retry loop, once per try: it watches the connection being made and marks
// the failures that are answers as non-retriable.
type answerPolicy struct{}

// connTrace is what happened to one try's connection.
type connTrace struct {
	connected atomic.Bool  // a TCP connection was made (to the proxy, when there is one)
	tlsStart  atomic.Bool  // the TLS handshake with the server began: the proxy's CONNECT, if any, succeeded
	gotConn   atomic.Bool  // the request had a connection
	addr      atomic.Value // the address connected to (string)
}

func (answerPolicy) Do(req *policy.Request) (*http.Response, error) {
	var ct connTrace
	trace := &httptrace.ClientTrace{
		ConnectDone: func(_, addr string, err error) {
			if err == nil {
				ct.addr.Store(addr)
				ct.connected.Store(true)
			}
		},
		TLSHandshakeStart: func() { ct.tlsStart.Store(true) },
		GotConn:           func(httptrace.GotConnInfo) { ct.gotConn.Store(true) },
	}
	resp, err := req.Clone(httptrace.WithClientTrace(req.Raw().Context(), trace)).Next()
	if err != nil && req.Raw().Context().Err() == nil {
		if a := answer(err, &ct, req.Raw().URL); a != nil {
			return resp, a
		}
	}
	return resp, err
}

// answer is err as a non-retriable error when it is a refusal, else nil.
func answer(err error, ct *connTrace, target *url.URL) error {
	var nre interface{ NonRetriable() }
	if errors.As(err, &nre) {
		return nil // already says so (a netproxy.RefusedError)
	}
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &answerError{err: err}
	case errors.As(err, &dns) && dns.IsNotFound:
		return &answerError{err: err}
	case errors.As(err, &cert):
		return &answerError{err: err}
	case ct.connected.Load() && !ct.tlsStart.Load() && !ct.gotConn.Load() &&
		(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)):
		// Connected, then the connection ended before any TLS with the server: only a proxy's CONNECT
		// comes in between (a direct HTTPS connection starts TLS at once).
		proxy, _ := ct.addr.Load().(string)
		return &answerError{err: err, proxyClosed: proxy, target: hostPort(target)}
	}
	return nil
}

func hostPort(u *url.URL) string {
	if u == nil {
		return "?"
	}
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "443")
}

// answerError is a failure that asking again would only repeat.
type answerError struct {
	err         error
	proxyClosed string // the proxy that closed the connection without answering CONNECT target
	target      string
}

func (e *answerError) Error() string {
	if e.proxyClosed == "" {
		return e.err.Error()
	}
	msg := "the proxy " + e.proxyClosed + " closed the connection without answering CONNECT " + e.target
	var ue *url.Error
	if errors.As(e.err, &ue) {
		return ue.Op + " " + strconv.Quote(ue.URL) + ": " + msg + " (" + ue.Err.Error() + ")"
	}
	return msg + " (" + e.err.Error() + ")"
}

func (e *answerError) Unwrap() error { return e.err }

// NonRetriable tells azcore's retry policy not to ask again.
func (*answerError) NonRetriable() {}

// transporter is the client's transport, reporting a refused CONNECT with the proxy's status (Go's
// transport says only "Forbidden"): netproxy's by default, and an *http.Client given without the hook
// gets it on a copy of its transport.
func transporter(t policy.Transporter) policy.Transporter {
	switch c := t.(type) {
	case nil:
		return &http.Client{Transport: netproxy.Transport()}
	case *http.Client:
		tr, ok := c.Transport.(*http.Transport)
		if c.Transport == nil {
			tr, ok = http.DefaultTransport.(*http.Transport), true
		}
		if !ok || tr.OnProxyConnectResponse != nil {
			return c
		}
		tr = tr.Clone()
		tr.OnProxyConnectResponse = netproxy.OnConnectResponse
		cc := *c
		cc.Transport = tr
		return &cc
	}
	return t
}

// Refusal is what refused a read that never reached Azure: a proxy's refusal of the CONNECT (or its
// closing it unanswered), a connection refused, a name that does not exist, a certificate that does not
// verify; false for anything else (Azure's own answers included).
func Refusal(err error) (string, bool) {
	var pr *netproxy.RefusedError
	if errors.As(err, &pr) {
		return pr.Error(), true
	}
	var ae *answerError
	if !errors.As(err, &ae) {
		return "", false
	}
	if ae.proxyClosed != "" {
		return "the proxy " + ae.proxyClosed + " closed the connection without answering CONNECT " + ae.target, true
	}
	var ue *url.Error
	if errors.As(ae.err, &ue) {
		return ue.Err.Error(), true
	}
	return ae.err.Error(), true
}
