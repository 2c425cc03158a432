package helper

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// The texts docker-credential-osxkeychain prints, as docker-credential-helpers' client hands them back:
// its own message for a locked keychain on get, erase and list (v0.9), the Security framework's on store
// and in older helpers, and the framework's errSecItemNotFound of old helpers.
const (
	osxLockedGet   = "error getting credentials - err: exit status 1, out: `keychain cannot be accessed because the current session does not allow user interaction. The keychain may be locked; unlock it by running \"security -v unlock-keychain ~/Library/Keychains/login.keychain-db\" and try again`"
	osxLockedStore = "error storing credentials - err: exit status 1, out: `User interaction is not allowed. (-25308)`"
	osxOldNotFound = "error getting credentials - err: exit status 1, out: `The specified item could not be found in the keychain. (-25300)`"
)

// fakeKeychain is the macOS login keychain behind docker-credential-osxkeychain: locked, it refuses every
// action as the real one does in a session that cannot show the unlock prompt.
type fakeKeychain struct {
	items       memoryStore
	locked      bool
	oldNotFound bool // answers a missing item in the words of helpers before v0.9
}

func (k *fakeKeychain) refuse(text string) error {
	if k.locked {
		return fmt.Errorf("%s", text)
	}
	return nil
}

func (k *fakeKeychain) Add(c *credentials.Credentials) error {
	if err := k.refuse(osxLockedStore); err != nil {
		return err
	}
	return k.items.Add(c)
}

func (k *fakeKeychain) Delete(s string) error {
	if err := k.refuse(osxLockedGet); err != nil {
		return err
	}
	return k.items.Delete(s)
}

func (k *fakeKeychain) Get(s string) (string, string, error) {
	if err := k.refuse(osxLockedGet); err != nil {
		return "", "", err
	}
	u, p, err := k.items.Get(s)
	if err != nil && k.oldNotFound {
		return "", "", fmt.Errorf("%s", osxOldNotFound)
	}
	return u, p, err
}

func (k *fakeKeychain) List() (map[string]string, error) {
	if err := k.refuse(osxLockedGet); err != nil {
		return nil, err
	}
	return k.items.List()
}

// fakePlatform is a machine of any OS with the helpers it has installed, each behind one keychain.
type fakePlatform struct {
	goos      string
	installed []string
	keychain  Store
}

func (p fakePlatform) GOOS() string               { return p.goos }
func (p fakePlatform) Installed(name string) bool { return slices.Contains(p.installed, name) }
func (p fakePlatform) Keychain(string) Store      { return p.keychain }

// TestPlatformStoreChoice: the store Docker would pick when credsStore is unset, per OS and installed
// helpers, and the secret limit that goes with it.
func TestPlatformStoreChoice(t *testing.T) {
	for _, tc := range []struct {
		goos      string
		installed []string
		want      string
		limit     int
	}{
		{"darwin", []string{"osxkeychain", "pass"}, "osxkeychain", 0},
		{"darwin", nil, "", 0},
		{"windows", []string{"wincred"}, "wincred", jwt.WinCredMaxSecret},
		{"windows", []string{"osxkeychain"}, "", 0},
		{"linux", []string{"pass", "secretservice"}, "pass", 0},
		{"linux", []string{"secretservice"}, "secretservice", 0},
	} {
		p := fakePlatform{goos: tc.goos, installed: tc.installed}
		got := platformStore(p)
		if got != tc.want {
			t.Errorf("%s with %v: %q, want %q", tc.goos, tc.installed, got, tc.want)
		}
		if got != "" {
			if l := newLayeredStore(got, p, FileStore{}, nil); l.limit != tc.limit {
				t.Errorf("%s: limit %d, want %d", got, l.limit, tc.limit)
			}
		}
	}
}

// macHelper is the helper on a Mac with docker-credential-osxkeychain installed and store "auto".
func macHelper(t *testing.T, kc *fakeKeychain) (*Helper, *bytes.Buffer, string) {
	t.Helper()
	dir := testfs.TempDir(t)
	t.Setenv("ACRDIAG_CONFIG", filepath.Join(dir, "config", "config.json"))
	var stderr bytes.Buffer
	renewer := fakeRenewer{res: engineproc.RenewResult{RefreshToken: "identity-token", ExpiresOn: time.Now().Add(3 * time.Hour)}}
	h := New(WithConfig(config.Config{CacheDir: filepath.Join(dir, "cache")}, nil), WithCache(tokencache.NullCache{}),
		WithRenewer(renewer), WithStderr(&stderr), WithPlatform(fakePlatform{goos: "darwin", installed: []string{"osxkeychain"}, keychain: kc}))
	return h, &stderr, filepath.Join(dir, "config", "credentials.json")
}

