package helper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// tokenUsername is Docker's marker for an identity token.
const tokenUsername = "<token>"

// Renewer gets a fresh ACR refresh token from the machine's identity, or the cause of the failure in the
// result; an error means the renewer itself could not run.
type Renewer interface {
	Renew(ctx context.Context, ls loginserver.LoginServer) (engineproc.RenewResult, error)
}

// RenewerFunc is a function that renews, as a Renewer; the default is engineproc.Renew, the engine.
type RenewerFunc func(ctx context.Context, ls loginserver.LoginServer) (engineproc.RenewResult, error)

// Renew calls f.
func (f RenewerFunc) Renew(ctx context.Context, ls loginserver.LoginServer) (engineproc.RenewResult, error) {
	return f(ctx, ls)
}

// Helper is docker-credential-acrdiag.
type Helper struct {
	cfg      config.Config
	cfgErr   error
	store    Store
	platform Platform
	cache    tokencache.Cache
	renewer  Renewer
	identity func(ls loginserver.LoginServer) string // the cache key of a registry's identity, computed when an ACR host needs it
	now      func() time.Time
	stderr   io.Writer
	timeout  time.Duration

	configured   bool // WithConfig was given
	recordWarned bool // record said it cannot keep failures
}

var _ credentials.Helper = (*Helper)(nil)

// Option configures a Helper.
type Option func(*Helper)

// WithConfig sets the configuration (and the error loading it gave).
func WithConfig(cfg config.Config, err error) Option {
	return func(h *Helper) { h.cfg, h.cfgErr, h.configured = cfg, err, true }
}

// WithStore sets the backing store for `docker login` credentials.
func WithStore(s Store) Option { return func(h *Helper) { h.store = s } }

// WithCache sets the token cache.
func WithCache(c tokencache.Cache) Option { return func(h *Helper) { h.cache = c } }

// WithRenewer sets where fresh tokens come from.
func WithRenewer(r Renewer) Option { return func(h *Helper) { h.renewer = r } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(h *Helper) { h.now = now } }

// WithStderr sets where notes to the user go (Docker passes a helper's stderr through).
func WithStderr(w io.Writer) Option { return func(h *Helper) { h.stderr = w } }

// New returns the helper, with defaults for everything not given: the configuration files and environment,
// the platform keychain or acrdiag's credentials file, the token cache, and the azidentity chain.
func New(opts ...Option) *Helper {
	h := &Helper{now: time.Now, stderr: os.Stderr, timeout: 90 * time.Second, platform: hostPlatform{}}
	for _, o := range opts {
		o(h)
	}
	if !h.configured {
		h.cfg, h.cfgErr = config.Load()
	}
	// The chain the engine will build for the registry: a registry with an identity of its own gets a cache
	// entry of its own.
	h.identity = func(ls loginserver.LoginServer) string { return tokencache.IdentityKey(tokencache.ChainFor(h.cfg, ls)) }
	if h.store == nil {
		h.store = &lazyStore{open: h.defaultStore}
	}
	if h.cache == nil {
		h.cache = &lazyCache{dir: h.cfg.CacheDir, lockTimeout: h.cfg.LockWait()}
	}
	h.timeout += h.cfg.LockWait() // waiting for another helper's renewal leaves this one its full time
	if h.renewer == nil {
		h.renewer = RenewerFunc(engineproc.Renew)
	}
	return h
}

func (h *Helper) defaultStore() Store {
	file := FileStore{Path: filepath.Join(filepath.Dir(config.UserPath()), "credentials.json"), Warn: h.warnf}
	name := h.cfg.Store
	if name == "" || name == "auto" {
		name = platformStore(h.platform)
	}
	if name == "" || name == "file" || name == "acrdiag" {
		return file
	}
	return newLayeredStore(name, h.platform, file, h.warnf)
}

func (h *Helper) warnf(format string, args ...any) {
	_, _ = fmt.Fprintf(h.stderr, format+"\n", args...)
}

