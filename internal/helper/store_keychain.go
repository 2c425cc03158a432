package helper

import (
	"strings"

	"github.com/docker/docker-credential-helpers/credentials"
)

// keychainStore is a platform store whose failures are put in the user's terms: a keychain that says its
// item is missing in its own words is "not found", and a locked macOS keychain is named with the fix.
type keychainStore struct {
	Store
	name string
}

func (k keychainStore) Add(c *credentials.Credentials) error {
	return k.explain(k.Store.Add(c), "could not store the credentials for "+c.ServerURL)
}

func (k keychainStore) Delete(serverURL string) error {
	err := k.explain(k.Store.Delete(serverURL), "could not erase the credentials for "+serverURL)
	if credentials.IsErrCredentialsNotFound(err) {
		return nil
	}
	return err
}

func (k keychainStore) Get(serverURL string) (string, string, error) {
	u, p, err := k.Store.Get(serverURL)
	return u, p, k.explain(err, "could not read the stored credentials for "+serverURL)
}

func (k keychainStore) List() (map[string]string, error) {
	out, err := k.Store.List()
	if err = k.explain(err, "could not list the stored credentials"); credentials.IsErrCredentialsNotFound(err) {
		return map[string]string{}, nil // an empty keychain
	}
	return out, err
}

// explain recognises the keychain errors by the text docker-credential-osxkeychain prints: its own
// message for errSecInteractionNotAllowed (v0.9 and later), or the Security framework's (older helpers,
// and its store action in every version).
func (k keychainStore) explain(err error, action string) error {
	if err == nil || credentials.IsErrCredentialsNotFound(err) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "(-25300)") || strings.Contains(msg, "could not be found in the keychain"): // errSecItemNotFound
		return credentials.NewErrCredentialsNotFound()
	case strings.Contains(msg, "(-25308)") || strings.Contains(msg, "not allow user interaction") || strings.Contains(msg, "interaction is not allowed"):
		return &StoreError{Action: action, Err: err,
			Problem: "docker-credential-" + k.name + " cannot open the login keychain: it is locked, and this session cannot show the prompt that unlocks it (errSecInteractionNotAllowed, -25308: an SSH session, a launchd job or a CI runner)",
			Fix:     "unlock it for this session: security -v unlock-keychain ~/Library/Keychains/login.keychain-db (or keep these credentials in acrdiag's own file: \"store\": \"file\" in acrdiag's config.json)"}
	}
	return err
}
