// Package config reads acrdiag's configuration: the system file an image builder writes, the user's file,
// and the environment, which wins over both. Keys the system file lists under "locked" keep its values.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/winacl"
)

// Config is the merged configuration.
type Config struct {
	// Credential selects the Entra credential chain like AZURE_TOKEN_CREDENTIALS: "dev", "prod", or one
	// credential type (EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential,
	// AzureCLICredential, AzureDeveloperCLICredential). Empty: the whole default chain.
	Credential string `json:"credential,omitempty"`
	// Tenant is the Entra tenant to ask tokens from.
	Tenant string `json:"tenant,omitempty"`
	// Cloud is the Azure cloud for Entra authority and ARM fallback (AzureCloud, AzureChinaCloud, AzureUSGovernment).
	Cloud string `json:"cloud,omitempty"`
	// LoginServerSuffixes are extra ACR login-server suffixes (private clouds, Azure Stack).
	LoginServerSuffixes []string `json:"loginServerSuffixes,omitempty"`
	// CacheMargin is how long before its expiry a cached token is renewed (Go duration, default 30m).
	CacheMargin Duration `json:"cacheMargin,omitempty"`
	// Store is where credentials from docker login go: "auto" (the platform store Docker would use),
	// "file", or a docker-credential-<name> helper name (pass, secretservice, osxkeychain, wincred).
	Store string `json:"store,omitempty"`
	// LockTimeout is how long a helper waits for another one renewing the same token before it renews on
	// its own (Go duration, default 1m); the wait does not shorten the helper's own 90 s for the renewal.
	LockTimeout Duration `json:"lockTimeout,omitempty"`
	// LogFile receives a line per helper action and failure (never a secret); empty: no log.
	LogFile string `json:"logFile,omitempty"`
	// Registries are the login servers `docker acrcheck setup --system-registries` configures.
	Registries []string `json:"registries,omitempty"`
	// RegistryIdentities give a registry an identity of its own (credential, tenant, client id) instead of
	// the machine's default, keyed by login server.
	RegistryIdentities map[string]RegistryIdentity `json:"registryIdentities,omitempty"`
	// Locked (system file only) lists keys the user's file cannot override.
	Locked []string `json:"locked,omitempty"`

	// CacheDir holds cached tokens and the last-failure record (ACRDIAG_CACHE_DIR, else the user cache dir).
	CacheDir string `json:"-"`
	// Files are the configuration files that were read, for messages.
	Files []string `json:"-"`
}

// Duration is a time.Duration written as a Go duration string ("30m").
type Duration time.Duration

// UnmarshalJSON reads "30m" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return &durationError{strconv.Quote(s)}
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return &durationError{string(b)}
	}
	*d = Duration(time.Duration(secs * float64(time.Second)))
	return nil
}

// durationError is a value that is not a duration.
type durationError struct{ value string }

func (e *durationError) Error() string { return e.value + ` is not a duration such as "30m"` }

// durationKeys are the keys that hold durations, to name the one whose value is wrong.
var durationKeys = []string{"cacheMargin", "lockTimeout"}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// DefaultCacheMargin leaves a refreshed token at least this long to live when it is handed out, so a long
// push does not outlive it.
const DefaultCacheMargin = 30 * time.Minute

// Margin is the cache margin with its default.
func (c Config) Margin() time.Duration {
	if c.CacheMargin <= 0 {
		return DefaultCacheMargin
	}
	return time.Duration(c.CacheMargin)
}

// DefaultLockTimeout is how long a helper waits for another one renewing the same token: more than a slow
// exchange takes, less than the helper's own deadline.
const DefaultLockTimeout = time.Minute

// LockWait is the lock timeout with its default.
func (c Config) LockWait() time.Duration {
	if c.LockTimeout <= 0 {
		return DefaultLockTimeout
	}
	return time.Duration(c.LockTimeout)
}

// FileError is a configuration file that exists but cannot be used.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string {
	var ue *winacl.UnsafeError
	if errors.As(e.Err, &ue) { // says its own fix
		return fmt.Sprintf("configuration file %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("configuration file %s: %v (fix it, or move it away to use the defaults)", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// SystemPath is the machine-wide configuration file (ACRDIAG_SYSTEM_CONFIG overrides, for tests and
// images that keep it elsewhere).
func SystemPath() string {
	if p := os.Getenv("ACRDIAG_SYSTEM_CONFIG"); p != "" {
		return p
	}
	return defaultSystemPath()
}

// defaultSystemPath is where the machine's configuration is when the environment names none.
func defaultSystemPath() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("ProgramData"), "acrdiag", "config.json")
	}
	return "/etc/acrdiag/config.json"
}

// UserPath is the user's configuration file (ACRDIAG_CONFIG overrides).
func UserPath() string {
	if p := os.Getenv("ACRDIAG_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "acrdiag", "config.json")
}

// maxFileSize bounds a configuration file.
const maxFileSize = 1 << 20

// CacheDir is where acrdiag keeps tokens and records: ACRDIAG_CACHE_DIR, else the user cache directory. It
// reads no file, so the hook and the offline commands that need only it pay nothing for the rest.
func CacheDir() string {
	if dir := os.Getenv("ACRDIAG_CACHE_DIR"); dir != "" {
		return dir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "acrdiag")
	}
	return ""
}