// record keeps a failure for `docker acrcheck last` and the hook. A record that cannot be kept (a
// directory, a huge or unreadable file where it goes) is said on stderr with the file and the fix, once
// per process: dropped silently, `docker acrcheck last` would have nothing to explain.
func (h *Helper) record(host, action, cause, detail string) {
	err := lastfailure.Add(h.cfg.CacheDir, lastfailure.Record{Time: h.now(), Host: host, Action: action, Cause: cause, Detail: detail})
	var fe *lastfailure.FileError
	if errors.As(err, &fe) && !h.recordWarned {
		h.recordWarned = true
		h.warnf("acrdiag: this failure was not recorded for docker acrcheck last: %v", err)
	}
	h.logf("%s %s failed: %s: %s", action, host, cause, detail)
}

// logf appends a line to the configured log file (logFile, ACRDIAG_LOG), if any: what the helper did and
// why it failed, never a secret. A log that cannot be written is skipped: logging never breaks a login.
func (h *Helper) logf(format string, args ...any) {
	if h.cfg.LogFile == "" {
		return
	}
	f, err := os.OpenFile(h.cfg.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer func() { _ = f.Close() }()
	line := cause.Redact(fmt.Sprintf(format, args...))
	_, _ = fmt.Fprintf(f, "%s docker-credential-acrdiag[%d] %s\n", h.now().Format(time.RFC3339), os.Getpid(), line)
}

// parse reads the server string; ok is false for hosts that are not ACR at all.
func (h *Helper) parse(serverURL string) (loginserver.LoginServer, bool, error) {
	ls, err := loginserver.ParseLoginServer(serverURL, h.cfg.LoginServerSuffixes...)
	if errors.Is(err, loginserver.ErrNotACR) {
		return ls, false, nil
	}
	return ls, true, err
}

// Get answers a server: stored credentials (checked), else a refresh token from the Entra identity for an
// ACR host, else "not found" so that Docker goes on anonymously.
func (h *Helper) Get(serverURL string) (string, string, error) {
	ls, isACR, err := h.parse(serverURL)
	if !isACR {
		return h.store.Get(serverURL)
	}
	if err != nil {
		h.record(serverURL, "get", cause.RegistryNameInvalid, err.Error())
		return "", "", &Error{Host: serverURL, Cause: cause.RegistryNameInvalid, Detail: err.Error()}
	}
	lastfailure.NoteActivity(h.cfg.CacheDir, ls.Host)
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout)
	defer cancel()
	if user, secret, err := h.store.Get(ls.Host); err == nil {
		return h.checkStored(ctx, ls, user, secret)
	} else if !credentials.IsErrCredentialsNotFound(err) {
		h.record(ls.Host, "get", cause.DockerCredentialStore, cause.Summarize(err.Error()))
	}
	if h.cfgErr != nil {
		// The file and the parse error, whole: cut short, it would not say where to look.
		detail := strings.Join(strings.Fields(h.cfgErr.Error()), " ")
		h.record(ls.Host, "get", cause.ConfigInvalid, detail)
		return "", "", &Error{Host: ls.Host, Cause: cause.ConfigInvalid, Detail: detail}
	}
	return h.fromIdentity(ctx, ls)
}

// checkStored hands out what docker login stored, unless it is an ACR or Entra token that expired: that one
// is renewed from the identity, or withheld so that an anonymous pull is not blocked by it.
func (h *Helper) checkStored(ctx context.Context, ls loginserver.LoginServer, user, secret string) (string, string, error) {
	c, isToken := registryToken(secret)
	if !isToken {
		return user, secret, nil // a password: admin user, service principal, repository-scoped token
	}
	if !c.ExpiredBy(h.now(), time.Minute) {
		return loginserver.EmptyGUID, secret, nil // the only username ACR accepts with a token
	}
	u, s, err := h.fromIdentity(ctx, ls)
	if err == nil {
		return u, s, nil
	}
	h.record(ls.Host, "get", cause.AuthTokenExpired, fmt.Sprintf(
		"the token stored by docker login expired at %s and could not be renewed from an Entra identity (%s); answering no credentials so anonymous pull can work",
		c.Expiry.Local().Format("2006-01-02 15:04 MST"), errDetail(err)))
	return "", "", credentials.NewErrCredentialsNotFound()
}

