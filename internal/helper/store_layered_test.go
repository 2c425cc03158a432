package helper

import (
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"
)

// cuttingStore is the Windows Credential Manager as old wincred helpers reach it: it keeps the first
// WinCredMaxSecret bytes of a secret and says nothing.
type cuttingStore struct{ memoryStore }

func (c cuttingStore) Add(cr *credentials.Credentials) error {
	kept := *cr
	kept.Secret = kept.Secret[:min(len(kept.Secret), jwt.WinCredMaxSecret)]
	return c.memoryStore.Add(&kept)
}

func wincredLayers(t *testing.T) (layeredStore, cuttingStore, *[]string) {
	file, notes := testStore(t)
	primary := cuttingStore{memoryStore{}}
	return layeredStore{primary: primary, name: "wincred", limit: jwt.WinCredMaxSecret, fallback: *file,
		warn: file.Warn}, primary, notes
}

// longToken is an ACR refresh token bigger than WinCred keeps, as large tenants' tokens are.
func longToken(t *testing.T) string {
	tok := acrToken(t, time.Now().Add(3*time.Hour))
	head, rest, _ := strings.Cut(tok, ".")
	return head + "." + strings.Repeat("A", 3000) + rest // the payload need not decode for the store
}

// TestLongSecretsNeverGoToWinCred: a token longer than WinCred keeps goes whole to acrdiag's file, the
// user told once where and why (never the secret), and any copy cut short before is erased; a short one
// goes to WinCred and not to the file.
func TestLongSecretsNeverGoToWinCred(t *testing.T) {
	s, primary, notes := wincredLayers(t)
	long := longToken(t)
	_ = primary.memoryStore.Add(&credentials.Credentials{ServerURL: storeHost, Username: loginserver.EmptyGUID, Secret: long[:jwt.WinCredMaxSecret]})
	if err := s.Add(&credentials.Credentials{ServerURL: storeHost, Username: loginserver.EmptyGUID, Secret: long}); err != nil {
		t.Fatal(err)
	}
	if _, ok := primary.memoryStore[storeHost]; ok {
		t.Error("wincred still holds a token for the host")
	}
	if _, secret, err := s.Get(storeHost); err != nil || secret != long {
		t.Errorf("get: %d bytes, %v; want the whole %d", len(secret), err, len(long))
	}
	if len(*notes) != 1 || !strings.Contains((*notes)[0], "docker-credential-wincred keeps (2560 bytes") ||
		!strings.Contains((*notes)[0], s.fallback.Path) || strings.Contains((*notes)[0], long[:40]) {
		t.Errorf("notes %q: want one naming the limit and the file, without the secret", *notes)
	}
	short := acrToken(t, time.Now().Add(3*time.Hour))
	if err := s.Add(&credentials.Credentials{ServerURL: storeHost, Username: loginserver.EmptyGUID, Secret: short}); err != nil {
		t.Fatal(err)
	}
	if c := primary.memoryStore[storeHost]; c == nil || c.Secret != short {
		t.Error("a short token did not go to wincred")
	}
	if _, _, err := s.fallback.Get(storeHost); !credentials.IsErrCredentialsNotFound(err) {
		t.Errorf("the file still holds the host: %v", err)
	}
}

// TestTruncatedStoredTokenIsNotServed: a token WinCred cut short before acrdiag kept long ones in its
// file is never handed out; the error says so and how to fix it.
func TestTruncatedStoredTokenIsNotServed(t *testing.T) {
	s, primary, _ := wincredLayers(t)
	cut := longToken(t)[:jwt.WinCredMaxSecret]
	_ = primary.memoryStore.Add(&credentials.Credentials{ServerURL: storeHost, Username: loginserver.EmptyGUID, Secret: cut})
	_, secret, err := s.Get(storeHost)
	if err == nil || secret != "" {
		t.Fatalf("a cut token was served (%d bytes)", len(secret))
	}
	if msg := err.Error(); !strings.Contains(msg, "cut short (2560 bytes") || !strings.Contains(msg, "docker login "+storeHost) || strings.Contains(msg, cut[:40]) {
		t.Errorf("error %q: want what happened, the fix and no secret", msg)
	}
}

func TestSecretLimit(t *testing.T) {
	for _, tc := range []struct {
		name, goos string
		want       int
	}{
		{"wincred", "windows", jwt.WinCredMaxSecret}, {"desktop", "windows", jwt.WinCredMaxSecret},
		{"desktop.exe", "linux", jwt.WinCredMaxSecret}, {"desktop", "darwin", 0}, {"osxkeychain", "darwin", 0}, {"pass", "linux", 0},
	} {
		if got := secretLimit(tc.name, tc.goos); got != tc.want {
			t.Errorf("secretLimit(%s, %s) = %d, want %d", tc.name, tc.goos, got, tc.want)
		}
	}
}
