// Package dockerconfig reads Docker's config.json (bounded, for explanations and completion) and edits it,
// and containers' auth.json (the same format: auths and credHelpers), safely: it changes only the keys
// acrdiag owns (credHelpers entries, the acrcheck plugin's hooks, features.hooks), keeps every other key as
// it was, writes atomically through symlinks, and records each change it made, so that Undo takes back
// acrdiag's own changes and keeps everyone else's.
package dockerconfig

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
)

// BackupSuffix names the copy of a file taken before acrdiag changed it.
const BackupSuffix = ".acrcheck-backup"

// Path is the config.json Docker uses: $DOCKER_CONFIG/config.json or ~/.docker/config.json.
func Path() (string, error) {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".docker")
	}
	return filepath.Join(dir, "config.json"), nil
}

// File is a config.json as raw keys, so that keys acrdiag does not know survive byte for byte.
type File struct {
	Path     string // as given
	Target   string // the file written: Path with symlinks resolved
	Original []byte // nil when the file does not exist
	keys     map[string]json.RawMessage
	pending  []entry // what Apply changed, for the change record
}

// ErrInvalid is a config.json that is not a JSON object.
var ErrInvalid = errors.New("not a valid JSON object")

// maxSize bounds what is read of config.json: real ones are a few kilobytes, and the CLI hook reads it
// after every failed command.
const maxSize = 4 << 20

// Load reads path (through a symlink: config.json is often a dotfile link); a missing file is an empty
// configuration.
func Load(path string) (*File, error) {
	f := &File{Path: path, Target: path, keys: map[string]json.RawMessage{}}
	if t, err := filepath.EvalSymlinks(path); err == nil {
		f.Target = t
	}
	b, err := atomicfile.ReadSmall(f.Target, maxSize, false)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := f.parse(b); err != nil {
		return nil, err
	}
	return f, nil
}

// Parse reads content as the config.json at path, without touching the file.
func Parse(path string, content []byte) (*File, error) {
	f := &File{Path: path, Target: path, keys: map[string]json.RawMessage{}}
	if err := f.parse(content); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) parse(b []byte) error {
	f.Original = b
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, &f.keys); err != nil {
		return fmt.Errorf("%s is %w: %w", f.Path, ErrInvalid, err)
	}
	if f.keys == nil { // the file says null
		f.keys = map[string]json.RawMessage{}
	}
	return f.checkSpelling()
}

// ErrMisspelled is a config.json key that Docker reads as one of the keys acrdiag edits although it is
// spelled differently ("CredHelpers"): Docker's decoder matches keys without regard to case, so an edit
// of the exact key would land beside it and Docker would merge or reject the two.
var ErrMisspelled = errors.New("a key Docker reads without regard to case")

// editedKeys are the top-level keys setup writes.
var editedKeys = []string{"credHelpers", "plugins", "features"}

func (f *File) checkSpelling() error {
	for k := range f.keys {
		for _, want := range editedKeys {
			if k != want && strings.EqualFold(k, want) {
				return fmt.Errorf("%s has %w: %q is read by Docker as %q; rename it to %q (merge its entries into that key if both exist) and run setup again",
					f.Path, ErrMisspelled, k, want, want)
			}
		}
	}
	return nil
}

// Servers lists the servers the file has credentials or a credential helper for (auths and credHelpers
// keys), in no particular order; nothing when their shape is unexpected.
func (f *File) Servers() []string {
	var auths map[string]json.RawMessage
	var helpers map[string]string
	_ = f.get("auths", &auths)
	_ = f.get("credHelpers", &helpers)
	var out []string
	for k := range auths {
		out = append(out, k)
	}
	for k := range helpers {
		out = append(out, k)
	}
	return out
}

// Login is a login config.json holds inline (auths), decoded: what `docker login` stored without a helper.
type Login struct {
	Username, Secret string
}