// registryToken reads secret as an ACR or Entra token; isToken is false for passwords.
func registryToken(secret string) (c jwt.Claims, isToken bool) {
	c, err := jwt.Inspect(secret)
	return c, err == nil && (c.IsACR() || c.IsEntra())
}

func errDetail(err error) string {
	var he *Error
	if errors.As(err, &he) {
		return he.Detail
	}
	if credentials.IsErrCredentialsNotFound(err) {
		return "no identity"
	}
	return cause.Summarize(err.Error())
}

// fromIdentity returns a cached or freshly exchanged refresh token. A renewal's failure is shared through the
// cache (see share.go): the helpers waiting for the same token, and those soon after, answer with it at once.
func (h *Helper) fromIdentity(ctx context.Context, ls loginserver.LoginServer) (string, string, error) {
	margin := h.cfg.Margin()
	fresh := func(e tokencache.Entry) bool { return e.Fresh(h.now(), margin) }
	e, err := h.cache.Fill(ls.Host, h.identity(ls), fresh, func() (tokencache.Entry, error) {
		r, err := h.renewer.Renew(ctx, ls)
		if err != nil {
			f := renewerFailure(ctx, ls.Host, err)
			if f.Cause == cause.NetworkTimeout { // the registry or Entra did not answer in time: so would it now
				return tokencache.Entry{}, h.failure(f.Cause, f.Detail, false)
			}
			return tokencache.Entry{}, f
		}
		if r.Cause != "" {
			return tokencache.Entry{}, h.failure(r.Cause, r.Detail, r.AnonymousPull)
		}
		now := h.now()
		switch tokencache.JudgeLifetime(now, r.ExpiresOn, margin) {
		case tokencache.LifetimeExpired:
			return tokencache.Entry{}, h.failure(cause.AuthTokenExpired, fmt.Sprintf(
				"the registry issued a token that expired at %s, before it could be used; check this machine's clock", r.ExpiresOn.UTC().Format(time.RFC3339)), false)
		case tokencache.LifetimeTooShort:
			return tokencache.Entry{}, h.failure(cause.AuthTokenExpired, fmt.Sprintf(
				"the registry issued a token that expires at %s, in %s: too soon to be used (a client needs it for at least %s); check this machine's clock against the registry's (date -u)",
				r.ExpiresOn.UTC().Format(time.RFC3339), r.ExpiresOn.Sub(now).Round(time.Second), min(margin, tokencache.ShortLivedMargin)), false)
		case tokencache.LifetimeShort:
			h.logf("get %s: the registry hands out short-lived tokens (this one is valid for %s, less than the cache margin of %s): cached until %s before it expires",
				ls.Host, r.ExpiresOn.Sub(now).Round(time.Second), margin, min(margin, tokencache.ShortLivedMargin))
		}
		return tokencache.Entry{RefreshToken: r.RefreshToken, ExpiresOn: r.ExpiresOn, ObtainedAt: now, Principal: r.Principal}, nil
	})
	if err == nil {
		h.logf("get %s: token for %s, valid until %s", ls.Host, e.Principal, e.ExpiresOn.Format(time.RFC3339))
		return loginserver.EmptyGUID, e.RefreshToken, nil
	}
	var (
		he        *Error
		le        *tokencache.LockedError
		f         *tokencache.Failure
		anonymous bool
	)
	switch {
	case errors.As(err, &f):
		he, anonymous = &Error{Host: ls.Host, Cause: f.Cause, Detail: h.failureDetail(f)}, f.AnonymousPull
	case errors.As(err, &he):
	case errors.As(err, &le):
		he = &Error{Host: ls.Host, Cause: cause.CacheLocked, Detail: le.Error()}
	default:
		he = &Error{Host: ls.Host, Cause: cause.Unknown, Detail: cause.Summarize(err.Error())}
	}
	h.record(ls.Host, "get", he.Cause, he.Detail)
	if he.Cause == cause.AuthNoIdentity || anonymous {
		return "", "", credentials.NewErrCredentialsNotFound() // anonymous pull may still work
	}
	return "", "", he
}

