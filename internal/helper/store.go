package helper

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/filelock"
)

// Store keeps what `docker login` hands to the helper: the subset of credentials.Helper the helper needs.
type Store interface {
	Add(*credentials.Credentials) error
	Delete(serverURL string) error
	Get(serverURL string) (string, string, error)
	List() (map[string]string, error)
}

// FileStore keeps credentials in a 0600 JSON file, for machines without a platform keychain.
type FileStore struct{ Path string }

type fileEntry struct {
	Username string `json:"username"`
	Secret   string `json:"secret"`
}

type fileContent struct {
	Auths map[string]fileEntry `json:"auths"`
}

func (s FileStore) read() (fileContent, error) {
	c := fileContent{Auths: map[string]fileEntry{}}
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("credentials file %s is corrupt: %w", s.Path, err)
	}
	if c.Auths == nil {
		c.Auths = map[string]fileEntry{}
	}
	return c, nil
}

// update applies change under the file's lock and writes the result atomically. A corrupt file is kept
// aside as <path>.corrupt-<time> rather than lost.
func (s FileStore) update(change func(*fileContent)) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return err
	}
	unlock, err := filelock.Lock(s.Path+".lock", 30*time.Second)
	if err == nil {
		defer unlock()
	}
	c, err := s.read()
	if err != nil {
		if _, statErr := os.Stat(s.Path); statErr == nil {
			_ = os.Rename(s.Path, s.Path+".corrupt-"+time.Now().Format("20060102T150405"))
		}
		c = fileContent{Auths: map[string]fileEntry{}}
	}
	change(&c)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.Path, b, 0o600)
}

// Add stores creds.
func (s FileStore) Add(creds *credentials.Credentials) error {
	return s.update(func(c *fileContent) {
		c.Auths[creds.ServerURL] = fileEntry{Username: creds.Username, Secret: creds.Secret}
	})
}

// Delete removes serverURL's credentials; absent ones are no error.
func (s FileStore) Delete(serverURL string) error {
	c, err := s.read()
	if err == nil {
		if _, ok := c.Auths[serverURL]; !ok {
			return nil
		}
	}
	return s.update(func(c *fileContent) { delete(c.Auths, serverURL) })
}

// Get returns serverURL's credentials or credentials.NewErrCredentialsNotFound.
func (s FileStore) Get(serverURL string) (string, string, error) {
	c, err := s.read()
	if err != nil {
		return "", "", err
	}
	e, ok := c.Auths[serverURL]
	if !ok {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	return e.Username, e.Secret, nil
}

// List returns server URLs and usernames.
func (s FileStore) List() (map[string]string, error) {
	c, err := s.read()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(c.Auths))
	for k, v := range c.Auths {
		out[k] = v.Username
	}
	return out, nil
}

// NativeStore is a platform keychain reached through its docker-credential-<name> program, the way Docker
// itself would reach it.
type NativeStore struct{ Name string }

func (s NativeStore) program() client.ProgramFunc {
	return client.NewShellProgramFunc("docker-credential-" + s.Name)
}

// Add stores creds in the keychain.
func (s NativeStore) Add(creds *credentials.Credentials) error {
	return client.Store(s.program(), creds)
}

// Delete erases serverURL from the keychain; absent ones are no error.
func (s NativeStore) Delete(serverURL string) error {
	err := client.Erase(s.program(), serverURL)
	if credentials.IsErrCredentialsNotFound(err) {
		return nil
	}
	return err
}

// Get reads serverURL from the keychain.
func (s NativeStore) Get(serverURL string) (string, string, error) {
	c, err := client.Get(s.program(), serverURL)
	if err != nil {
		return "", "", err
	}
	return c.Username, c.Secret, nil
}

// List lists the keychain's entries.
func (s NativeStore) List() (map[string]string, error) { return client.List(s.program()) }

// platformStore is the keychain Docker would use on this machine when credsStore is not set, if its program
// is installed (docker/cli's default_store rules).
func platformStore() string {
	switch runtime.GOOS {
	case "darwin":
		return installed("osxkeychain")
	case "windows":
		return installed("wincred")
	}
	if _, err := exec.LookPath("pass"); err == nil {
		if name := installed("pass"); name != "" {
			return name
		}
	}
	return installed("secretservice")
}

func installed(name string) string {
	if _, err := exec.LookPath("docker-credential-" + name); err != nil {
		return ""
	}
	return name
}

// layeredStore writes to the primary store and falls back to the file when the primary fails, so that
// `docker login` never fails because a keychain is locked or missing; reads look in both.
type layeredStore struct {
	primary  Store
	fallback Store
	warn     func(format string, args ...any)
}

func (s layeredStore) Add(creds *credentials.Credentials) error {
	err := s.primary.Add(creds)
	if err == nil {
		_ = s.fallback.Delete(creds.ServerURL) // one place per server
		return nil
	}
	s.warn("acrdiag: the credential store failed (%s); keeping the credentials for %s in acrdiag's own file instead", cause.Summarize(err.Error()), creds.ServerURL)
	return s.fallback.Add(creds)
}

func (s layeredStore) Delete(serverURL string) error {
	return errors.Join(s.primary.Delete(serverURL), s.fallback.Delete(serverURL))
}

func (s layeredStore) Get(serverURL string) (string, string, error) {
	u, p, err := s.primary.Get(serverURL)
	if err == nil {
		return u, p, nil
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
