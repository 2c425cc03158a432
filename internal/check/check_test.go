package check

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestNoProxyCovers(t *testing.T) {
	for _, tt := range []struct {
		noProxy, host string
		want          bool
	}{
		{"localhost,127.0.0.1", "r.azurecr.io", false},
		{".azurecr.io", "r.azurecr.io", true},
		{"*.azurecr.io", "r.azurecr.io", true},
		{"r.azurecr.io", "r.azurecr.io", true},
		{"azurecr.io", "r.azurecr.io", true},
		{"evilazurecr.io", "r.azurecr.io", false},
	} {
		if got := noProxyCovers(tt.noProxy, tt.host); got != tt.want {
			t.Errorf("noProxyCovers(%q, %q) = %v", tt.noProxy, tt.host, got)
		}
	}
}

func TestIsPrivate(t *testing.T) {
	for ip, want := range map[string]bool{"10.0.0.7": true, "172.16.4.4": true, "192.168.1.1": true, "100.64.0.9": true, "20.45.122.144": false, "8.8.8.8": false} {
		if got := isPrivate(net.ParseIP(ip)); got != want {
			t.Errorf("isPrivate(%s) = %v", ip, got)
		}
	}
}

// TestResultsAreRedacted: a token an upstream error quoted never reaches a diagnosis result (the identity
// check quotes Entra's and the registry's answers).
func TestResultsAreRedacted(t *testing.T) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	c := Check{ID: "identity", Run: func(context.Context, *Env) Result {
		return Result{Status: Fail, Summary: "the token " + token + " was refused", Detail: "AADSTS50013: assertion " + token + " is invalid"}
	}}
	r := runOne(context.Background(), &Env{}, c, time.Second)
	if strings.Contains(r.Summary+r.Detail, "eyJ") || !strings.Contains(r.Detail, "<token redacted>") {
		t.Errorf("result %+v", r)
	}
}