// renewerFailure names why the engine gave no result at all: not installed, not runnable, or out of time.
func renewerFailure(ctx context.Context, host string, err error) *Error {
	var ee *engineproc.Error
	switch {
	case errors.Is(err, engineproc.ErrNotFound), errors.As(err, &ee) && ee.NotStarted:
		return &Error{Host: host, Cause: cause.EngineMissing, Detail: cause.Summarize(err.Error())}
	case ctx.Err() != nil:
		return &Error{Host: host, Cause: cause.NetworkTimeout, Detail: "the renewal did not finish in time: " + cause.Summarize(err.Error())}
	}
	return &Error{Host: host, Cause: cause.Unknown, Detail: cause.Summarize(err.Error())}
}

// Add stores what docker login hands over. It never fails on ordinary input: a failing store breaks docker login.
func (h *Helper) Add(creds *credentials.Credentials) error {
	if creds == nil {
		return errors.New("no credentials")
	}
	if ls, isACR, err := h.parse(creds.ServerURL); isACR && err == nil {
		creds.ServerURL = ls.Host
		if c, isToken := registryToken(creds.Secret); isToken {
			h.checkTokenLogin(ls.Host, creds, c)
		}
	}
	if err := h.store.Add(creds); err != nil {
		h.record(creds.ServerURL, "store", cause.DockerCredentialStore, strings.TrimPrefix(strings.Join(strings.Fields(err.Error()), " "), "acrdiag: "))
		return err
	}
	return nil
}

// checkTokenLogin catches the traps of storing a token: the wrong username (fixed, and said), and a token
// that is already expired (said).
func (h *Helper) checkTokenLogin(host string, creds *credentials.Credentials, c jwt.Claims) {
	if creds.Username != loginserver.EmptyGUID && creds.Username != tokenUsername {
		detail := fmt.Sprintf("a token was stored with username %q; ACR accepts tokens only with %s, so acrdiag stored it under that username", creds.Username, loginserver.EmptyGUID)
		h.warnf("acrdiag: %s. Next time: docker login %s -u %s --password-stdin [%s]", detail, host, loginserver.EmptyGUID, cause.AuthWrongTokenUsername)
		h.record(host, "store", cause.AuthWrongTokenUsername, detail)
		creds.Username = loginserver.EmptyGUID
	}
	if c.ExpiredBy(h.now(), 0) {
		detail := fmt.Sprintf("the token stored for %s expired at %s", host, c.Expiry.Local().Format("2006-01-02 15:04 MST"))
		h.warnf("acrdiag: %s; acrdiag will renew it from your Entra identity when it can [%s]", detail, cause.AuthTokenExpired)
		h.record(host, "store", cause.AuthTokenExpired, detail)
	}
}

// Delete forgets a server's stored credentials and cached tokens (docker logout).
func (h *Helper) Delete(serverURL string) error {
	key := serverURL
	if ls, isACR, err := h.parse(serverURL); isACR && err == nil {
		key = ls.Host
		_ = h.cache.Delete(ls.Host)
	}
	var se *StoreError
	switch err := h.store.Delete(key); {
	case err == nil || credentials.IsErrCredentialsNotFound(err):
	case errors.As(err, &se): // already says what, why and the fix
		h.warnf("%s", se)
	default:
		h.warnf("acrdiag: could not erase the stored credentials for %s: %s", key, cause.Summarize(err.Error()))
	}
	return nil
}
