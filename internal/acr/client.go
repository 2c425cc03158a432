package acr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/netproxy"
	"github.com/acrdiag/acrdiag/internal/version"
)

// Doer sends an HTTP request: the one network dependency of Client.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// maxBody bounds what is read of any registry response.
const maxBody = 1 << 20

// Client calls a registry's token service. Tokens go only to a LoginServer (which passed the suffix
// check), over HTTPS, and never follow a redirect.
type Client struct {
	http      Doer
	userAgent string
}

// Option configures a Client.
type Option func(*Client)

// WithDoer replaces the HTTP client (tests, custom transports).
func WithDoer(d Doer) Option { return func(c *Client) { c.http = d } }

// WithUserAgent sets the User-Agent of every request.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// NewClient returns a client that honours HTTPS_PROXY/NO_PROXY and SSL_CERT_FILE like Docker does.
func NewClient(opts ...Option) *Client {
	c := &Client{userAgent: version.UserAgent()}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = DefaultHTTPClient()
	}
	return c
}

// DefaultHTTPClient is an HTTP client for registries: proxy from the environment, bounded handshakes, and
// no redirects (a token must never be replayed to another host).
func DefaultHTTPClient() *http.Client {
	tr := netproxy.Transport() // a refused CONNECT names the proxy and its answer
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			return fmt.Errorf("refusing to follow a redirect to %s", req.URL.Host)
		},
	}
}

// Exchange trades an Entra access token for an ACR refresh token: POST https://<host>/oauth2/exchange.
func (c *Client) Exchange(ctx context.Context, ls loginserver.LoginServer, tenant, entraToken string) (string, error) {
	form := url.Values{"grant_type": {"access_token"}, "service": {ls.Host}, "access_token": {entraToken}}
	if tenant != "" {
		form.Set("tenant", tenant)
	}
	var out struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := c.postForm(ctx, ls, "/oauth2/exchange", "exchange an Entra token", form, &out); err != nil {
		return "", err
	}
	if out.RefreshToken == "" {
		return "", fmt.Errorf("exchange an Entra token with %s: the answer holds no refresh_token", ls.Host)
	}
	return out.RefreshToken, nil
}

// AnonymousPull reports whether the registry hands out pull tokens without credentials, which is how
// anonymous pull shows from outside.
func (c *Client) AnonymousPull(ctx context.Context, ls loginserver.LoginServer) (bool, error) {
	_, ok, err := c.AnonymousToken(ctx, ls, "repository:library/hello-world:pull")
	return ok, err
}

func (c *Client) do(req *http.Request, op, host string, out any) error {
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s with %s: %w", op, host, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%s with %s: read answer: %w", op, host, err)
	}
	if resp.StatusCode != http.StatusOK {
		code, msg := parseErrorBody(body)
		re := &ResponseError{Host: host, Op: op, Status: resp.StatusCode, Code: code, Message: msg,
			CorrelationID: resp.Header.Get("X-Ms-Correlation-Request-Id"), RetryAfter: resp.Header.Get("Retry-After")}
		re.FromRegistry = code != "" || re.CorrelationID != "" || resp.Header.Get("Docker-Distribution-Api-Version") != ""
		if p, _ := http.ProxyFromEnvironment(req); p != nil {
			re.Proxy = p.Host
		}
		return re
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s with %s: the answer is not JSON (%d bytes): %w", op, host, len(body), err)
	}
	return nil
}

// AccessToken trades a refresh token for an access token with the given scopes: POST /oauth2/token. ACR
// answers 200 even when it grants less than asked: decode the token's access claim to see what it granted.
func (c *Client) AccessToken(ctx context.Context, ls loginserver.LoginServer, refreshToken string, scopes ...string) (string, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "service": {ls.Host}, "refresh_token": {refreshToken},
		"scope": {strings.Join(scopes, " ")}}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.postForm(ctx, ls, "/oauth2/token", "get an access token", form, &out); err != nil {
		return "", err
	}
	return out.AccessToken, nil
}

// postForm POSTs a form to the registry's token service and decodes the JSON answer into out.
func (c *Client) postForm(ctx context.Context, ls loginserver.LoginServer, path, op string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+ls.Host+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, op, ls.Host, out)
}

// AnonymousToken asks for a token without credentials, as anonymous pull does; ok is false on a 401.
func (c *Client) AnonymousToken(ctx context.Context, ls loginserver.LoginServer, scope string) (tok string, ok bool, err error) {
	q := url.Values{"service": {ls.Host}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ls.Host+"/oauth2/token?"+q.Encode(), nil)
	if err != nil {
		return "", false, err
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err = c.do(req, "ask for an anonymous token", ls.Host, &out)
	var re *ResponseError
	if errors.As(err, &re) && re.Status == http.StatusUnauthorized {
		return "", false, nil
	}
	return out.AccessToken, err == nil && out.AccessToken != "", err
}
