package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/explain"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestHookChoosesRegistryAndCause: the hook explains the registry the failing command used, with that
// registry's own failure record, and treats a build as the pull it starts with.
func TestHookChoosesRegistryAndCause(t *testing.T) {
	now := time.Now()
	dir := testfs.TempDir(t)
	if err := lastfailure.Add(dir, lastfailure.Record{Time: now.Add(-3 * time.Minute), Host: "other.azurecr.io", Action: "get",
		Cause: "auth.sp_secret_expired", Detail: "AADSTS7000222: the secret expired"}); err != nil {
		t.Fatal(err)
	}
	hc := func(args ...string) hookContext {
		return hookContext{Now: now, CacheDir: dir, parentArgs: func() []string { return args },
			Machine: &explain.Machine{CacheDir: dir, FailureWithin: recentFailure, Now: now}}
	}
	tests := []struct {
		name      string
		hc        hookContext
		req       hookRequest
		want      string // a line fragment that must be there
		wantNot   string
		wantQuiet bool
	}{
		{"push error naming no registry: the command's registry, not another's failure",
			hc("docker", "push", "mine.azurecr.io/app:1"),
			hookRequest{RootCmd: "push", CommandError: "denied: requested access to the resource is denied"},
			"(authz.push_denied)", "other.azurecr.io", false},
		{"the failing registry's own record explains its bare 401",
			hc("docker", "pull", "other.azurecr.io/app:1"),
			hookRequest{RootCmd: "pull", CommandError: `Head "https://other.azurecr.io/v2/app/manifests/1": unauthorized: authentication required`},
			"(auth.sp_secret_expired)", "", false},
		{"a build's base-image pull needs pull rights, not AcrPush",
			hc("docker", "build", "-t", "app", "."),
			hookRequest{RootCmd: "build", CommandError: `failed to solve: mine.azurecr.io/base:1: failed to resolve source metadata for mine.azurecr.io/base:1: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://mine.azurecr.io/oauth2/token?scope=repository%3Abase%3Apull&service=mine.azurecr.io: 401 Unauthorized`},
			"(authz.pull_denied)", "AcrPush", false},
		{"a bare 401 with nothing known: unknown, the candidates and the next command",
			hc("docker", "pull", "mine.azurecr.io/app:1"),
			hookRequest{RootCmd: "pull", CommandError: `Head "https://mine.azurecr.io/v2/app/manifests/1": unauthorized: authentication required`},
			"Possible: ", "(authz.push_denied)", false},
		{"a daemon error is not about a registry",
			hc("docker", "pull", "mine.azurecr.io/app:1"),
			hookRequest{RootCmd: "pull", CommandError: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"},
			"", "", true},
	}
	for _, tt := range tests {
		lines := tt.hc.message(tt.req)
		msg := strings.Join(lines, "\n")
		switch {
		case tt.wantQuiet && len(lines) != 0:
			t.Errorf("%s: spoke:\n%s", tt.name, msg)
		case !tt.wantQuiet && !strings.Contains(msg, tt.want):
			t.Errorf("%s: lacks %q:\n%s", tt.name, tt.want, msg)
		case tt.wantNot != "" && strings.Contains(msg, tt.wantNot):
			t.Errorf("%s: mentions %q:\n%s", tt.name, tt.wantNot, msg)
		case len(lines) > 10:
			t.Errorf("%s: %d lines", tt.name, len(lines))
		}
	}
}

// FuzzHookMessage: whatever a failing command printed, the hook answers in at most 10 lines and never
// repeats a token the error quoted.
func FuzzHookMessage(f *testing.F) {
	f.Add("push", `denied: requested access to the resource is denied`)
	f.Add("pull", `Head "https://mine.azurecr.io/v2/app/manifests/1": unauthorized: authentication required eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl`)
	f.Add("login", "\x1b[31mError\x1b[0m: x509: certificate signed by unknown authority\r\n")
	dir := testfs.TempDir(f)
	hc := hookContext{Now: time.Now(), CacheDir: dir, parentArgs: func() []string { return []string{"docker", "pull", "mine.azurecr.io/app:1"} },
		Machine: &explain.Machine{CacheDir: dir, FailureWithin: recentFailure}}
	f.Fuzz(func(t *testing.T, rootCmd, commandError string) {
		lines := hc.message(hookRequest{RootCmd: rootCmd, CommandError: commandError})
		if len(lines) > 10 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if strings.Contains(l, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0") || strings.Contains(l, "\n") {
				t.Fatalf("line %q", l)
			}
		}
	})
}
