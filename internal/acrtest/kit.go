package acrtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Options configures a Kit. The zero value serves DefaultRegistries and DefaultIdentities.
type Options struct {
	Registries []Registry
	Identities []Identity
	// Dir holds the CA files, the fake az and identity files; a test's temp dir when started with Start.
	Dir string
	// Log receives every request as a JSON line, LogText as a line of text, for the acrkit command.
	Log, LogText io.Writer
}

// Kit is a running stand-in for Azure on loopback.
type Kit struct {
	Dir              string
	CAPath           string // the test CA alone (PEM)
	BundlePath       string // system roots plus the test CA: SSL_CERT_FILE
	ProxyURL         string // http://127.0.0.1:port: HTTPS_PROXY and HTTP_PROXY
	IdentityEndpoint string // App Service style managed identity endpoint (plain HTTP on loopback)
	AzDir            string // a directory holding the fake az, for PATH

	identityHeader string
	ca             *authority
	signer         signer
	entraKey       *rsa.PrivateKey
	acrKey         *rsa.PrivateKey
	federationKey  *rsa.PrivateKey
	dataKey        []byte
	identities     []Identity
	registries     map[string]*registry
	proxy          *proxy
	log            requestLog
	servers        []*http.Server
	entraLatency   atomic.Int64 // added to every Entra ID response
	armLatency     atomic.Int64 // added to every ARM and Log Analytics response
	armThrottle    atomic.Int64 // ARM answers left to throttle; negative: all
	armRetryAfter  atomic.Int64 // the Retry-After of ARM's 429s; 0: 1 s
	armUnavailable atomic.Int64 // ARM answers left to answer 503; negative: all
}

// discardLogger silences net/http's server log: clients that hang up (the scenarios' purpose) are not news.
var discardLogger = log.New(io.Discard, "", 0)

// Start starts a kit for a test and stops it when the test ends.
func Start(t testing.TB, opts Options) *Kit {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	k, err := New(opts)
	if err != nil {
		t.Fatalf("start acrtest kit: %v", err)
	}
	t.Cleanup(k.Close)
	return k
}

// New starts a kit; Close stops it.
func New(opts Options) (*Kit, error) {
	if opts.Registries == nil {
		opts.Registries = DefaultRegistries()
	}
	if opts.Identities == nil {
		opts.Identities = DefaultIdentities()
	}
	if opts.Dir == "" {
		return nil, errors.New("acrtest: Options.Dir is required")
	}
	ca, err := newAuthority()
	if err != nil {
		return nil, err
	}
	k := &Kit{
		Dir: opts.Dir, ca: ca, entraKey: newRSAKey(), acrKey: newRSAKey(), federationKey: newRSAKey(),
		dataKey: make([]byte, 32), identityHeader: randomID(), registries: map[string]*registry{},
	}
	_, _ = rand.Read(k.dataKey)
	k.log.out, k.log.text = opts.Log, opts.LogText
	if k.CAPath, k.BundlePath, err = ca.writeFiles(k.Dir); err != nil {
		return nil, fmt.Errorf("write CA files: %w", err)
	}
	if err := k.writeFakeAz(); err != nil {
		return nil, fmt.Errorf("write fake az: %w", err)
	}
	for _, id := range opts.Identities {
		id.fillDefaults()
		if k.identity(id.Name) != nil {
			return nil, fmt.Errorf("acrtest: identity %q given twice", id.Name)
		}
		if id.Kind == CertificatePrincipal {
			if err := k.writeCertificate(&id); err != nil {
				return nil, err
			}
		}
		k.identities = append(k.identities, id)
	}
	for _, cfg := range opts.Registries {
		if _, dup := k.registries[cfg.Name]; dup || cfg.Name == "" {
			return nil, fmt.Errorf("acrtest: registry name %q empty or given twice", cfg.Name)
		}
		k.registries[cfg.Name] = newRegistry(k, cfg)
	}

	tlsAddr, err := k.serve(&http.Server{Handler: http.HandlerFunc(k.dispatch), TLSConfig: &tls.Config{
		GetCertificate: ca.getCertificate, MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"}, // HTTP/1.1 only, so scenarios can hijack connections
	}}, true)
	if err != nil {
		k.Close()
		return nil, err
	}
	k.proxy = &proxy{kit: k, upstream: tlsAddr}
	proxyAddr, err := k.serve(&http.Server{Handler: k.proxy}, false)
	if err != nil {
		k.Close()
		return nil, err
	}
	k.ProxyURL = "http://" + proxyAddr
	miAddr, err := k.serve(&http.Server{Handler: http.HandlerFunc(k.managedIdentityHandler)}, false)
	if err != nil {
		k.Close()
		return nil, err
	}
	k.IdentityEndpoint = "http://" + miAddr + "/msi/token"
	return k, nil
}

func (k *Kit) serve(srv *http.Server, useTLS bool) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv.ReadHeaderTimeout = 30 * time.Second
	srv.ErrorLog = discardLogger
	if useTLS {
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	k.servers = append(k.servers, srv)
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), nil
}

