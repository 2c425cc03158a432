package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// fakeDocker answers StoredAuth with what acrdiag's helper gave, and the config path and daemon info it holds.
type fakeDocker struct {
	auth   StoredAuth
	err    error
	config string
	info   DaemonInfo
}

func (fakeDocker) ClientVersion(context.Context) (string, error) { return "28.2.2", nil }
func (f fakeDocker) Info(context.Context) (DaemonInfo, error)    { return f.info, nil }
func (f fakeDocker) StoredAuth(string) (StoredAuth, error)       { return f.auth, f.err }
func (f fakeDocker) ConfigPath() string                          { return f.config }

type textError string

func (e textError) Error() string { return string(e) }

// TestCredentialsCheckTakesTheHelpersCause: the cause of a failing acrdiag helper comes from its whole error or
// its failure record, however long its detail; another helper's failure, or an unknown tag, is the store's.
func TestCredentialsCheckTakesTheHelpersCause(t *testing.T) {
	const host = "firewalled.azurecr.io"
	bin := testfs.TempDir(t) // the helpers are installed: what they answer is the question
	for _, name := range []string{"docker-credential-acrdiag", "docker-credential-pass"} {
		if err := os.WriteFile(filepath.Join(bin, testfs.ExeName(name)), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	long := "error getting credentials - err: exit status 1, out: `acrdiag: no credentials for " + host + ": the registry's firewall refuses this client (" +
		strings.Repeat("exchange an Entra token with firewalled.azurecr.io: HTTP 403 DENIED: client with IP '127.0.0.1' is not allowed access ", 4) +
		"). Fix: Allow this client's IP. Details: docker acrcheck " + host + " [network.firewall_denied]`"
	dir := testfs.TempDir(t)
	record := func(id string, at time.Time) {
		if err := lastfailure.Add(dir, lastfailure.Record{Time: at, Host: host, Action: "get", Cause: id, Detail: "recorded " + id}); err != nil {
			t.Fatal(err)
		}
	}
	acrdiag := StoredAuth{Source: "credHelpers: acrdiag", Helper: "acrdiag"}
	tests := []struct {
		name   string
		auth   StoredAuth
		err    string
		record string // a record written while the check asks; "-" an old one
		want   string
		detail string
	}{
		{"the tag after a detail longer than a summary", acrdiag, long, "", cause.NetworkFirewallDenied, "HTTP 403 DENIED"},
		{"the tag and the record", acrdiag, long, cause.NetworkFirewallDenied, cause.NetworkFirewallDenied, "recorded network.firewall_denied"},
		{"the record when the text has no tag", acrdiag, "error getting credentials - err: signal: killed", cause.AuthzPullDenied, cause.AuthzPullDenied, "recorded authz.pull_denied"},
		{"an old record is not this failure", acrdiag, "error getting credentials - err: signal: killed", "-", cause.DockerCredentialStore, "killed"},
		{"an unknown tag", acrdiag, "out: `[nothing.known]`", "", cause.DockerCredentialStore, "nothing.known"},
		{"the cause unknown", acrdiag, "out: `acrdiag: ... [unknown]`", "", cause.Unknown, ""},
		{"another helper's failure", StoredAuth{Source: "credsStore: pass", Helper: "pass"}, "pass: gpg: decryption failed [network.firewall_denied]", "", cause.DockerCredentialStore, "gpg"},
	}
	for _, tt := range tests {
		e := NewEnv(Options{Registry: host}, config.Config{CacheDir: testfs.TempDir(t)}, fakeDocker{auth: tt.auth, err: textError(tt.err)})
		dir = e.Config.CacheDir
		switch tt.record {
		case "":
		case "-":
			record(cause.NetworkFirewallDenied, time.Now().Add(-time.Hour))
		default:
			record(tt.record, time.Now().Add(time.Second)) // the helper writes it while StoredAuth runs
		}
		e.start(context.Background(), time.Second)
		r := credentialsCheck(context.Background(), e)
		if r.Status != Fail || r.Cause != tt.want || !strings.Contains(r.Detail, tt.detail) || r.Fix == "" {
			t.Errorf("%s: %s %q [%s] %q, want %s with %q", tt.name, r.Status, r.Summary, r.Cause, r.Detail, tt.want, tt.detail)
		}
	}
}

// TestCredentialsCheckReportsATruncatedToken: a token a store cut at the Windows Credential Manager's limit
// fails the check, naming the store and the size, never the secret.
func TestCredentialsCheckReportsATruncatedToken(t *testing.T) {
	const host = "corpreg.azurecr.io"
	cut := "eyJ" + strings.Repeat("A", jwt.WinCredMaxSecret-3)
	e := NewEnv(Options{Registry: host}, config.Config{CacheDir: testfs.TempDir(t)},
		fakeDocker{auth: StoredAuth{Source: "config.json auths", Username: loginserver.EmptyGUID, Secret: cut}})
	e.start(context.Background(), time.Second)
	r := credentialsCheck(context.Background(), e)
	if r.Status != Fail || r.Cause != cause.DockerCredentialStore || !strings.Contains(r.Summary, "cut short (2560 bytes)") ||
		!strings.Contains(r.Summary, "config.json auths") || strings.Contains(r.Summary+r.Detail+r.Fix, cut[:20]) {
		t.Errorf("%s [%s] %q %q", r.Status, r.Cause, r.Summary, r.Detail)
	}
}