// TestOsxkeychainUnlocked: on macOS docker login's credentials go to the login keychain, not to acrdiag's
// file, and come back from it; logout erases them.
func TestOsxkeychainUnlocked(t *testing.T) {
	kc := &fakeKeychain{items: memoryStore{}}
	h, stderr, file := macHelper(t, kc)
	if err := h.Add(&credentials.Credentials{ServerURL: storeHost, Username: "admin", Secret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if kc.items[storeHost] == nil || exists(file) {
		t.Errorf("keychain %v, file written %v: want the keychain only", kc.items, exists(file))
	}
	if u, p, err := h.Get(storeHost); err != nil || u != "admin" || p != "s3cret" {
		t.Errorf("get: %q %v", u, err)
	}
	if err := h.Delete(storeHost); err != nil || kc.items[storeHost] != nil {
		t.Errorf("erase: %v, left %v", err, kc.items)
	}
	if stderr.Len() != 0 {
		t.Errorf("notes on an ordinary login: %q", stderr)
	}
}

// TestOsxkeychainLocked: a keychain this session cannot unlock (SSH, launchd, a CI runner; -25308) never
// fails docker login: the credentials go to acrdiag's file with one note naming the keychain's state and
// `security unlock-keychain`, and are served from there; a registry with nothing stored is answered from
// the identity, the keychain's refusal recorded for docker acrcheck; erase says what to run; once the
// keychain is unlocked, what the file holds is still served.
func TestOsxkeychainLocked(t *testing.T) {
	kc := &fakeKeychain{items: memoryStore{}, locked: true}
	h, stderr, file := macHelper(t, kc)
	if err := h.Add(&credentials.Credentials{ServerURL: storeHost, Username: "admin", Secret: "s3cret"}); err != nil {
		t.Fatalf("docker login failed with a locked keychain: %v", err)
	}
	note := stderr.String()
	if !strings.Contains(note, "-25308") || !strings.Contains(note, "security -v unlock-keychain") || !strings.Contains(note, file) ||
		strings.Contains(note, "s3cret") || strings.Count(note, "\n") != 1 {
		t.Errorf("note %q: want one line naming the locked keychain, the file and the fix, without the secret", note)
	}
	if u, p, err := h.Get(storeHost); err != nil || u != "admin" || p != "s3cret" {
		t.Errorf("get of what the file keeps: %q %v", u, err)
	}
	if list, err := h.List(); err != nil || list[storeHost] != "admin" {
		t.Errorf("list: %v %v", list, err)
	}

	const other = "other.azurecr.io"
	if _, p, err := h.Get(other); err != nil || p != "identity-token" {
		t.Errorf("get of a registry with nothing stored: %v; want the identity's token", err)
	}
	rec, ok := lastfailure.Last(h.cfg.CacheDir, other)
	if !ok || rec.Cause != cause.DockerCredentialStore || !strings.Contains(rec.Detail, "locked") {
		t.Errorf("record %+v: want %s naming the locked keychain", rec, cause.DockerCredentialStore)
	}

	stderr.Reset()
	if err := h.Delete(storeHost); err != nil {
		t.Errorf("docker logout failed with a locked keychain: %v", err)
	}
	if note := stderr.String(); !strings.Contains(note, "could not erase the credentials for "+storeHost) ||
		!strings.Contains(note, "security -v unlock-keychain") || strings.Count(note, "acrdiag:") != 1 {
		t.Errorf("erase note %q: want one line: what failed, why and the fix", note)
	}
	kc.locked = false
	if _, p, err := h.Get(storeHost); err != nil || p != "identity-token" {
		t.Errorf("get after logout and unlocking: %v; want the identity's token, the file's copy erased", err)
	}
}

// TestOsxkeychainMissingItem: an item the keychain does not have, in the words of old helpers too, is
// "not found": get goes on to the identity, erase (docker logout) succeeds.
func TestOsxkeychainMissingItem(t *testing.T) {
	kc := &fakeKeychain{items: memoryStore{}, oldNotFound: true}
	h, _, _ := macHelper(t, kc)
	if _, p, err := h.Get(storeHost); err != nil || p != "identity-token" {
		t.Errorf("get: %v; want the identity's token", err)
	}
	if _, ok := lastfailure.Last(h.cfg.CacheDir, storeHost); ok {
		t.Error("a missing item was recorded as a failure")
	}
	if err := h.Delete(storeHost); err != nil {
		t.Errorf("erase of a missing item: %v", err)
	}
	if _, _, err := h.Get("example.com"); !credentials.IsErrCredentialsNotFound(err) {
		t.Errorf("a foreign host: %v, want not found", err)
	}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }
