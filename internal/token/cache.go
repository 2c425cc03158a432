package token

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
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

// Fresh reports whether the entry is usable at now with margin to spare.
func (e Entry) Fresh(now time.Time, margin time.Duration) bool {
	return e.RefreshToken != "" && now.Add(margin).Before(e.ExpiresOn)
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
// 0600 permissions, and serialises fetches with a lock file beside each entry.
type FileCache struct {
	Dir         string
	LockTimeout time.Duration // how long to wait for another process's fetch; default 2 minutes
}

// OpenFileCache prepares dir, or returns a NullCache when dir cannot be made: an unusable cache degrades
// to no cache, never to a failure (and an unwritable one only costs each call an exchange).
func OpenFileCache(dir string) (Cache, error) {
	if dir == "" {
		return NullCache{}, fmt.Errorf("no cache directory: caching nothing")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return NullCache{}, fmt.Errorf("token cache %s unusable, caching nothing: %w", dir, err)
	}
	return &FileCache{Dir: dir}, nil
}

func (c *FileCache) path(host, identity string) string {
	sum := sha256.Sum256([]byte(host + "\x00" + identity))
	return filepath.Join(c.Dir, "token-"+hex.EncodeToString(sum[:12])+".json")
}

// Get reads an entry; a missing, corrupt or foreign file is simply no entry.
func (c *FileCache) Get(host, identity string) (Entry, bool) {
	b, err := os.ReadFile(c.path(host, identity))
	if err != nil || len(b) > 1<<20 {
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
	timeout := c.LockTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	lockPath := c.path(host, identity) + ".lock"
	unlock, err := filelock.Lock(lockPath, timeout)
	switch {
	case err == nil:
		defer unlock()
		// Another process may have fetched while this one waited.
		if e, ok := c.Get(host, identity); ok && fresh(e) {
			return e, nil
		}
	case errors.Is(err, filelock.ErrTimeout):
		// Another helper is renewing this very token and did not finish: asking too would only pile up.
		return Entry{}, &LockedError{Host: host, Path: lockPath, Waited: timeout}
	}
	// A lock file that cannot be made (a read-only cache) costs only the shared exchange: fetch alone.
	e, err := fetch()
	if err != nil {
		return Entry{}, err
	}
	e.Host, e.Identity = host, identity
	_ = c.write(c.path(host, identity), e) // a failed write costs only the next exchange
	return e, nil
}

// LockedError is a wait for another process's renewal of the same entry that ran out.
type LockedError struct {
	Host   string
	Path   string // the lock file
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("waited %s for another acrdiag process renewing the token for %s (it holds %s) and gave up", e.Waited, e.Host, e.Path)
}

func (c *FileCache) write(path string, e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// Delete removes every entry of host.
func (c *FileCache) Delete(host string) error {
	files, _ := filepath.Glob(filepath.Join(c.Dir, "token-*.json"))
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var e Entry
		if json.Unmarshal(b, &e) != nil || strings.EqualFold(e.Host, host) {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
