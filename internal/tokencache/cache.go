package tokencache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cachedir"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/filelock"
)

// Entry is a cached ACR refresh token for one registry and identity.
type Entry struct {
	Host         string    `json:"host"`
	Identity     string    `json:"identity"` // a hash of what selects the identity; never a secret
	RefreshToken string    `json:"refresh_token"`
	ExpiresOn    time.Time `json:"expires_on"`
	ObtainedAt   time.Time `json:"obtained_at"`
	Principal    string    `json:"principal,omitempty"` // who the token is for, for messages
}

// ShortLivedMargin is how long before its expiry a short-lived token (one the registry issued with no
// more life than the cache margin) stops being handed out: the least a client needs to use it at once.
const ShortLivedMargin = 2 * time.Minute

// Fresh reports whether the entry is usable at now with margin to spare. A short-lived entry, issued with
// no more life than margin, is used until ShortLivedMargin before it expires: with the whole margin it
// would never be fresh, and every call would exchange again.
func (e Entry) Fresh(now time.Time, margin time.Duration) bool {
	if e.ShortLived(margin) {
		margin = min(margin, ShortLivedMargin)
	}
	return e.RefreshToken != "" && now.Add(margin).Before(e.ExpiresOn)
}

// ShortLived reports whether the registry issued the entry with no more life than margin.
func (e Entry) ShortLived(margin time.Duration) bool {
	return !e.ObtainedAt.IsZero() && e.ExpiresOn.Sub(e.ObtainedAt) <= margin
}

// Lifetime is what the remaining life of a token the registry just issued allows.
type Lifetime int

const (
	// LifetimeNormal: more life than the cache margin; cached until the margin before it expires.
	LifetimeNormal Lifetime = iota
	// LifetimeShort: less than the margin, more than ShortLivedMargin; cached until ShortLivedMargin before
	// it expires, and worth saying: the registry hands out short-lived tokens.
	LifetimeShort
	// LifetimeTooShort: it expires within ShortLivedMargin (or the margin, when that is smaller): refused,
	// a client could not use it.
	LifetimeTooShort
	// LifetimeExpired: it expired before it could be used (a wrong clock): refused.
	LifetimeExpired
)

func (l Lifetime) String() string {
	switch l {
	case LifetimeNormal:
		return "normal"
	case LifetimeShort:
		return "short"
	case LifetimeTooShort:
		return "too short"
	case LifetimeExpired:
		return "expired"
	}
	return fmt.Sprintf("Lifetime(%d)", int(l))
}

// JudgeLifetime decides what to do with a token issued at now that expires at expiresOn, for a cache margin.
func JudgeLifetime(now, expiresOn time.Time, margin time.Duration) Lifetime {
	life := expiresOn.Sub(now)
	switch {
	case life <= 0:
		return LifetimeExpired
	case life <= min(margin, ShortLivedMargin):
		return LifetimeTooShort
	case life <= margin:
		return LifetimeShort
	}
	return LifetimeNormal
}

// Cache stores refresh tokens between helper invocations.
type Cache interface {
	// Get returns the entry for host and identity, if one is stored.
	Get(host, identity string) (Entry, bool)
	// Fill returns a fresh entry for host and identity, calling fetch at most once across all concurrent
	// callers and processes: whoever holds the entry's lock fetches, the others then read its result.
	Fill(host, identity string, fresh func(Entry) bool, fetch func() (Entry, error)) (Entry, error)
	// Delete drops every entry of host.
	Delete(host string) error
}

// NullCache caches nothing: every Fill fetches.
type NullCache struct{}

// Get finds nothing.
func (NullCache) Get(string, string) (Entry, bool) { return Entry{}, false }

// Fill fetches.
func (NullCache) Fill(_, _ string, _ func(Entry) bool, fetch func() (Entry, error)) (Entry, error) {
	return fetch()
}

// Delete has nothing to delete.
func (NullCache) Delete(string) error { return nil }

// FileCache keeps one JSON file per (registry, identity) in a 0700 directory, written atomically with
// 0600 permissions, and serialises fetches with a lock file beside each entry. A fetch that fails with a
// *Failure leaves it beside the entry for a short while, so that the processes waiting for the entry and
// the callers after them answer with it at once instead of asking the registry again.
type FileCache struct {
	Dir         string
	LockTimeout time.Duration    // how long to wait for another process's fetch before fetching alone; default config.DefaultLockTimeout
	Now         func() time.Time // the clock of shared failures; default time.Now
}

// Warnings receives what OpenFileCache says when it will not use a cache directory: one line with the fix.
// The helper opens its cache once per process, so it says so once; Docker passes a helper's stderr through.
var Warnings io.Writer = os.Stderr

// OpenFileCache prepares dir, or returns a NullCache when dir cannot be made or is not safe to use (another
// user's, or writable by group or others, where anyone could plant or swap a token): an unusable cache
// degrades to no cache, never to a failure, and an unwritable one only costs each call an exchange. Why
// dir is not used, with the fix, is the error, and is said on Warnings.
func OpenFileCache(dir string) (Cache, error) {
	if dir == "" {
		return NullCache{}, fmt.Errorf("no cache directory: caching nothing")
	}
	if err := cachedir.Prepare(dir); err != nil {
		_, _ = fmt.Fprintln(Warnings, "acrdiag: not caching tokens:", err)
		return NullCache{}, err
	}
	return &FileCache{Dir: dir}, nil
}

func (c *FileCache) path(host, identity string) string {
	sum := sha256.Sum256([]byte(host + "\x00" + identity))
	return filepath.Join(c.Dir, "token-"+hex.EncodeToString(sum[:12])+".json")
}

func (c *FileCache) failurePath(host, identity string) string {
	return c.path(host, identity) + ".failure"
}

func (c *FileCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// maxEntrySize bounds a cache file: one refresh token (at most 64 KiB, a few KiB in practice) and a little
// JSON. Anything bigger is not acrdiag's and is ignored without being read.
const maxEntrySize = 128 << 10

// readSmall reads a cache file: a regular file (not a link, a directory or a device) of at most
// maxEntrySize bytes, decided before reading it.
func readSmall(path string) ([]byte, error) { return atomicfile.ReadSmall(path, maxEntrySize, false) }

// Get reads an entry; a missing, corrupt, oversized, foreign or non-regular file is simply no entry.
func (c *FileCache) Get(host, identity string) (Entry, bool) {
	b, err := readSmall(c.path(host, identity))
	if err != nil {
		return Entry{}, false
	}
	var e Entry
	if json.Unmarshal(b, &e) != nil || e.Host != host || e.Identity != identity || e.RefreshToken == "" {
		return Entry{}, false
	}
	return e, true
}

// Fill implements Cache.
func (c *FileCache) Fill(host, identity string, fresh func(Entry) bool, fetch func() (Entry, error)) (Entry, error) {
	if e, ok := c.Get(host, identity); ok && fresh(e) {
		return e, nil
	}
	if f, ok := c.failure(host, identity); ok {
		return Entry{}, &f // a renewal failed moments ago: asking again now would fail the same way
	}
	timeout := c.LockTimeout
	if timeout == 0 {
		timeout = config.DefaultLockTimeout
	}
	lockPath := c.path(host, identity) + ".lock"
	unlock, err := filelock.Lock(lockPath, timeout)
	var locked *LockedError
	if errors.Is(err, filelock.ErrTimeout) {
		// Another process holds the entry longer than this one waits (a stopped helper, a hung az): this one
		// renews on its own, within its own deadline, rather than fail without trying.
		locked = &LockedError{Host: host, Path: lockPath, Waited: timeout}
	} else if err == nil {
		defer unlock()
	}
	// Another process may have fetched, or failed, while this one waited.
	if e, ok := c.Get(host, identity); ok && fresh(e) {
		return e, nil
	}
	if f, ok := c.failure(host, identity); ok {
		return Entry{}, &f
	}
	// A lock file that cannot be made (a read-only cache) costs only the shared exchange: fetch alone.
	e, err := fetch()
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			c.shareFailure(host, identity, f)
		}
		if locked != nil {
			return Entry{}, errors.Join(err, locked) // the renewal's own cause first; the wait is said too
		}
		return Entry{}, err
	}
	e.Host, e.Identity = host, identity
	if c.write(c.path(host, identity), e) == nil { // a failed write costs only the next exchange
		_ = os.Remove(c.failurePath(host, identity))
	}
	return e, nil
}

// LockedError is a wait for another process's renewal of the same entry that ran out; Fill then renews on
// its own and, when that fails too, returns it joined to the renewal's error.
type LockedError struct {
	Host   string
	Path   string // the lock file
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("waited %s for another acrdiag process renewing the token for %s (it holds %s), then renewed on its own", e.Waited, e.Host, e.Path)
}

