package helper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/filelock"
)

// Store keeps what `docker login` hands to the helper: the subset of credentials.Helper the helper needs.
type Store interface {
	Add(*credentials.Credentials) error
	Delete(serverURL string) error
	Get(serverURL string) (string, string, error)
	List() (map[string]string, error)
}

// FileStore keeps credentials in a JSON file only its user may read (0600; on Windows a DACL of the user,
// SYSTEM and Administrators), for machines without a platform keychain.
type FileStore struct {
	Path string
	// Warn tells the user what the store did on its own (a corrupt file set aside); nil: stderr.
	Warn func(format string, args ...any)

	openFile  func(string) (*os.File, error)          // tests: a file that cannot be read; nil: os.Open
	writeFile func(string, []byte, os.FileMode) error // tests: a full disk; nil: writePrivate
}

type fileEntry struct {
	Username string `json:"username"`
	Secret   string `json:"secret"`
}

type fileContent struct {
	Auths map[string]fileEntry `json:"auths"`
}

// maxStoreFile bounds the credentials file: about a thousand registries' tokens. A bigger file is not one
// acrdiag wrote, and reading it would make every docker command wait for it.
const maxStoreFile = 4 << 20

// StoreError is a failure of acrdiag's credentials file as the user sees it (docker login prints it): one
// line with acrdiag's prefix, what happened, why, and the command that fixes it. It never holds a secret.
type StoreError struct {
	Action  string // what could not be done: "could not store the credentials for myregistry.azurecr.io"
	Problem string // what happened and why
	Fix     string
	Err     error
	corrupt bool // the file does not parse: the one problem that update may set the file aside for
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("acrdiag: %s: %s. Fix: %s", e.Action, e.Problem, e.Fix)
}

func (e *StoreError) Unwrap() error { return e.Err }

// fileProblem is what is wrong with an existing credentials file that cannot be used; nothing is changed.
func (s FileStore) fileProblem(problem, fix string, err error) *StoreError {
	return &StoreError{Problem: "the credentials file " + s.Path + " " + problem, Fix: fix, Err: err}
}

// load returns the file's bytes (nil when there is none), checking what it is before reading it: a
// directory or device in its place, or a file far bigger than acrdiag writes, is an error and is not read.
func (s FileStore) load() ([]byte, error) {
	moveAway := fmt.Sprintf("move it away (mv %s %s.bak), then log in again: docker login REGISTRY", s.Path, s.Path)
	st, err := os.Stat(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	switch {
	case err != nil:
		return nil, s.fileProblem("cannot be examined ("+errText(err)+")", "check it and its directory: ls -ld "+filepath.Dir(s.Path)+" "+s.Path, err)
	case !st.Mode().IsRegular():
		return nil, s.fileProblem("is not a regular file but "+kind(st.Mode()), moveAway, nil)
	case st.Size() > maxStoreFile:
		return nil, s.fileProblem(fmt.Sprintf("is %d bytes, more than acrdiag's credential store can be (%d MiB): it is not one acrdiag wrote", st.Size(), maxStoreFile>>20), moveAway, nil)
	}
	open := s.openFile
	if open == nil {
		open = os.Open
	}
	f, err := open(s.Path)
	if err != nil {
		return nil, s.unreadable(err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxStoreFile+1))
	if err != nil {
		return nil, s.unreadable(err)
	}
	if len(b) > maxStoreFile {
		return nil, s.fileProblem(fmt.Sprintf("is more than %d MiB: it is not one acrdiag wrote", maxStoreFile>>20), moveAway, nil)
	}
	return b, nil
}

func (s FileStore) unreadable(err error) *StoreError {
	if errors.Is(err, os.ErrPermission) {
		return s.fileProblem("cannot be read (permission denied: it belongs to another user or its mode forbids reading)",
			fmt.Sprintf("make it yours again: sudo chown $(id -un) %s && chmod 600 %s", s.Path, s.Path), err)
	}
	return s.fileProblem("cannot be read ("+errText(err)+")", "check it: ls -l "+s.Path, err)
}

func (s FileStore) read() (fileContent, error) {
	c := fileContent{Auths: map[string]fileEntry{}}
	b, err := s.load()
	if err != nil || b == nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		e := s.fileProblem("is corrupt ("+errText(err)+")", "remove it (rm "+s.Path+") and log in again: docker login REGISTRY", err)
		e.corrupt = true
		return fileContent{Auths: map[string]fileEntry{}}, e
	}
	if c.Auths == nil {
		c.Auths = map[string]fileEntry{}
	}
	return c, nil
}

