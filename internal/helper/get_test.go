package helper

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// memoryStore is the backing store in memory, as docker-credential-helpers tests with its client mock.
type memoryStore map[string]*credentials.Credentials

func (m memoryStore) Add(c *credentials.Credentials) error { m[c.ServerURL] = c; return nil }
func (m memoryStore) Delete(s string) error                { delete(m, s); return nil }
func (m memoryStore) Get(s string) (string, string, error) {
	if c, ok := m[s]; ok {
		return c.Username, c.Secret, nil
	}
	return "", "", credentials.NewErrCredentialsNotFound()
}
func (m memoryStore) List() (map[string]string, error) {
	out := map[string]string{}
	for k, c := range m {
		out[k] = c.Username
	}
	return out, nil
}

// countingRenewer is a fake engine that counts its renewals.
type countingRenewer struct {
	res   engineproc.RenewResult
	calls int
}

func (c *countingRenewer) Renew(context.Context, loginserver.LoginServer) (engineproc.RenewResult, error) {
	c.calls++
	return c.res, nil
}

func acrToken(t *testing.T, exp time.Time) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"iss": jwt.ACRIssuer, "exp": exp.Unix(), "grant_type": "refresh_token"})
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc(b) + ".c2ln"
}

// TestGetAndStoreDecisions: the helper's choices on get and store, in process, with a memory store and a
// fake engine: which answer, whether the engine is asked, what is recorded.
func TestGetAndStoreDecisions(t *testing.T) {
	const host = "corpreg.azurecr.io"
	now := time.Now()
	valid, expired, fresh := acrToken(t, now.Add(2*time.Hour)), acrToken(t, now.Add(-time.Hour)), acrToken(t, now.Add(3*time.Hour))
	tests := []struct {
		name       string
		server     string
		stored     *credentials.Credentials
		renew      engineproc.RenewResult
		wantUser   string
		wantSecret string
		wantErr    string // "not found" for the not-found answer
		renewals   int
		recorded   string
	}{
		{"not ACR: the store's answer, no engine", "ghcr.io", nil, engineproc.RenewResult{}, "", "", "not found", 0, ""},
		{"a look-alike is not ACR", host + ".evil.example", nil, engineproc.RenewResult{}, "", "", "not found", 0, ""},
		{"a stored valid token, under the empty GUID", "https://" + host + "/v2/", &credentials.Credentials{ServerURL: host, Username: "<token>", Secret: valid},
			engineproc.RenewResult{}, loginserver.EmptyGUID, valid, "", 0, ""},
		{"a stored password is handed out as is", host, &credentials.Credentials{ServerURL: host, Username: "corpreg", Secret: "admin-password"},
			engineproc.RenewResult{}, "corpreg", "admin-password", "", 0, ""},
		{"a stored expired token is renewed from the identity", host, &credentials.Credentials{ServerURL: host, Username: loginserver.EmptyGUID, Secret: expired},
			engineproc.RenewResult{RefreshToken: fresh, ExpiresOn: now.Add(3 * time.Hour)}, loginserver.EmptyGUID, fresh, "", 1, ""},
		{"a stored expired token without identity: not found, recorded", host, &credentials.Credentials{ServerURL: host, Username: loginserver.EmptyGUID, Secret: expired},
			engineproc.RenewResult{Cause: cause.AuthNoIdentity, Detail: "no identity"}, "", "", "not found", 1, cause.AuthTokenExpired},
		{"no role but anonymous pull allowed: not found", host, nil,
			engineproc.RenewResult{Cause: cause.AuthzPullDenied, Detail: "no role", AnonymousPull: true}, "", "", "not found", 1, cause.AuthzPullDenied},
		{"no role and no anonymous pull: the error names the cause", host, nil,
			engineproc.RenewResult{Cause: cause.AuthzPullDenied, Detail: "no role"}, "", "", "[" + cause.AuthzPullDenied + "]", 1, cause.AuthzPullDenied},
		{"a token that is already expired when issued", host, nil,
			engineproc.RenewResult{RefreshToken: expired, ExpiresOn: now.Add(-time.Minute)}, "", "", "[" + cause.AuthTokenExpired + "]", 1, cause.AuthTokenExpired},
	}
	for _, tt := range tests {
		dir := testfs.TempDir(t)
		store := memoryStore{}
		if tt.stored != nil {
			store[tt.stored.ServerURL] = tt.stored
		}
		r := &countingRenewer{res: tt.renew}
		h := New(WithConfig(config.Config{CacheDir: dir}, nil), WithStore(store), WithCache(tokencache.NullCache{}), WithRenewer(r), WithStderr(io.Discard))
		user, secret, err := h.Get(tt.server)
		switch {
		case tt.wantErr == "not found" && !credentials.IsErrCredentialsNotFound(err):
			t.Errorf("%s: err = %v, want not found", tt.name, err)
		case tt.wantErr != "" && tt.wantErr != "not found" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || user != tt.wantUser || secret != tt.wantSecret):
			t.Errorf("%s: %q, %.20q, %v; want %q and the secret", tt.name, user, secret, err, tt.wantUser)
		}
		if r.calls != tt.renewals {
			t.Errorf("%s: %d renewals, want %d", tt.name, r.calls, tt.renewals)
		}
		rec, ok := lastfailure.Last(dir, "")
		if got := map[bool]string{true: rec.Cause}[ok]; got != tt.recorded {
			t.Errorf("%s: recorded %q, want %q", tt.name, got, tt.recorded)
		}
		if err != nil && (strings.Contains(err.Error(), "eyJ") || strings.Contains(rec.Detail, "eyJ")) {
			t.Errorf("%s: a token in the error or the record", tt.name)
		}
	}
}

// TestStoreFixesTheTokenUsername: docker login with a token under another username is stored under the
// empty GUID, said on stderr and recorded; store never fails on ordinary input.
func TestStoreFixesTheTokenUsername(t *testing.T) {
	dir := testfs.TempDir(t)
	store := memoryStore{}
	var stderr strings.Builder
	h := New(WithConfig(config.Config{CacheDir: dir}, nil), WithStore(store), WithCache(tokencache.NullCache{}), WithRenewer(&countingRenewer{}), WithStderr(&stderr))
	tok := acrToken(t, time.Now().Add(time.Hour))
	if err := h.Add(&credentials.Credentials{ServerURL: "https://corpreg.azurecr.io", Username: "ci-user", Secret: tok}); err != nil {
		t.Fatal(err)
	}
	c := store["corpreg.azurecr.io"]
	if c == nil || c.Username != loginserver.EmptyGUID || !strings.Contains(stderr.String(), cause.AuthWrongTokenUsername) || strings.Contains(stderr.String(), tok) {
		t.Errorf("stored %+v; stderr %q", c, stderr.String())
	}
	if rec, _ := lastfailure.Last(dir, "corpreg.azurecr.io"); rec.Cause != cause.AuthWrongTokenUsername {
		t.Errorf("recorded %+v", rec)
	}
	for _, c := range []*credentials.Credentials{{ServerURL: "ghcr.io", Username: "u", Secret: "p"}, {ServerURL: "corpreg.azurecr.io", Username: "", Secret: ""}} {
		if err := h.Add(c); err != nil {
			t.Errorf("store %+v failed: %v", c, err)
		}
	}
}
