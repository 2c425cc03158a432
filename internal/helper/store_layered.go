package helper

import (
	"errors"
	"fmt"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/jwt"
)

// layeredStore writes to the primary store and falls back to acrdiag's own file when the primary fails or
// cannot keep the secret whole, so that `docker login` never fails because a keychain is locked, missing or
// too small; reads look in both.
type layeredStore struct {
	primary  Store
	name     string // the primary's docker-credential-<name>
	limit    int    // the most the primary keeps of a secret; 0: no limit
	fallback FileStore
	warn     func(format string, args ...any)
}

func newLayeredStore(name string, p Platform, file FileStore, warn func(format string, args ...any)) layeredStore {
	return layeredStore{primary: keychainStore{p.Keychain(name), name}, name: name, limit: secretLimit(name, p.GOOS()), fallback: file, warn: warn}
}

// secretLimit is the most a platform store keeps of one secret: the Windows Credential Manager's, behind
// wincred and behind Docker Desktop's helper on Windows (desktop) and from WSL (desktop.exe).
func secretLimit(name, goos string) int {
	if name == "wincred" || name == "desktop.exe" || (name == "desktop" && goos == "windows") {
		return jwt.WinCredMaxSecret
	}
	return 0
}

func (s layeredStore) Add(creds *credentials.Credentials) error {
	if s.limit > 0 && len(creds.Secret) > s.limit {
		_ = s.primary.Delete(creds.ServerURL) // a copy cut short by an earlier login must not be served
		s.warn("acrdiag: the secret for %s is %d bytes, more than docker-credential-%s keeps (%d bytes: it would be cut short and the registry would refuse it); keeping it in acrdiag's own file %s, which only you can read, instead",
			creds.ServerURL, len(creds.Secret), s.name, s.limit, s.fallback.Path)
		return s.fallback.Add(creds)
	}
	err := s.primary.Add(creds)
	if err == nil {
		_ = s.fallback.Delete(creds.ServerURL) // one place per server
		return nil
	}
	var se *StoreError
	if errors.As(err, &se) {
		s.warn("acrdiag: %s; keeping the credentials for %s in acrdiag's own file %s instead. To use the keychain again: %s", se.Problem, creds.ServerURL, s.fallback.Path, se.Fix)
	} else {
		s.warn("acrdiag: the credential store failed (%s); keeping the credentials for %s in acrdiag's own file instead", cause.Summarize(err.Error()), creds.ServerURL)
	}
	return s.fallback.Add(creds)
}

func (s layeredStore) Delete(serverURL string) error {
	return errors.Join(s.primary.Delete(serverURL), s.fallback.Delete(serverURL))
}

// Get prefers the primary, unless what it holds was cut short (stored before acrdiag kept long secrets
// in its file, or by another program): that one the registry would refuse.
func (s layeredStore) Get(serverURL string) (string, string, error) {
	u, p, err := s.primary.Get(serverURL)
	if err == nil && !jwt.Truncated(p) {
		return u, p, nil
	}
	if err == nil {
		err = &StoreError{Action: "could not use the stored credentials for " + serverURL,
			Problem: fmt.Sprintf("docker-credential-%s holds a token cut short (%d bytes; the Windows Credential Manager keeps at most %d bytes of a secret)", s.name, len(p), jwt.WinCredMaxSecret),
			Fix:     "log in again, and acrdiag keeps the whole token in its own file: docker logout " + serverURL + " && docker login " + serverURL}
	}
	u, p, ferr := s.fallback.Get(serverURL)
	if ferr == nil {
		return u, p, nil
	}
	if credentials.IsErrCredentialsNotFound(err) {
		return "", "", ferr
	}
	return "", "", err
}

func (s layeredStore) List() (map[string]string, error) {
	out, err := s.primary.List()
	if err != nil {
		out = map[string]string{}
	}
	more, ferr := s.fallback.List()
	for k, v := range more {
		out[k] = v
	}
	if err != nil && ferr != nil {
		return nil, err
	}
	return out, nil
}
