package helper

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

// scriptedRenewer answers every renewal with what answer returns, and counts them.
type scriptedRenewer struct {
	n      atomic.Int32
	delay  time.Duration
	answer func() (engineproc.RenewResult, error)
}

func (c *scriptedRenewer) Renew(context.Context, loginserver.LoginServer) (engineproc.RenewResult, error) {
	c.n.Add(1)
	time.Sleep(c.delay)
	return c.answer()
}

// renewalHelper is a helper with a real file cache, a clock the test moves, and a log.
type renewalHelper struct {
	*Helper
	now     time.Time
	mu      sync.Mutex
	dir     string
	logFile string
}

func newRenewalHelper(t *testing.T, r Renewer) *renewalHelper {
	t.Helper()
	rh := &renewalHelper{now: time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC), dir: testfs.TempDir(t)}
	rh.logFile = filepath.Join(rh.dir, "helper.log")
	clock := func() time.Time { rh.mu.Lock(); defer rh.mu.Unlock(); return rh.now }
	cache := &tokencache.FileCache{Dir: rh.dir, Now: clock}
	rh.Helper = New(WithConfig(config.Config{CacheDir: rh.dir, LogFile: rh.logFile}, nil), WithStore(emptyStore{}),
		WithCache(cache), WithRenewer(r), WithClock(clock), WithStderr(io.Discard))
	rh.identity = func(loginserver.LoginServer) string { return "id" }
	return rh
}

func (rh *renewalHelper) advance(d time.Duration) {
	rh.mu.Lock()
	rh.now = rh.now.Add(d)
	rh.mu.Unlock()
}

func (rh *renewalHelper) log() string { b, _ := os.ReadFile(rh.logFile); return string(b) }

const renewHost = "myregistry.azurecr.io"

// TestTokenLifetimeDecisions: what the helper does with a token by the life it has left when the registry
// issues it: a normal one is cached until the margin, a short-lived one until ShortLivedMargin before it
// expires (and the log says the registry hands out short-lived tokens), one that expires within that or has
// expired is refused as auth.token_expired with the fix.
func TestTokenLifetimeDecisions(t *testing.T) {
	tests := []struct {
		name      string
		life      time.Duration
		refused   bool
		evidence  string // in the error or the log
		renewals3 int32  // renewals for three gets a minute apart
	}{
		{"normal", 3 * time.Hour, false, "valid until", 1},
		{"short-lived", 20 * time.Minute, false, "hands out short-lived tokens", 1},
		{"expires within the short margin", 90 * time.Second, true, "too soon", 3},
		{"already expired", -time.Minute, true, "clock", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rh *renewalHelper
			r := &scriptedRenewer{answer: func() (engineproc.RenewResult, error) {
				return engineproc.RenewResult{RefreshToken: "refresh-token", ExpiresOn: rh.now.Add(tt.life), Principal: "ci-sp"}, nil
			}}
			rh = newRenewalHelper(t, r)
			for i := range 3 {
				user, secret, err := rh.Get(renewHost)
				if tt.refused {
					var he *Error
					if !errors.As(err, &he) || he.Cause != cause.AuthTokenExpired || !strings.Contains(err.Error(), tt.evidence) || !strings.Contains(err.Error(), "Fix: ") {
						t.Fatalf("get %d = %v, want auth.token_expired with %q and the fix", i, err, tt.evidence)
					}
					if rec, _ := lastfailure.Last(rh.dir, renewHost); rec.Cause != cause.AuthTokenExpired {
						t.Errorf("record %+v", rec)
					}
				} else if err != nil || user != loginserver.EmptyGUID || secret != "refresh-token" {
					t.Fatalf("get %d = %q %q %v", i, user, secret, err)
				}
				rh.advance(time.Minute)
				rh.advance(tokencache.MaxFailureShare) // a refusal shared with other calls has lapsed by the next
			}
			if n := r.n.Load(); n != tt.renewals3 {
				t.Errorf("three gets renewed %d times, want %d", n, tt.renewals3)
			}
			if log := rh.log(); !tt.refused && !strings.Contains(log, tt.evidence) {
				t.Errorf("log %q does not say %q", log, tt.evidence)
			}
			if short := strings.Contains(rh.log(), "short-lived"); short != (tt.name == "short-lived") {
				t.Errorf("log %q: short-lived said = %v", rh.log(), short)
			}
		})
	}
}

