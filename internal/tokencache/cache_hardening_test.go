package tokencache

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestFileCacheChecksEntriesBeforeReading: an oversized (sparse) entry costs no memory to ignore, a link or a
// directory in an entry's place is no entry, and each is rebuilt by the next fill.
func TestFileCacheChecksEntriesBeforeReading(t *testing.T) {
	const host, id = "r.azurecr.io", "id"
	fetch := func() (Entry, error) { return Entry{RefreshToken: "rt", ExpiresOn: time.Now().Add(3 * time.Hour)}, nil }
	for _, tt := range []struct {
		name  string
		plant func(t *testing.T, path string)
	}{
		{"a 64 MiB sparse file", func(t *testing.T, path string) {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(64 << 20); err != nil {
				t.Fatal(err)
			}
			_ = f.Close()
		}},
		{"a link to a valid entry elsewhere", func(t *testing.T, path string) {
			other := &FileCache{Dir: testfs.TempDir(t)}
			if _, err := other.Fill(host, id, freshFor(time.Minute), fetch); err != nil {
				t.Fatal(err)
			}
			testfs.SymlinkOrSkip(t, other.path(host, id), path)
		}},
		{"an empty directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &FileCache{Dir: testfs.TempDir(t)}
			path := c.path(host, id)
			tt.plant(t, path)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, ok := c.Get(host, id)
			runtime.ReadMemStats(&after)
			if ok {
				t.Error("Get served it as an entry")
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("Get allocated %d bytes to decide, want it decided before reading", alloc)
			}
			n := 0
			e, err := c.Fill(host, id, freshFor(time.Minute), func() (Entry, error) { n++; return fetch() })
			if err != nil || e.RefreshToken != "rt" || n != 1 {
				t.Fatalf("Fill = %+v, %v (fetches %d)", e, err, n)
			}
			if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() || st.Size() > 1<<10 {
				t.Errorf("the entry was not rebuilt as a small regular file: %v %v", st, err)
			}
			if _, ok := c.Get(host, id); !ok {
				t.Error("the rebuilt entry is not served")
			}
		})
	}
}

// TestFileCacheLockIsNotCreatedThroughALink: a link planted where a lock file goes creates nothing at its target.
func TestFileCacheLockIsNotCreatedThroughALink(t *testing.T) {
	c := &FileCache{Dir: testfs.TempDir(t)}
	victim := filepath.Join(testfs.TempDir(t), "victim")
	testfs.SymlinkOrSkip(t, victim, c.path("r.azurecr.io", "id")+".lock")
	e, err := c.Fill("r.azurecr.io", "id", freshFor(time.Minute), func() (Entry, error) {
		return Entry{RefreshToken: "rt", ExpiresOn: time.Now().Add(3 * time.Hour)}, nil
	})
	if err != nil || e.RefreshToken != "rt" {
		t.Fatalf("Fill = %+v, %v", e, err)
	}
	if _, err := os.Lstat(victim); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock was created through the planted link at %s (%v)", victim, err)
	}
}

// TestJudgeLifetime is the decision table for a token the registry just issued.
func TestJudgeLifetime(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		life, margin time.Duration
		want         Lifetime
	}{
		{3 * time.Hour, 30 * time.Minute, LifetimeNormal},
		{30*time.Minute + time.Second, 30 * time.Minute, LifetimeNormal},
		{30 * time.Minute, 30 * time.Minute, LifetimeShort},
		{20 * time.Minute, 30 * time.Minute, LifetimeShort},
		{2*time.Minute + time.Second, 30 * time.Minute, LifetimeShort},
		{2 * time.Minute, 30 * time.Minute, LifetimeTooShort},
		{time.Second, 30 * time.Minute, LifetimeTooShort},
		{0, 30 * time.Minute, LifetimeExpired},
		{-time.Hour, 30 * time.Minute, LifetimeExpired},
		// A margin below the short one: no short band, the margin itself is the least a token must have.
		{90 * time.Second, time.Minute, LifetimeNormal},
		{time.Minute, time.Minute, LifetimeTooShort},
	}
	for _, tt := range tests {
		if got := JudgeLifetime(now, now.Add(tt.life), tt.margin); got != tt.want {
			t.Errorf("JudgeLifetime(life %s, margin %s) = %s, want %s", tt.life, tt.margin, got, tt.want)
		}
	}
}

// TestEntryFreshness: an entry is used until the margin before it expires, a short-lived one (issued with
// less life than the margin) until ShortLivedMargin before; so a short-lived token is cached, not
// exchanged again on every call.
func TestEntryFreshness(t *testing.T) {
	got := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	const margin = 30 * time.Minute
	tests := []struct {
		life, age time.Duration
		want      bool
	}{
		{3 * time.Hour, 0, true},
		{3 * time.Hour, 2*time.Hour + 29*time.Minute, true},
		{3 * time.Hour, 2*time.Hour + 30*time.Minute, false}, // within the margin: renew
		{20 * time.Minute, 0, true},                          // short-lived: cached
		{20 * time.Minute, 17 * time.Minute, true},
		{20 * time.Minute, 18 * time.Minute, false}, // within ShortLivedMargin of its expiry
		{20 * time.Minute, 25 * time.Minute, false},
	}
	for _, tt := range tests {
		e := Entry{RefreshToken: "rt", ObtainedAt: got, ExpiresOn: got.Add(tt.life)}
		if f := e.Fresh(got.Add(tt.age), margin); f != tt.want {
			t.Errorf("a %s token after %s: Fresh = %v, want %v", tt.life, tt.age, f, tt.want)
		}
	}
	if (Entry{RefreshToken: "rt", ExpiresOn: got.Add(20 * time.Minute)}).Fresh(got, margin) {
		t.Error("an entry of unknown age within the margin is fresh")
	}
}

