// Package dockerconfig edits Docker's config.json safely: it changes only the keys acrdiag owns
// (credHelpers entries, the acrcheck plugin's hooks, features.hooks), keeps every other key as it was,
// writes atomically through symlinks, and keeps a backup that --undo restores.
package dockerconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
)

// BackupSuffix names the copy of config.json taken before acrdiag changed it.
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
}

// ErrInvalid is a config.json that is not a JSON object.
var ErrInvalid = errors.New("not a valid JSON object")

// Load reads path; a missing file is an empty configuration.
func Load(path string) (*File, error) {
	f := &File{Path: path, Target: path, keys: map[string]json.RawMessage{}}
	if t, err := filepath.EvalSymlinks(path); err == nil {
		f.Target = t
	}
	b, err := os.ReadFile(f.Target)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	f.Original = b
	if len(bytes.TrimSpace(b)) == 0 {
		return f, nil
	}
	if err := json.Unmarshal(b, &f.keys); err != nil {
		return nil, fmt.Errorf("%s is %w: %w", path, ErrInvalid, err)
	}
	return f, nil
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

// Apply merges the change; it reports whether anything differs from the file.
func (f *File) Apply(c Change) (bool, error) {
	helpers := map[string]string{}
	plugins := map[string]map[string]string{}
	features := map[string]string{}
	for k, v := range map[string]any{"credHelpers": &helpers, "plugins": &plugins, "features": &features} {
		if err := f.get(k, v); err != nil {
			return false, err
		}
	}
	changed := false
	for host, name := range c.CredHelpers {
		if helpers[host] != name {
			helpers[host], changed = name, true
		}
	}
	if len(c.PluginHooks) > 0 {
		p := plugins["acrcheck"]
		if p == nil {
			p = map[string]string{}
		}
		for k, v := range c.PluginHooks {
			if p[k] != v {
				p[k], changed = v, true
			}
		}
		plugins["acrcheck"] = p
	}
	for k, v := range c.Features {
		if features[k] != v {
			features[k], changed = v, true
		}
	}
	if !changed {
		return false, nil
	}
	for k, v := range map[string]any{"credHelpers": helpers, "plugins": plugins, "features": features} {
		if _, had := f.keys[k]; had || !isEmpty(v) {
			if err := f.set(k, v); err != nil {
				return false, err
			}
		}
	}
	return true, nil
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

// Save keeps a backup of the original (when there was one) and writes the new content atomically, with the
// original's permissions (0600 for a new file).
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
	if f.Original != nil {
		if err := atomicfile.Write(f.Target+BackupSuffix, f.Original, perm); err != nil {
			return fmt.Errorf("back up %s: %w", f.Target, err)
		}
	}
	return atomicfile.Write(f.Target, b, perm)
}

// Undo restores the backup taken by the last Save and removes it.
func Undo(path string) error {
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	b, err := os.ReadFile(target + BackupSuffix)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no backup %s to restore: setup has not changed this file", target+BackupSuffix)
	}
	if err != nil {
		return err
	}
	perm := os.FileMode(0o600)
	if st, err := os.Stat(target); err == nil {
		perm = st.Mode().Perm()
	}
	if err := atomicfile.Write(target, b, perm); err != nil {
		return err
	}
	return os.Remove(target + BackupSuffix)
}
