package netproxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestTransportNamesTheRefusal(t *testing.T) {
	for _, tc := range []struct {
		status        int
		header, body  string
		want          string
		cannotResolve bool
	}{
		{http.StatusForbidden, "", "Forbidden by proxy policy\n", "403 Forbidden (Forbidden by proxy policy)", false},
		{http.StatusBadGateway, "", "dial tcp: lookup nosuch.azurecr.io: no such host", "502 Bad Gateway (dial tcp: lookup nosuch.azurecr.io: no such host)", true},
		{http.StatusServiceUnavailable, "ERR_DNS_FAIL 0", "<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body>...</body></html>",
			"503 Service Unavailable (ERR_DNS_FAIL 0: ERROR: The requested URL could not be retrieved)", true},
		{http.StatusProxyAuthRequired, "", "", "407 Proxy Authentication Required", false},
		{http.StatusForbidden, "", "denied (policy 12)", "403 Forbidden (denied [policy 12])", false},
	} {
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("X-Squid-Error", tc.header)
			}
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		pu, _ := url.Parse(proxy.URL)
		tr := Transport()
		tr.Proxy = http.ProxyURL(pu)
		resp, err := (&http.Client{Transport: tr}).Get("https://myregistry.azurecr.io/v2/")
		if err == nil {
			_ = resp.Body.Close()
		}
		proxy.Close()
		var re *RefusedError
		if !errors.As(err, &re) {
			t.Fatalf("%d: %v is not a RefusedError", tc.status, err)
		}
		want := "the proxy " + pu.Host + " refused CONNECT myregistry.azurecr.io:443: " + tc.want
		if re.Error() != want || re.Code() != tc.status || re.TargetHost() != "myregistry.azurecr.io" || re.CannotResolve() != tc.cannotResolve {
			t.Errorf("%d: %q (code %d, host %s, cannot resolve %v), want %q", tc.status, re.Error(), re.Code(), re.TargetHost(), re.CannotResolve(), want)
		}
		// The Azure SDK keeps only the text: it reads back the same.
		wrapped := fmt.Sprintf("ClientSecretCredential: Post \"https://login.microsoftonline.com/t/oauth2/v2.0/token\": %s\n\tmore", err)
		back, ok := FromText(wrapped)
		if !ok || *back != *re {
			t.Errorf("%d: FromText = %+v %v, want %+v", tc.status, back, ok, re)
		}
		if _, ok := FromText(strings.ReplaceAll(wrapped, "refused CONNECT", "said")); ok {
			t.Errorf("FromText found a refusal in other text")
		}
	}
}

func TestRefusedErrorIsNotRetried(t *testing.T) {
	var nr interface{ NonRetriable() }
	if !errors.As(fmt.Errorf("x: %w", &RefusedError{}), &nr) {
		t.Error("the Azure SDK would retry a refusal")
	}
}
