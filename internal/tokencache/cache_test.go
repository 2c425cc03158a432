package tokencache

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

func freshFor(margin time.Duration) func(Entry) bool {
	return func(e Entry) bool { return e.Fresh(time.Now(), margin) }
}

func TestFileCacheFillsOnceForConcurrentCallers(t *testing.T) {
	c, err := OpenFileCache(testfs.TempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	fetch := func() (Entry, error) {
		fetches.Add(1)
		time.Sleep(50 * time.Millisecond) // an exchange takes a while
		return Entry{RefreshToken: "rt", ExpiresOn: time.Now().Add(3 * time.Hour)}, nil
	}
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := c.Fill("r.azurecr.io", "id1", freshFor(time.Minute), fetch)
			if err != nil || e.RefreshToken != "rt" {
				t.Errorf("Fill = %+v, %v", e, err)
			}
		}()
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("32 concurrent fills fetched %d times, want 1", n)
	}
	if _, ok := c.Get("r.azurecr.io", "id2"); ok {
		t.Error("another identity got this identity's token")
	}
}

func TestFileCacheRefetchesStaleAndCorruptEntries(t *testing.T) {
	dir := testfs.TempDir(t)
	c, _ := OpenFileCache(dir)
	n := 0
	fetch := func() (Entry, error) {
		n++
		return Entry{RefreshToken: "rt", ExpiresOn: time.Now().Add(20 * time.Minute)}, nil
	}
	_, _ = c.Fill("r.azurecr.io", "id", freshFor(30*time.Minute), fetch)
	_, _ = c.Fill("r.azurecr.io", "id", freshFor(30*time.Minute), fetch) // inside the margin: renew
	if n != 2 {
		t.Errorf("fetches = %d, want 2 (the entry expires within the margin)", n)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "token-*.json"))
	if len(files) != 1 {
		t.Fatalf("files = %v", files)
	}
	testfs.WantPerm(t, files[0], 0o600)
	_ = os.WriteFile(files[0], []byte("{corrupt"), 0o600)
	e, err := c.Fill("r.azurecr.io", "id", freshFor(time.Minute), fetch)
	if err != nil || e.RefreshToken != "rt" || n != 3 {
		t.Errorf("after corruption: %+v, %v, fetches %d", e, err, n)
	}
	if _, ok := c.Get("r.azurecr.io", "id"); !ok {
		t.Error("corrupt entry was not rebuilt")
	}
	if err := c.Delete("r.azurecr.io"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("r.azurecr.io", "id"); ok {
		t.Error("Delete left the entry")
	}
}

