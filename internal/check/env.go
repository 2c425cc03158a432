package check

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/azure"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/netproxy"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// Options are what the user asked for.
type Options struct {
	Registry      string      // as typed
	Repository    string      // --repository
	Action        string      // --action: pull or push
	DNSServer     string      // --dns-server HOST:PORT
	ExpectPrivate bool        // --expect-private
	Azure         azure.Scope // --subscription, --resource-group: where the registry is in Azure
	// Source is the identity to diagnose with instead of the machine's default chain (a node's identity).
	Source renew.Source
}

// DaemonInfo is what the diagnosis reads from the Docker daemon.
type DaemonInfo struct {
	ServerVersion, HTTPSProxy, NoProxy string
}

// StoredAuth is what Docker would send for the registry, and where it comes from.
type StoredAuth struct {
	Source        string // "credHelpers: acrdiag", "credsStore: desktop", "config.json auths", or "" for none
	Helper        string // the credential helper's name, if one answers for the registry
	Username      string
	Secret        string // password or identity token; never printed
	IdentityToken bool
}

// Docker is the Docker side of the machine: the CLI's configuration and the daemon.
type Docker interface {
	ClientVersion(ctx context.Context) (string, error)
	Info(ctx context.Context) (DaemonInfo, error)
	StoredAuth(host string) (StoredAuth, error)
	ConfigPath() string // the config.json this CLI reads
}

// Env is what the checks share: the parsed registry, the configuration, and results computed once.
type Env struct {
	Opts    Options
	LS      loginserver.LoginServer
	Name    error // why Opts.Registry is not a usable login server
	Config  config.Config
	Docker  Docker  // nil when not run by the docker CLI
	machine machine // the user and process, for what sudo and WSL change
	Source  renew.Source
	ACR     *acr.Client
	ARM     *azure.Client // reads the registry's configuration from Azure Resource Manager

	ctx         context.Context
	timeout     time.Duration
	armDeadline time.Time

	reach     func() Result // the TCP connection to the registry (through the proxy), as the tcp check reports it
	challenge func() (challengeResult, error)
	refresh   func() (renew.Renewed, error)
	entra     func() (entraResult, error)
	access    func() (accessResult, error)
	registry  func() (azure.Registry, error)
	roles     func() ([]azure.Assignment, error)
}

// NewEnv parses the registry and prepares the shared state; nothing touches the network yet.
func NewEnv(opts Options, cfg config.Config, docker Docker) *Env {
	e := &Env{Opts: opts, Config: cfg, Docker: docker, machine: realMachine()}
	e.LS, e.Name = loginserver.ParseLoginServer(opts.Registry, cfg.LoginServerSuffixes...)
	chain := tokencache.ChainFor(cfg, e.LS)
	chain.NoRetry = true // a diagnosis answers within its deadline
	inner := opts.Source
	if inner == nil {
		inner = renew.NewChainSource(chain)
	}
	e.Source = &memoSource{inner: inner}
	e.ACR = acr.NewClient()
	e.ARM = azure.New(renew.Credential(e.Source), azure.WithCloud(chain.Cloud), azure.WithTransport(&http.Client{Transport: netproxy.Transport()}))
	return e
}

// Host is the registry's login server, or the input when it is not one.
func (e *Env) Host() string {
	if e.Name != nil {
		return e.Opts.Registry
	}
	return e.LS.Host
}