// TestShortLivedTokenIsRenewedBeforeItExpires: a short-lived token is served until ShortLivedMargin before its
// expiry, then renewed.
func TestShortLivedTokenIsRenewedBeforeItExpires(t *testing.T) {
	var rh *renewalHelper
	r := &scriptedRenewer{answer: func() (engineproc.RenewResult, error) {
		return engineproc.RenewResult{RefreshToken: "refresh-token", ExpiresOn: rh.now.Add(20 * time.Minute)}, nil
	}}
	rh = newRenewalHelper(t, r)
	for _, at := range []time.Duration{0, 10 * time.Minute, 17*time.Minute + 59*time.Second} {
		rh.now = time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC).Add(at)
		if _, _, err := rh.Get(renewHost); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.n.Load(); n != 1 {
		t.Errorf("renewals within the token's usable life = %d, want 1", n)
	}
	rh.advance(time.Second) // 18 minutes: 2 minutes before it expires
	if _, _, err := rh.Get(renewHost); err != nil || r.n.Load() != 2 {
		t.Errorf("at ShortLivedMargin before expiry: %v, renewals %d, want a renewal", err, r.n.Load())
	}
}

// TestRenewalFailuresAreShared: the first failed renewal answers the calls waiting for it and those that come
// soon after, at once and with its cause, without renewing again: 30 s, or the Retry-After of a throttling
// registry; a failure found without asking anyone (no engine, an invalid configuration) or a refusal of the
// proxy is not shared.
func TestRenewalFailuresAreShared(t *testing.T) {
	throttled := func() (engineproc.RenewResult, error) {
		return engineproc.RenewResult{Cause: cause.RegistryThrottled, Detail: "exchange an Entra token with " + renewHost +
			": HTTP 429 TOOMANYREQUESTS: Too many requests. (retry after 45s) (correlation id 1234)"}, nil
	}
	t.Run("concurrent calls", func(t *testing.T) {
		r := &scriptedRenewer{delay: 100 * time.Millisecond, answer: throttled}
		rh := newRenewalHelper(t, r)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, _, errs[i] = rh.Get(renewHost) }()
		}
		wg.Wait()
		if n := r.n.Load(); n != 1 {
			t.Errorf("8 concurrent gets of a throttling registry renewed %d times, want 1", n)
		}
		for i, err := range errs {
			var he *Error
			if !errors.As(err, &he) || he.Cause != cause.RegistryThrottled || !strings.Contains(err.Error(), "retry after 45s") {
				t.Errorf("get %d = %v, want registry.throttled with the Retry-After", i, err)
			}
		}
	})
	t.Run("Retry-After", func(t *testing.T) {
		r := &scriptedRenewer{answer: throttled}
		rh := newRenewalHelper(t, r)
		_, _, _ = rh.Get(renewHost)
		rh.advance(44 * time.Second)
		_, _, err := rh.Get(renewHost)
		if r.n.Load() != 1 || err == nil || !strings.Contains(err.Error(), "[registry.throttled]") ||
			!strings.Contains(err.Error(), "asks the registry again after "+time.Date(2026, 1, 2, 15, 0, 45, 0, time.UTC).Local().Format("15:04:05")) {
			t.Errorf("44s later: renewals %d, %v; want the shared failure saying when acrdiag asks again", r.n.Load(), err)
		}
		if rec, _ := lastfailure.Last(rh.dir, renewHost); rec.Cause != cause.RegistryThrottled {
			t.Errorf("record %+v", rec)
		}
		rh.advance(2 * time.Second)
		_, _, _ = rh.Get(renewHost)
		if r.n.Load() != 2 {
			t.Errorf("after the Retry-After: renewals %d, want 2", r.n.Load())
		}
	})
	t.Run("30 s", func(t *testing.T) {
		r := &scriptedRenewer{answer: func() (engineproc.RenewResult, error) {
			return engineproc.RenewResult{Cause: cause.NetworkTimeout, Detail: "exchange an Entra token with " + renewHost + ": timeout awaiting response headers"}, nil
		}}
		rh := newRenewalHelper(t, r)
		_, _, _ = rh.Get(renewHost)
		rh.advance(29 * time.Second)
		if _, _, err := rh.Get(renewHost); r.n.Load() != 1 || !strings.Contains(err.Error(), "[network.timeout]") {
			t.Errorf("29s later: renewals %d, %v", r.n.Load(), err)
		}
		rh.advance(2 * time.Second)
		_, _, _ = rh.Get(renewHost)
		if r.n.Load() != 2 {
			t.Errorf("31s later: renewals %d, want 2", r.n.Load())
		}
	})
	t.Run("no identity answers not found, shared", func(t *testing.T) {
		r := &scriptedRenewer{answer: func() (engineproc.RenewResult, error) {
			return engineproc.RenewResult{Cause: cause.AuthNoIdentity, Detail: "no credential of the chain has an identity"}, nil
		}}
		rh := newRenewalHelper(t, r)
		for range 2 {
			if _, _, err := rh.Get(renewHost); !credentials.IsErrCredentialsNotFound(err) {
				t.Errorf("get = %v, want not found", err)
			}
		}
		if r.n.Load() != 1 {
			t.Errorf("renewals %d, want 1", r.n.Load())
		}
	})
	t.Run("local failures are not shared", func(t *testing.T) {
		for _, answer := range []func() (engineproc.RenewResult, error){
			func() (engineproc.RenewResult, error) { return engineproc.RenewResult{}, engineproc.ErrNotFound },
			func() (engineproc.RenewResult, error) {
				return engineproc.RenewResult{Cause: cause.ConfigInvalid, Detail: "configuration file x: invalid JSON"}, nil
			},
			func() (engineproc.RenewResult, error) {
				return engineproc.RenewResult{Cause: cause.NetworkProxyError, Detail: "the proxy 127.0.0.1:3128 refused CONNECT " + renewHost + ":443: 403 Forbidden"}, nil
			},
		} {
			r := &scriptedRenewer{answer: answer}
			rh := newRenewalHelper(t, r)
			_, _, _ = rh.Get(renewHost)
			_, _, _ = rh.Get(renewHost)
			if r.n.Load() != 2 {
				t.Errorf("a local failure was shared: renewals %d, want 2", r.n.Load())
			}
		}
	})
}