// InlineLogin returns the login stored inline for host, under its bare or https:// key.
func (f *File) InlineLogin(host string) (Login, bool) {
	var auths map[string]struct {
		Auth string `json:"auth"`
	}
	if f.get("auths", &auths) != nil {
		return Login{}, false
	}
	entry, ok := auths[host]
	if !ok {
		entry, ok = auths["https://"+host]
	}
	if !ok || entry.Auth == "" {
		return Login{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(entry.Auth)
	if err != nil {
		return Login{}, false
	}
	user, secret, _ := strings.Cut(string(raw), ":")
	return Login{Username: user, Secret: secret}, true
}

// HasAuthEntry reports whether auths holds an entry for host (bare or https://), whatever it stores: a
// login, an identity token, or an empty placeholder a helper's login left.
func (f *File) HasAuthEntry(host string) bool {
	var auths map[string]json.RawMessage
	if f.get("auths", &auths) != nil {
		return false
	}
	_, bare := auths[host]
	_, https := auths["https://"+host]
	return bare || https
}

// HelperFor is the credential helper Docker asks for host's credentials: its credHelpers entry, else
// credsStore; "" when Docker keeps them in the file itself.
func (f *File) HelperFor(host string) string {
	var store string
	_ = f.get("credsStore", &store)
	if h := f.CredHelpers()[host]; h != "" {
		return h
	}
	return store
}

// CredHelpers is the credHelpers section: registry -> helper name (empty when its shape is unexpected).
func (f *File) CredHelpers() map[string]string {
	var helpers map[string]string
	if f.get("credHelpers", &helpers) != nil {
		return nil
	}
	return helpers
}

// get decodes a key into v; a missing key leaves v as it is.
func (f *File) get(key string, v any) error {
	raw, ok := f.keys[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: key %q has an unexpected shape: %w", f.Path, key, err)
	}
	return nil
}

func (f *File) set(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f.keys[key] = b
	return nil
}

// Change is what acrdiag wants in config.json.
type Change struct {
	CredHelpers map[string]string // host -> helper name
	PluginHooks map[string]string // plugins.acrcheck keys: hooks, error-hooks
	Features    map[string]string // features keys: hooks
}

// sections are the parts of config.json acrdiag edits, read as maps (a JSON null reads as empty).
type sections struct {
	helpers  map[string]string
	plugins  map[string]map[string]string
	features map[string]string
}

func (f *File) sections() (sections, error) {
	var s sections
	for k, v := range map[string]any{"credHelpers": &s.helpers, "plugins": &s.plugins, "features": &s.features} {
		if err := f.get(k, v); err != nil {
			return s, err
		}
	}
	if s.helpers == nil {
		s.helpers = map[string]string{}
	}
	if s.plugins == nil {
		s.plugins = map[string]map[string]string{}
	}
	if s.plugins[pluginName] == nil {
		s.plugins[pluginName] = map[string]string{}
	}
	if s.features == nil {
		s.features = map[string]string{}
	}
	return s, nil
}

// section is the map of one section name of the change record.
func (s sections) section(name string) map[string]string {
	switch name {
	case secHelpers:
		return s.helpers
	case secPlugin:
		return s.plugins[pluginName]
	}
	return s.features
}

// store writes the sections back, leaving out those that are empty and were not in the file before.
func (f *File) store(s sections) error {
	if len(s.plugins[pluginName]) == 0 {
		delete(s.plugins, pluginName)
	}
	for k, v := range map[string]any{"credHelpers": s.helpers, "plugins": s.plugins, "features": s.features} {
		if _, had := f.keys[k]; had || !isEmpty(v) {
			if err := f.set(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Apply merges the change; it reports whether anything differs from the file.
func (f *File) Apply(c Change) (bool, error) {
	s, err := f.sections()
	if err != nil {
		return false, err
	}
	f.pending = nil
	for name, want := range map[string]map[string]string{secHelpers: c.CredHelpers, secPlugin: c.PluginHooks, secFeatures: c.Features} {
		m := s.section(name)
		for k, v := range want {
			if old, had := m[k]; !had || old != v {
				e := entry{Section: name, Key: k, Set: v}
				if had {
					e.Was = &old
				}
				f.pending = append(f.pending, e)
				m[k] = v
			}
		}
	}
	if len(f.pending) == 0 {
		return false, nil
	}
	return true, f.store(s)
}

func isEmpty(v any) bool {
	switch m := v.(type) {
	case map[string]string:
		return len(m) == 0
	case map[string]map[string]string:
		return len(m) == 0
	}
	return false
}

// Bytes is the new content, indented like Docker writes it.
func (f *File) Bytes() ([]byte, error) {
	b, err := json.MarshalIndent(f.keys, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Save writes the new content atomically, with the original's permissions (0600 for a new file), after
// recording what acrdiag changed. The first Save also keeps a copy of the original as a backup.
func (f *File) Save() error {
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	perm := os.FileMode(0o600)
	if st, err := os.Stat(f.Target); err == nil {
		perm = st.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(f.Target), 0o700); err != nil {
		return err
	}
	rec, err := readRecord(f.Target)
	if err != nil {
		return err
	}
	if f.Original != nil && (rec.Wrote == "" || !fileExists(f.Target+BackupSuffix)) {
		if err := atomicfile.Write(f.Target+BackupSuffix, f.Original, perm); err != nil {
			return fmt.Errorf("back up %s: %w", f.Target, err)
		}
	}
	rec.add(f.Original, b, f.pending)
	if err := rec.write(f.Target); err != nil {
		return fmt.Errorf("record the change to %s: %w", f.Target, err)
	}
	return atomicfile.Write(f.Target, b, perm)
}

// ErrNothingToUndo is a file setup never changed (no change record, no backup).
var ErrNothingToUndo = errors.New("nothing to undo")

// Undo takes back what acrdiag's setups changed in path and keeps every change made by others since: a
// key acrdiag set is restored to its value before the first setup, unless someone changed it after. When
// nobody touched the file since, the original comes back byte for byte.
func Undo(path string) error {
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	rec, err := readRecord(target)
	if err != nil {
		return err
	}
	backup, backupErr := os.ReadFile(target + BackupSuffix)
	if len(rec.Entries) == 0 {
		if errors.Is(backupErr, os.ErrNotExist) {
			return fmt.Errorf("%w: setup has not changed %s", ErrNothingToUndo, target)
		}
		if backupErr != nil {
			return backupErr
		}
		return restore(target, backup) // a backup from a version that kept no change record
	}
	current, err := os.ReadFile(target)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if rec.Pristine && rec.Wrote == digest(current) {
		if rec.Created {
			return remove(target, target+BackupSuffix, target+RecordSuffix) // setup made it; nobody wrote to it since
		}
		if backupErr == nil {
			return restore(target, backup)
		}
	}
	f, err := Load(path)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	s, err := f.sections()
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	for _, e := range rec.Entries {
		m := s.section(e.Section)
		if cur, ok := m[e.Key]; !ok || cur != e.Set {
			continue // changed since by someone else: theirs stays
		}
		if e.Was == nil {
			delete(m, e.Key)
		} else {
			m[e.Key] = *e.Was
		}
	}
	if err := f.store(s); err != nil {
		return err
	}
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	if err := restore(target, b); err != nil {
		return err
	}
	return nil
}

// restore writes b over target with its permissions and removes the backup and the change record.
func restore(target string, b []byte) error {
	perm := os.FileMode(0o600)
	if st, err := os.Stat(target); err == nil {
		perm = st.Mode().Perm()
	}
	if err := atomicfile.Write(target, b, perm); err != nil {
		return err
	}
	return remove(target+BackupSuffix, target+RecordSuffix)
}

// remove deletes files; one that is already gone is fine.
func remove(paths ...string) error {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