// TestFileCacheSharesFailures: a renewal failure is shared with the callers waiting for the same entry and
// with later ones until it lapses, without another fetch; other errors are not shared.
func TestFileCacheSharesFailures(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := &FileCache{Dir: testfs.TempDir(t), Now: func() time.Time { return clock() }}
	var fetches atomic.Int32
	fail := func() (Entry, error) {
		fetches.Add(1)
		time.Sleep(100 * time.Millisecond) // a renewal takes a while: the others queue on the lock
		return Entry{}, &Failure{Cause: "registry.throttled", Detail: "HTTP 429 (retry after 45s)", Until: now.Add(45 * time.Second)}
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Fill("r.azurecr.io", "id", freshFor(time.Minute), fail)
		}()
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("8 concurrent fills of a failing renewal fetched %d times, want 1", n)
	}
	shared := 0
	for i, err := range errs {
		var f *Failure
		if !errors.As(err, &f) || f.Cause != "registry.throttled" || !strings.Contains(f.Detail, "retry after 45s") {
			t.Fatalf("fill %d = %v, want the failure", i, err)
		}
		if f.Shared {
			shared++
			if !f.At.Equal(now) || !f.Until.Equal(now.Add(45*time.Second)) {
				t.Errorf("shared failure %+v, want it from %s until 45s later", f, now)
			}
		}
	}
	if shared != 7 {
		t.Errorf("%d of 8 got the shared failure, want 7", shared)
	}
	// A later caller within the time answers at once, without a fetch.
	now = now.Add(44 * time.Second)
	if _, err := c.Fill("r.azurecr.io", "id", freshFor(time.Minute), fail); fetches.Load() != 1 || err == nil {
		t.Errorf("a fill 44s later fetched (%d) or succeeded (%v)", fetches.Load(), err)
	}
	// Other identities and registries are not concerned.
	if _, err := c.Fill("r.azurecr.io", "id2", freshFor(time.Minute), fail); fetches.Load() != 2 || err == nil {
		t.Errorf("another identity got the shared failure")
	}
	// Once lapsed, the next caller asks again, and a success clears the failure.
	now = now.Add(2 * time.Second)
	ok := func() (Entry, error) {
		fetches.Add(1)
		return Entry{RefreshToken: "rt", ExpiresOn: now.Add(3 * time.Hour), ObtainedAt: now}, nil
	}
	clockFresh := func(e Entry) bool { return e.Fresh(clock(), time.Minute) }
	if e, err := c.Fill("r.azurecr.io", "id", clockFresh, ok); err != nil || e.RefreshToken != "rt" || fetches.Load() != 3 {
		t.Fatalf("fill after the failure lapsed = %+v, %v (fetches %d)", e, err, fetches.Load())
	}
	if _, err := os.Lstat(c.path("r.azurecr.io", "id") + ".failure"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failure record outlived a success: %v", err)
	}
	// A failure is shared for at most MaxFailureShare, whatever the fetch asked.
	_, _ = c.Fill("r2.azurecr.io", "id", freshFor(time.Minute), func() (Entry, error) {
		return Entry{}, &Failure{Cause: "registry.throttled", Detail: "retry after 86400s", Until: now.Add(24 * time.Hour)}
	})
	_, err := c.Fill("r2.azurecr.io", "id", freshFor(time.Minute), fail)
	var f *Failure
	if !errors.As(err, &f) || !f.Shared || f.Until.After(now.Add(MaxFailureShare)) {
		t.Errorf("a day-long failure: %+v, want it shared for at most %s", f, MaxFailureShare)
	}
	// docker logout forgets it.
	if err := c.Delete("r2.azurecr.io"); err != nil {
		t.Fatal(err)
	}
	before := fetches.Load()
	_, _ = c.Fill("r2.azurecr.io", "id", freshFor(time.Minute), fail)
	if fetches.Load() != before+1 {
		t.Error("Delete left the shared failure")
	}
	// A call with another proxy or CA bundle is not concerned either: the failure may be the old setting's.
	_, _ = c.Fill("r4.azurecr.io", "id", freshFor(time.Minute), fail)
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:9")
	before = fetches.Load()
	if _, _ = c.Fill("r4.azurecr.io", "id", freshFor(time.Minute), fail); fetches.Load() != before+1 {
		t.Error("a call with another HTTPS_PROXY got the failure shared under the old one")
	}
	// A failure that asks for no sharing (Until not after now) and a plain error are not shared.
	for _, e := range []error{&Failure{Cause: "acrdiag.engine_missing", Detail: "not installed"}, errors.New("boom")} {
		n := fetches.Load()
		fetchE := func() (Entry, error) { fetches.Add(1); return Entry{}, e }
		_, _ = c.Fill("r3.azurecr.io", "id", freshFor(time.Minute), fetchE)
		_, _ = c.Fill("r3.azurecr.io", "id", freshFor(time.Minute), fetchE)
		if fetches.Load() != n+2 {
			t.Errorf("%v was shared", e)
		}
	}
}

// TestIdentityKeyChecksTheProfileSizeFirst: the Azure CLI profile the identity key hashes is not read whole
// when it is far bigger than any profile (every get computes the key).
func TestIdentityKeyChecksTheProfileSizeFirst(t *testing.T) {
	dir := testfs.TempDir(t)
	t.Setenv("AZURE_CONFIG_DIR", dir)
	f, err := os.Create(filepath.Join(dir, "azureProfile.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	key := IdentityKey(ChainOptions{})
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("IdentityKey allocated %d bytes for a 64 MiB profile, want the size checked before reading", alloc)
	}
	if key == "" {
		t.Error("no key")
	}
}