func TestRetryAfter(t *testing.T) {
	for detail, want := range map[string]time.Duration{
		"HTTP 429 TOOMANYREQUESTS: Too many requests. (retry after 45s) (correlation id x)": 45 * time.Second,
		"(retry after 0s)":          0,
		"retry after 86400s":        86400 * time.Second,
		"retry after Wed, 21 Oct s": 0,
		"no hint":                   0,
	} {
		if got := retryAfter(detail); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", detail, got, want)
		}
	}
}

// TestSharedFailureHoldsNoSecret: what a failure shares through the cache is redacted like every record.
func TestSharedFailureHoldsNoSecret(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDAsImlzcyI6InRlc3QifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	r := &scriptedRenewer{answer: func() (engineproc.RenewResult, error) {
		return engineproc.RenewResult{Cause: cause.Unknown, Detail: "the registry echoed " + jwt}, nil
	}}
	rh := newRenewalHelper(t, r)
	_, _, _ = rh.Get(renewHost)
	files, _ := filepath.Glob(filepath.Join(rh.dir, "token-*.json.failure"))
	if len(files) != 1 {
		t.Fatalf("shared failures %v, want 1", files)
	}
	if b, _ := os.ReadFile(files[0]); strings.Contains(string(b), jwt) || !strings.Contains(string(b), "redacted") {
		t.Errorf("the shared failure holds the token: %s", b)
	}
}
