package helper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

type fakeRenewer struct {
	res engineproc.RenewResult
	err error
}

func (f fakeRenewer) Renew(context.Context, loginserver.LoginServer) (engineproc.RenewResult, error) {
	return f.res, f.err
}

// lockedCache is a cache whose entry another process is renewing for longer than this one waits.
type lockedCache struct{ tokencache.NullCache }

func (lockedCache) Fill(host, _ string, _ func(tokencache.Entry) bool, _ func() (tokencache.Entry, error)) (tokencache.Entry, error) {
	return tokencache.Entry{}, &tokencache.LockedError{Host: host, Path: "/cache/token-x.json.lock", Waited: time.Minute}
}

type emptyStore struct{}

func (emptyStore) Add(*credentials.Credentials) error { return nil }
func (emptyStore) Delete(string) error                { return nil }
func (emptyStore) Get(string) (string, string, error) {
	return "", "", credentials.NewErrCredentialsNotFound()
}
func (emptyStore) List() (map[string]string, error) { return map[string]string{}, nil }

// TestGetNamesItsOwnFailures: the helper's own failures (no engine, an engine that cannot run, an invalid
// configuration, a lock wait that ran out, an error nothing recognises) each get their cause, never the
// credential store's; no identity answers "not found", so that anonymous pulls still work.
func TestGetNamesItsOwnFailures(t *testing.T) {
	const host = "myregistry.azurecr.io"
	notStarted := &engineproc.Error{Path: "/opt/acrdiag", Err: &os.PathError{Op: "fork/exec", Path: "/opt/acrdiag", Err: os.ErrPermission}, NotStarted: true}
	badConfig := &config.FileError{Path: "/home/u/.config/acrdiag/config.json", Err: errors.New("invalid JSON at line 3, column 2: invalid character '}'")}
	tests := []struct {
		name     string
		renewer  Renewer
		cache    tokencache.Cache
		cfgErr   error
		cause    string
		evidence string
	}{
		{"no engine", fakeRenewer{err: engineproc.ErrNotFound}, nil, nil, cause.EngineMissing, "not installed"},
		{"an engine that cannot run", fakeRenewer{err: notStarted}, nil, nil, cause.EngineMissing, "/opt/acrdiag cannot be run"},
		{"an engine that gives no result", fakeRenewer{err: &engineproc.Error{Path: "/opt/acrdiag", Err: errors.New("exit status 2 unknown command")}}, nil, nil, cause.Unknown, "gave no result"},
		{"an invalid configuration", fakeRenewer{}, nil, badConfig, cause.ConfigInvalid, "config.json: invalid JSON at line 3, column 2"},
		{"a lock wait that ran out", fakeRenewer{}, lockedCache{}, nil, cause.CacheLocked, "waited 1m0s"},
		{"no identity", fakeRenewer{res: engineproc.RenewResult{Cause: cause.AuthNoIdentity, Detail: "no credential of the chain has an identity"}}, nil, nil, cause.AuthNoIdentity, ""},
	}
	for _, tt := range tests {
		dir := testfs.TempDir(t)
		cache := tt.cache
		if cache == nil {
			cache = tokencache.NullCache{}
		}
		h := New(WithConfig(config.Config{CacheDir: dir}, tt.cfgErr), WithStore(emptyStore{}), WithCache(cache), WithRenewer(tt.renewer), WithStderr(io.Discard))
		_, _, err := h.Get(host)
		rec, _ := lastfailure.Last(dir, host)
		if rec.Cause != tt.cause || !strings.Contains(rec.Detail, tt.evidence) {
			t.Errorf("%s: recorded %s %q, want %s with %q", tt.name, rec.Cause, rec.Detail, tt.cause, tt.evidence)
		}
		if tt.cause == cause.AuthNoIdentity {
			if !credentials.IsErrCredentialsNotFound(err) {
				t.Errorf("%s: get = %v, want not found", tt.name, err)
			}
			continue
		}
		var he *Error
		if !errors.As(err, &he) || he.Cause != tt.cause || !strings.Contains(err.Error(), tt.evidence) || !strings.Contains(err.Error(), "["+tt.cause+"]") {
			t.Errorf("%s: get = %v, want an error naming %s", tt.name, err, tt.cause)
		}
	}
}

func TestRenewerFailureOutOfTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if e := renewerFailure(ctx, "r.azurecr.io", fmt.Errorf("wait: %w", context.Canceled)); e.Cause != cause.NetworkTimeout {
		t.Errorf("renewal cut short = %s", e.Cause)
	}
}

func TestEngineRenewMissingEngine(t *testing.T) {
	t.Setenv("ACRDIAG_ENGINE", filepath.Join(testfs.TempDir(t), "nothing-here"))
	_, err := engineproc.Renew(context.Background(), loginserver.LoginServer{Host: "r.azurecr.io"})
	if e := renewerFailure(context.Background(), "r.azurecr.io", err); e.Cause != cause.EngineMissing || !strings.Contains(e.Detail, "ACRDIAG_ENGINE names") {
		t.Errorf("ACRDIAG_ENGINE naming nothing: %v", e)
	}
	notExec := filepath.Join(testfs.TempDir(t), "acrdiag")
	if err := os.WriteFile(notExec, []byte("not a program"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ACRDIAG_ENGINE", notExec)
	_, err = engineproc.Renew(context.Background(), loginserver.LoginServer{Host: "r.azurecr.io"})
	if e := renewerFailure(context.Background(), "r.azurecr.io", err); e.Cause != cause.EngineMissing || !strings.Contains(e.Detail, "cannot be run") {
		t.Errorf("an engine that is not executable: %v", e)
	}
}
