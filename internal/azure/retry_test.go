package azure_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
	"github.com/acrdiag/acrdiag/internal/azure"
	"github.com/acrdiag/acrdiag/internal/renew"
)

// A refusal is an answer: a proxy that refuses or closes the CONNECT to management.azure.com, and a proxy
// that refuses the connection, end the read at once (the diagnosis waits for its slowest check, and ARM
// would otherwise be it by seconds). Real transient answers, 429 with a Retry-After that fits the deadline
// and 503, are still asked again.

// proxyClient is an HTTP client through proxy to the kit's TLS servers, trusting its CA: Go's transport as
// the SDK's default builds it, which says only "Forbidden" for a refused CONNECT.
func proxyClient(t *testing.T, k *acrtest.Kit, proxy string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(k.CAPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	u, _ := url.Parse(proxy)
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u),
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

func TestRefusalsAreNotRetried(t *testing.T) {
	k := startKit(t)
	for _, tc := range []struct {
		name  string
		fault acrtest.ProxyFault
		proxy string // "" the kit's
		want  string
	}{
		{"proxy 403", acrtest.ProxyForbidden, "", "403 Forbidden"},
		{"proxy 407", acrtest.ProxyAuth, "", "407 Proxy Authentication Required"},
		{"proxy closes CONNECT", acrtest.ProxyEOF, "", "closed the connection"},
		{"proxy refuses the connection", acrtest.ProxyOK, "http://" + acrtest.ClosedPort(t), "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k.SetProxyFaultFor("management.azure.com", tc.fault)
			defer k.SetProxyFaultFor("management.azure.com", acrtest.ProxyOK)
			proxy := tc.proxy
			if proxy == "" {
				proxy = k.ProxyURL
			}
			before := len(k.Requests(acrtest.Filter{Service: "proxy", Host: "management.azure.com:443"}))
			c := azure.New(renew.Credential(kitSource{k, "ci-sp"}), azure.WithTransport(proxyClient(t, k, proxy)))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{})
			took := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Find = %v; want an error saying %q", err, tc.want)
			}
			if took > 400*time.Millisecond {
				t.Errorf("Find took %v: the refusal was retried", took)
			}
			// Find asks Resource Graph and the subscription list at once: one CONNECT each.
			if n := len(k.Requests(acrtest.Filter{Service: "proxy", Host: "management.azure.com:443"})) - before; tc.proxy == "" && n > 2 {
				t.Errorf("%d CONNECTs to management.azure.com; want one per request", n)
			}
		})
	}
}

func TestTransientAnswersAreRetried(t *testing.T) {
	k := startKit(t)
	c := client(k, "ci-sp")
	ctx := context.Background()
	k.SetARMUnavailable(1)
	if _, err := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID}); err != nil {
		t.Errorf("one 503 is retried: %v", err)
	}
	k.SetARMThrottle(1)
	if _, err := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID}); err != nil {
		t.Errorf("one 429 with Retry-After 1 s is retried: %v", err)
	}

	// A Retry-After beyond the deadline: the throttling is the answer, now, not a deadline run out later.
	k.SetARMThrottle(1)
	k.SetARMRetryAfter(4 * time.Second)
	defer k.SetARMRetryAfter(0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID})
	if err == nil || !strings.Contains(err.Error(), "429") || time.Since(start) > time.Second {
		t.Errorf("429 with Retry-After 4 s and 2 s left: %v after %v; want the throttling at once", err, time.Since(start))
	}
}