// Close stops every server of the kit.
func (k *Kit) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, s := range k.servers {
		if err := s.Shutdown(ctx); err != nil {
			_ = s.Close()
		}
	}
}

// dispatch routes a request that came through the proxy to the fake that owns its host name.
func (k *Kit) dispatch(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == entraHost {
		if !sleepCtx(r, time.Duration(k.entraLatency.Load())) {
			return
		}
		k.entraHandler().ServeHTTP(w, r)
		return
	}
	switch host {
	case armHost:
		k.serveAzure(w, r, armAPI, k.serveARM)
		return
	case logsHost:
		k.serveAzure(w, r, logsAPI, k.serveLogs)
		return
	}
	for _, reg := range k.registries {
		cfg := reg.config()
		switch {
		case host == cfg.Host():
			reg.ServeHTTP(w, r)
			return
		case cfg.isDataHost(host):
			reg.serveData(w, r)
			return
		}
	}
	http.Error(w, "acrtest: no fake serves "+host, http.StatusMisdirectedRequest)
}

// Env is the environment a client process needs to reach the kit: the proxy for HTTPS and plain HTTP
// (so a managed identity probe never leaves the machine), and the CA bundle.
func (k *Kit) Env() []string {
	return []string{
		"HTTPS_PROXY=" + k.ProxyURL, "https_proxy=" + k.ProxyURL,
		"HTTP_PROXY=" + k.ProxyURL, "http_proxy=" + k.ProxyURL,
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost",
		"SSL_CERT_FILE=" + k.BundlePath,
	}
}

// Host is the login server of the named registry.
func (k *Kit) Host(name string) string {
	reg := k.registries[name]
	if reg == nil {
		panic("acrtest: unknown registry " + name)
	}
	return reg.config().Host()
}

// Registry returns the configuration of the named registry as it is now.
func (k *Kit) Registry(name string) Registry { return k.registries[name].config() }

// SetScenario switches a registry's behaviour from now on.
func (k *Kit) SetScenario(name string, s Scenario) {
	reg := k.registries[name]
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.cfg.Scenario = s
}

// SetLatency adds d to every response of the named registry from now on.
func (k *Kit) SetLatency(name string, d time.Duration) {
	reg := k.registries[name]
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.cfg.Latency = d
}

// SetEntraLatency adds d to every response of the fake Entra ID from now on.
func (k *Kit) SetEntraLatency(d time.Duration) { k.entraLatency.Store(int64(d)) }

// SetProxyFault makes the proxy misbehave (ProxyOK to stop).
func (k *Kit) SetProxyFault(f ProxyFault) { k.proxy.setFault(f) }

// SetProxyFaultFor makes the proxy misbehave for CONNECTs to one host only (such as management.azure.com),
// ahead of SetProxyFault's; ProxyOK stops it.
func (k *Kit) SetProxyFaultFor(host string, f ProxyFault) { k.proxy.setFaultFor(host, f) }

// Requests returns what the kit served so far, including the fake az's invocations, oldest first, that
// match the filter.
func (k *Kit) Requests(f Filter) []Request {
	all := append(k.log.snapshot(), k.azCalls()...)
	slices.SortStableFunc(all, func(a, b Request) int { return a.Time.Compare(b.Time) })
	var out []Request
	for _, r := range all {
		if f.match(r) {
			out = append(out, r)
		}
	}
	return out
}

// Identity returns the named identity with its derived ids filled in.
func (k *Kit) Identity(name string) Identity {
	id := k.identity(name)
	if id == nil {
		panic("acrtest: unknown identity " + name)
	}
	return *id
}

func (k *Kit) identity(name string) *Identity {
	for i := range k.identities {
		if k.identities[i].Name == name {
			return &k.identities[i]
		}
	}
	return nil
}

func (k *Kit) identityByClientID(clientID string) *Identity {
	for i := range k.identities {
		if clientID != "" && k.identities[i].ClientID == clientID {
			return &k.identities[i]
		}
	}
	return nil
}

func (k *Kit) identityByObjectID(oid string) *Identity {
	for i := range k.identities {
		if oid != "" && k.identities[i].ObjectID == oid {
			return &k.identities[i]
		}
	}
	return nil
}

func (k *Kit) identityNameBySub(sub string) string {
	for _, id := range k.identities {
		if sub == id.ObjectID || sub == id.Name+"@contoso.example" {
			return id.Name
		}
	}
	return sub
}

// Client is an HTTP client that reaches the kit the way a configured process would: through the proxy,
// trusting the test CA. In-process tests use it because net/http reads the proxy environment only once.
func (k *Kit) Client() *http.Client {
	proxyURL, _ := url.Parse(k.ProxyURL)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(k.ca.certPEM)
	return &http.Client{
		Transport: &http.Transport{
			Proxy:           http.ProxyURL(proxyURL),
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// ClosedPort is a loopback address where nothing listens: a connection to it is refused at once.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
