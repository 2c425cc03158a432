package helper

import (
	"sync"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// The helper runs once per Docker request and most requests need only part of it: the store and the cache
// are opened on first use, so that "not found" for a foreign host costs no PATH search or directory creation.

type lazyStore struct {
	open  func() Store
	once  sync.Once
	store Store
}

func (l *lazyStore) get() Store {
	l.once.Do(func() { l.store = l.open() })
	return l.store
}

func (l *lazyStore) Add(c *credentials.Credentials) error         { return l.get().Add(c) }
func (l *lazyStore) Delete(serverURL string) error                { return l.get().Delete(serverURL) }
func (l *lazyStore) Get(serverURL string) (string, string, error) { return l.get().Get(serverURL) }
func (l *lazyStore) List() (map[string]string, error)             { return l.get().List() }

type lazyCache struct {
	dir         string
	lockTimeout time.Duration
	once        sync.Once
	cache       tokencache.Cache
}

func (l *lazyCache) get() tokencache.Cache {
	l.once.Do(func() {
		l.cache, _ = tokencache.OpenFileCache(l.dir)
		if fc, ok := l.cache.(*tokencache.FileCache); ok {
			fc.LockTimeout = l.lockTimeout
		}
	})
	return l.cache
}

func (l *lazyCache) Get(host, identity string) (tokencache.Entry, bool) {
	return l.get().Get(host, identity)
}
func (l *lazyCache) Delete(host string) error { return l.get().Delete(host) }
func (l *lazyCache) Fill(host, identity string, fresh func(tokencache.Entry) bool, fetch func() (tokencache.Entry, error)) (tokencache.Entry, error) {
	return l.get().Fill(host, identity, fresh, fetch)
}

// Hosts names the registries the cache holds tokens for (none for a cache that cannot say).
func (l *lazyCache) Hosts() []string {
	if hl, ok := l.get().(tokencache.HostLister); ok {
		return hl.Hosts()
	}
	return nil
}