func (e *Env) start(ctx context.Context, timeout time.Duration) {
	e.ctx, e.timeout = ctx, timeout
	e.armDeadline = time.Now().Add(timeout * 9 / 10)
	e.reach = sync.OnceValue(func() Result {
		ctx, cancel := context.WithTimeout(e.ctx, e.timeout)
		defer cancel()
		c, proxy, err := e.dial(ctx, e.LS.Host)
		if err != nil {
			return e.connectFailure(e.LS.Host, err)
		}
		_ = c.Close()
		if proxy != nil {
			return pass(fmt.Sprintf("connected to %s:443 through %s", e.LS.Host, redact(proxy)))
		}
		return pass(fmt.Sprintf("connected to %s:443 (%s)", e.LS.Host, c.RemoteAddr()))
	})
	e.challenge = sync.OnceValues(func() (challengeResult, error) { return e.getChallenge() })
	e.entra = sync.OnceValues(func() (entraResult, error) { return e.getEntra() })
	e.refresh = sync.OnceValues(func() (renew.Renewed, error) {
		ctx, cancel := context.WithTimeout(e.ctx, e.timeout)
		defer cancel()
		return (&renew.Renewer{Source: e.Source, ACR: e.ACR}).Renew(ctx, e.LS)
	})
	e.access = sync.OnceValues(func() (accessResult, error) { return e.getAccess() })
	e.registry = sync.OnceValues(func() (azure.Registry, error) { return e.getRegistry() })
	e.roles = sync.OnceValues(func() ([]azure.Assignment, error) { return e.getRoles() })
}

// unreachable is the connection failure behind a failed HTTP call, named once by the tcp check, so that
// every check that needed the connection reports the same cause.
func (e *Env) unreachable(summary string) (Result, bool) {
	r := e.reach()
	if r.Status != Fail {
		return Result{}, false
	}
	return Result{Status: Fail, Summary: summary + ": " + r.Summary, Detail: r.Detail, Cause: r.Cause, Fix: r.Fix}, true
}

// proxyFor is the proxy the Go HTTP stack (Docker's too) uses for the registry, or nil.
func (e *Env) proxyFor(host string) *url.URL {
	u, _ := httpproxy.FromEnvironment().ProxyFunc()(&url.URL{Scheme: "https", Host: host})
	return u
}

// dial opens a TCP connection to host:443, through the proxy when one applies.
func (e *Env) dial(ctx context.Context, host string) (net.Conn, *url.URL, error) {
	d := &net.Dialer{Timeout: e.timeout}
	proxy := e.proxyFor(host)
	if proxy == nil {
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, "443"))
		return c, nil, err
	}
	c, err := d.DialContext(ctx, "tcp", proxy.Host)
	if err != nil {
		return nil, proxy, fmt.Errorf("proxyconnect tcp: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: host + ":443"}, Host: host + ":443", Header: http.Header{}}
	if u := proxy.User; u != nil {
		pw, _ := u.Password()
		req.SetBasicAuth(u.Username(), pw)
	}
	if err := req.Write(c); err != nil {
		_ = c.Close()
		return nil, proxy, fmt.Errorf("proxyconnect tcp: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		_ = c.Close()
		return nil, proxy, fmt.Errorf("proxyconnect tcp: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		refusal := netproxy.Refusal(proxy, host+":443", resp)
		_ = c.Close()
		return nil, proxy, refusal
	}
	_ = c.SetDeadline(time.Time{})
	return c, proxy, nil
}

// redact drops the password of a proxy URL.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}

// httpClient is a client for the registry's data plane: proxy from the environment, no redirects.
func (e *Env) httpClient() *http.Client {
	tr := netproxy.Transport()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return e.proxyFor(r.URL.Host), nil }
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: e.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// memoSource asks Entra ID once per scope, whichever checks need the token.
type memoSource struct {
	inner renew.Source
	mu    sync.Mutex
	got   map[string]func() (string, error)
}

// Answered implements renew.Answerer: which credential of the chain gave the tokens.
func (m *memoSource) Answered() string {
	if a, ok := m.inner.(renew.Answerer); ok {
		return a.Answered()
	}
	return ""
}

func (m *memoSource) Token(ctx context.Context, scope string) (string, error) {
	m.mu.Lock()
	if m.got == nil {
		m.got = map[string]func() (string, error){}
	}
	f, ok := m.got[scope]
	if !ok {
		f = sync.OnceValues(func() (string, error) { return m.inner.Token(ctx, scope) })
		m.got[scope] = f
	}
	m.mu.Unlock()
	return f()
}