// kind names what a path that is no regular file is.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}

// errText is an error without the path it repeats.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (s FileStore) warn(format string, args ...any) {
	if s.Warn != nil {
		s.Warn(format, args...)
		return
	}
	_, _ = fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// update applies change under the file's lock and writes the result atomically. A corrupt file (one that
// does not parse) is kept aside as <path>.corrupt-<time> and the user told; a file that cannot be read is
// an error, and nothing is changed: its entries must not silently stop being served.
func (s FileStore) update(action string, change func(*fileContent)) error {
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s.writeProblem(action, dir, err)
	}
	if unlock, err := filelock.Lock(s.Path+".lock", 30*time.Second); err == nil {
		defer unlock()
	}
	c, err := s.read()
	var se *StoreError
	switch {
	case errors.As(err, &se) && se.corrupt:
		aside := s.Path + ".corrupt-" + time.Now().Format("20060102T150405")
		if err := os.Rename(s.Path, aside); err != nil {
			return s.writeProblem(action, dir, err)
		}
		s.warn("acrdiag: %s; kept it as %s and started a new one, so the credentials it held are no longer stored. Fix: log in again to each registry it held (docker login REGISTRY); look at the old file with: python3 -m json.tool %s",
			se.Problem, aside, aside)
	case errors.As(err, &se):
		se.Action = action
		se.Problem += ", so nothing was changed"
		return se
	case err != nil:
		return err
	}
	change(&c)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	write := s.writeFile
	if write == nil {
		write = writePrivate
	}
	if err := write(s.Path, b, 0o600); err != nil {
		return s.writeProblem(action, dir, err)
	}
	return nil
}

// writeProblem says why the file could not be written, and the fix: the usual causes are a full disk, a
// directory of another user (a sudo docker login once), and a read-only home.
func (s FileStore) writeProblem(action, dir string, err error) error {
	why, fix := errText(err), "check the directory: ls -ld "+dir
	switch {
	case errors.Is(err, syscall.ENOSPC):
		why, fix = "no space left on device: the disk is full", fmt.Sprintf("free space on the disk that holds %s (check: df -h %s), then log in again", dir, dir)
	case errors.Is(err, syscall.EDQUOT):
		why, fix = "disk quota exceeded", fmt.Sprintf("free space within your quota (check: df -h %s; quota -s), then log in again", dir)
	case errors.Is(err, os.ErrPermission):
		why, fix = "permission denied: this user may not write "+dir, fmt.Sprintf("make it yours again: sudo chown -R $(id -un) %s && chmod 700 %s", dir, dir)
	case errors.Is(err, syscall.EROFS):
		why, fix = "the file system is read-only", "point ACRDIAG_CONFIG at a config.json in a writable directory (the credentials file goes beside it), or use a keychain: \"store\": \"pass\" or \"secretservice\" in acrdiag's config.json"
	}
	return &StoreError{Action: action, Problem: fmt.Sprintf("writing %s failed (%s), so nothing was changed", s.Path, why), Fix: fix, Err: err}
}

// Add stores creds.
func (s FileStore) Add(creds *credentials.Credentials) error {
	return s.update("could not store the credentials for "+creds.ServerURL, func(c *fileContent) {
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
	return s.update("could not erase the credentials for "+serverURL, func(c *fileContent) { delete(c.Auths, serverURL) })
}

// Get returns serverURL's credentials or credentials.NewErrCredentialsNotFound.
func (s FileStore) Get(serverURL string) (string, string, error) {
	c, err := s.read()
	if err != nil {
		return "", "", withAction(err, "could not read the stored credentials for "+serverURL)
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
		return nil, withAction(err, "could not list the stored credentials")
	}
	out := make(map[string]string, len(c.Auths))
	for k, v := range c.Auths {
		out[k] = v.Username
	}
	return out, nil
}

func withAction(err error, action string) error {
	var se *StoreError
	if errors.As(err, &se) {
		se.Action = action
	}
	return err
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

// writePrivate writes the credentials file so that only its user may read it.
func writePrivate(path string, data []byte, _ os.FileMode) error {
	return atomicfile.WritePrivate(path, data)
}