func TestFetchErrorsAreNotCached(t *testing.T) {
	c, _ := OpenFileCache(testfs.TempDir(t))
	boom := errors.New("exchange failed")
	if _, err := c.Fill("r.azurecr.io", "id", freshFor(0), func() (Entry, error) { return Entry{}, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if _, ok := c.Get("r.azurecr.io", "id"); ok {
		t.Error("a failure was cached")
	}
}

func TestUnwritableCacheDegradesToNone(t *testing.T) {
	Warnings = io.Discard
	t.Cleanup(func() { Warnings = os.Stderr })
	file := filepath.Join(testfs.TempDir(t), "not-a-dir")
	_ = os.WriteFile(file, nil, 0o600)
	c, err := OpenFileCache(filepath.Join(file, "cache"))
	if err == nil {
		t.Error("no warning for an unusable cache dir")
	}
	if _, ok := c.(NullCache); !ok {
		t.Errorf("cache = %T, want NullCache", c)
	}
	e, err := c.Fill("h", "i", freshFor(0), func() (Entry, error) { return Entry{RefreshToken: "x"}, nil })
	if err != nil || e.RefreshToken != "x" {
		t.Errorf("NullCache.Fill = %+v, %v", e, err)
	}
}

// TestFileCacheRenewsAloneAfterAStuckRenewal: a process that holds the entry's lock longer than LockTimeout
// (stopped, or its az hangs) delays the others by LockTimeout only: then each renews on its own, and its
// token is cached; a renewal of its own that fails too says both.
func TestFileCacheRenewsAloneAfterAStuckRenewal(t *testing.T) {
	c := &FileCache{Dir: testfs.TempDir(t), LockTimeout: 200 * time.Millisecond}
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done) // before the test's directory goes
		_, _ = c.Fill("r.azurecr.io", "id", freshFor(time.Minute), func() (Entry, error) {
			close(started)
			<-release // a renewal that hangs (az waiting for a prompt, a stopped helper)
			return Entry{RefreshToken: "late", ExpiresOn: time.Now().Add(3 * time.Hour)}, nil
		})
	}()
	defer func() { close(release); <-done }()
	<-started
	start := time.Now()
	got, err := c.Fill("r.azurecr.io", "id", freshFor(time.Minute), func() (Entry, error) {
		return Entry{RefreshToken: "own", ExpiresOn: time.Now().Add(3 * time.Hour)}, nil
	})
	if waited := time.Since(start); err != nil || got.RefreshToken != "own" || waited < 200*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("Fill while another renewal hangs = %+v, %v after %s; want its own token after the 200ms wait", got, err, waited)
	}
	if e, ok := c.Get("r.azurecr.io", "id"); !ok || e.RefreshToken != "own" {
		t.Errorf("the token renewed alone was not cached: %+v %v", e, ok)
	}
	_ = c.Delete("r.azurecr.io")
	_, err = c.Fill("r.azurecr.io", "id", freshFor(time.Minute), func() (Entry, error) { return Entry{}, errors.New("the exchange failed") })
	var le *LockedError
	if !errors.As(err, &le) || le.Host != "r.azurecr.io" || le.Waited != 200*time.Millisecond || !strings.Contains(err.Error(), "the exchange failed") {
		t.Fatalf("a failed renewal of its own = %v, want the renewal's error and the wait", err)
	}
	if msg := le.Error(); !strings.Contains(msg, "waited 200ms") || !strings.Contains(msg, le.Path) || !strings.Contains(msg, "renewed on its own") {
		t.Errorf("message %q", msg)
	}
}

// FuzzCacheEntry: whatever a cache file holds, Get either refuses it or returns an entry for exactly the
// host and identity asked, with a token; and Fill then rebuilds it with the fresh token.
func FuzzCacheEntry(f *testing.F) {
	f.Add(`{"host":"r.azurecr.io","identity":"id","refreshToken":"rt","expiresOn":"2999-01-01T00:00:00Z"}`)
	f.Add(`{"host":"other.azurecr.io","identity":"id","refreshToken":"rt"}`)
	f.Add("null")
	f.Add("\x00\xff{")
	c, err := OpenFileCache(testfs.TempDir(f)) // one per fuzzing process, the entry rewritten for each input
	if err != nil {
		f.Fatal(err)
	}
	fc := c.(*FileCache)
	f.Fuzz(func(t *testing.T, content string) {
		if err := os.WriteFile(fc.path("r.azurecr.io", "id"), []byte(content), 0o600); err != nil {
			t.Skip()
		}
		if e, ok := c.Get("r.azurecr.io", "id"); ok && (e.Host != "r.azurecr.io" || e.Identity != "id" || e.RefreshToken == "") {
			t.Fatalf("Get accepted %+v", e)
		}
		got, err := c.Fill("r.azurecr.io", "id", func(e Entry) bool { return e.RefreshToken == "fresh" }, func() (Entry, error) {
			return Entry{RefreshToken: "fresh", ExpiresOn: time.Now().Add(3 * time.Hour)}, nil
		})
		if err != nil || got.RefreshToken != "fresh" {
			t.Fatalf("Fill = %+v, %v", got, err)
		}
		if e, ok := c.Get("r.azurecr.io", "id"); !ok || e.RefreshToken != "fresh" {
			t.Fatalf("not rebuilt: %+v %v", e, ok)
		}
	})
}