// MaxFailureShare bounds how long a failure is shared, whatever the registry's Retry-After says: after it
// the next caller asks again.
const MaxFailureShare = 5 * time.Minute

// Failure is a renewal failure that Fill shares, when a fetch returns it, with the callers of the same entry
// until Until (at most MaxFailureShare): the processes waiting for the lock and those that come soon after
// answer with it at once instead of asking the registry again (a throttling registry would only be asked
// more, a slow one would keep each waiter for its own timeout). It holds no secret: a cause id and one
// line of detail. A Failure whose Until is not after now is not shared.
type Failure struct {
	Host          string    `json:"host"`
	Identity      string    `json:"identity"`
	Cause         string    `json:"cause"`  // a catalogue id
	Detail        string    `json:"detail"` // one line: what happened
	AnonymousPull bool      `json:"anonymous_pull,omitempty"`
	At            time.Time `json:"at"`    // when the renewal failed
	Until         time.Time `json:"until"` // when the next caller asks again
	Scope         string    `json:"scope"` // the network environment it failed in (networkScope)
	// Shared is set on a failure read back from the cache: another call's renewal failed, this one asked nobody.
	Shared bool `json:"-"`
}

func (f *Failure) Error() string { return f.Cause + ": " + f.Detail }

// networkEnv are the variables that decide how a renewal reaches Entra ID and the registry. A failure is
// shared only with calls under the same values: whoever changes the proxy or the CA bundle and tries again
// gets a new renewal, not the failure of the old setting.
var networkEnv = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
	"ALL_PROXY", "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR"}

func networkScope() string {
	h := sha256.New()
	for _, k := range networkEnv {
		h.Write([]byte(k + "=" + os.Getenv(k) + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func (c *FileCache) shareFailure(host, identity string, f *Failure) {
	now := c.now()
	if !f.Until.After(now) {
		return
	}
	rec := *f
	rec.Host, rec.Identity, rec.At, rec.Scope, rec.Shared = host, identity, now, networkScope(), false
	if limit := now.Add(MaxFailureShare); rec.Until.After(limit) {
		rec.Until = limit
	}
	if b, err := json.Marshal(rec); err == nil {
		_ = atomicfile.Replace(c.failurePath(host, identity), b, 0o600) // lost in a crash, it costs an exchange
	}
}

// failure returns the failure shared for host and identity, if one is still in force.
func (c *FileCache) failure(host, identity string) (Failure, bool) {
	var f Failure
	b, err := readSmall(c.failurePath(host, identity))
	if err != nil || json.Unmarshal(b, &f) != nil {
		return Failure{}, false
	}
	now := c.now()
	if f.Host != host || f.Identity != identity || f.Cause == "" || !now.Before(f.Until) || f.Until.Sub(now) > MaxFailureShare ||
		f.Scope != networkScope() {
		return Failure{}, false
	}
	f.Shared = true
	return f, true
}

func (c *FileCache) write(path string, e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if st, err := os.Lstat(path); err == nil && st.IsDir() {
		_ = os.Remove(path) // an empty directory in the entry's place; rename cannot replace it
	}
	return atomicfile.Write(path, b, 0o600)
}

// Delete removes every entry and shared failure of host.
func (c *FileCache) Delete(host string) error {
	entries, _ := filepath.Glob(filepath.Join(c.Dir, "token-*.json"))
	failures, _ := filepath.Glob(filepath.Join(c.Dir, "token-*.json.failure"))
	var errs []error
	for _, f := range append(entries, failures...) {
		b, err := readSmall(f)
		if err != nil && !errors.Is(err, atomicfile.ErrUnfit) {
			continue
		}
		var e struct {
			Host string `json:"host"`
		}
		if err != nil || json.Unmarshal(b, &e) != nil || strings.EqualFold(e.Host, host) {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// HostLister is a cache that can name the registries it holds tokens for.
type HostLister interface {
	Hosts() []string
}

// Hosts names the registries of the cache's entries, each once, in no particular order, reading nothing
// but the entries (a corrupt, oversized or foreign one is skipped).
func (c *FileCache) Hosts() []string {
	files, _ := filepath.Glob(filepath.Join(c.Dir, "token-*.json"))
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		b, err := readSmall(f)
		if err != nil {
			continue
		}
		var e struct {
			Host string `json:"host"`
		}
		if json.Unmarshal(b, &e) != nil || e.Host == "" || seen[e.Host] {
			continue
		}
		seen[e.Host] = true
		out = append(out, e.Host)
	}
	return out
}