// Load merges the system file, the user file and the environment. A missing file is no error; a file that
// cannot be read or parsed is a *FileError, returned with the configuration of everything else.
func Load() (Config, error) {
	var cfg Config
	var errs []error
	sys, err := readSystemFile(SystemPath())
	if err != nil {
		errs = append(errs, err)
	}
	if sys != nil {
		cfg = *sys
		cfg.Files = append(cfg.Files, SystemPath())
	}
	user, err := readFile(UserPath())
	if err != nil {
		errs = append(errs, err)
	}
	if user != nil {
		cfg.overlay(*user)
		cfg.Files = append(cfg.Files, UserPath())
	}
	cfg.CacheDir = CacheDir()
	if p := os.Getenv("ACRDIAG_LOG"); p != "" {
		cfg.LogFile = p
	}
	return cfg, errors.Join(errs...)
}

// overlay applies the user's values over the system's, except for locked keys.
func (c *Config) overlay(u Config) {
	set := func(key string, apply func()) {
		if !slices.Contains(c.Locked, key) {
			apply()
		}
	}
	if u.Credential != "" {
		set("credential", func() { c.Credential = u.Credential })
	}
	if u.Tenant != "" {
		set("tenant", func() { c.Tenant = u.Tenant })
	}
	if u.Cloud != "" {
		set("cloud", func() { c.Cloud = u.Cloud })
	}
	if len(u.LoginServerSuffixes) > 0 {
		// Suffixes add up: the user may add a suffix, never remove the administrator's.
		set("loginServerSuffixes", func() { c.LoginServerSuffixes = append(c.LoginServerSuffixes, u.LoginServerSuffixes...) })
	}
	if u.CacheMargin != 0 {
		set("cacheMargin", func() { c.CacheMargin = u.CacheMargin })
	}
	if u.Store != "" {
		set("store", func() { c.Store = u.Store })
	}
	if u.LockTimeout != 0 {
		set("lockTimeout", func() { c.LockTimeout = u.LockTimeout })
	}
	if u.LogFile != "" {
		set("logFile", func() { c.LogFile = u.LogFile })
	}
	if len(u.Registries) > 0 {
		set("registries", func() { c.Registries = u.Registries })
	}
	if len(u.RegistryIdentities) > 0 {
		// Entries add up per registry: the user's entry for a registry replaces the system's for that one.
		set("registryIdentities", func() {
			merged := maps.Clone(c.RegistryIdentities)
			if merged == nil {
				merged = map[string]RegistryIdentity{}
			}
			maps.Copy(merged, u.RegistryIdentities)
			c.RegistryIdentities = merged
		})
	}
}

func readFile(path string) (*Config, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	if len(b) > maxFileSize {
		return nil, &FileError{Path: path, Err: fmt.Errorf("larger than %d bytes", maxFileSize)}
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&c); err != nil {
		return nil, &FileError{Path: path, Err: jsonError(b, err)}
	}
	if err := c.validate(); err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return &c, nil
}

// keys are the configuration's keys as its files spell them: what "locked" may name.
func keys() []string {
	var out []string
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" && name != "locked" {
			out = append(out, name)
		}
	}
	return out
}

// validate refuses what would silently do something else than meant: a locked key that is no key (a typo
// would lock nothing), a login-server suffix that could name hosts that are not registries, and a
// registry identity that is not one (see validateIdentities).
func (c *Config) validate() error {
	known := keys()
	for _, k := range c.Locked {
		if !slices.Contains(known, k) {
			return fmt.Errorf("invalid value: locked lists %q, which is not a key (keys: %s)", k, strings.Join(known, ", "))
		}
	}
	for _, s := range c.LoginServerSuffixes {
		if !loginserver.ValidSuffix(s) {
			return fmt.Errorf("invalid value: loginServerSuffixes: %q is not a DNS suffix of at least two labels, such as azurecr.contoso.example (no scheme, no wildcard)", s)
		}
	}
	return c.validateIdentities()
}

// jsonError says where a file's JSON goes wrong: line and column of a syntax error, the key of a wrong type.
func jsonError(b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var de *durationError
	switch {
	case errors.As(err, &de):
		var raw map[string]json.RawMessage
		_ = json.Unmarshal(b, &raw)
		for _, k := range durationKeys {
			var d Duration
			if v, ok := raw[k]; ok && d.UnmarshalJSON(v) != nil {
				return fmt.Errorf("invalid value: %s: %w", k, err)
			}
		}
		return fmt.Errorf("invalid value: %w", err)
	case errors.As(err, &te) && te.Field == "":
		return fmt.Errorf("invalid JSON: the file must hold one JSON object, not a JSON %s", te.Value)
	case errors.As(err, &se):
		line, col := position(b, se.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		line, col := position(b, int64(len(b)))
		return fmt.Errorf("invalid JSON: the file ends at line %d, column %d before its JSON does (a missing value, } or ]?)", line, col)
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("invalid JSON: %q must be a %s, not a JSON %s", te.Field, te.Type, te.Value)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// position is the line and column of byte offset off in b, both from 1.
func position(b []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
