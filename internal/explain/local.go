package explain

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// Machine is what this machine knows about registries: Docker's configuration and the credential helper's
// failure record. Explanations read it for the registry the text names (`explain --offline` does not).
// Everything it reads is local and offline; a file it cannot read adds nothing.
type Machine struct {
	DockerConfig  string        // Docker's config.json
	CacheDir      string        // acrdiag's cache directory, where the failure record is
	FailureWithin time.Duration // how old a helper failure may be to explain the text
	Now           time.Time
	lookPath      func(string) (string, error)
}

// maxDockerConfig bounds what is read of config.json: real ones are a few kilobytes.
const maxDockerConfig = 4 << 20

// dockerConfig is the part of config.json an explanation looks at.
type dockerConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		IdentityToken string `json:"identitytoken"`
	} `json:"auths"`
	CredsStore  string            `json:"credsStore"`
	CredHelpers map[string]string `json:"credHelpers"`
}

// findings returns what the machine knows about host as votes for causes.
func (m *Machine) findings(f *Facts, host string) []finding {
	if m == nil {
		return nil
	}
	now := m.Now
	if now.IsZero() {
		now = time.Now()
	}
	var out []finding
	if host != "" && m.CacheDir != "" {
		if rec, ok := lastfailure.Last(m.CacheDir, host); ok && now.Sub(rec.Time) < m.FailureWithin {
			if _, known := cause.Lookup(rec.Cause); known {
				out = append(out, finding{rec.Cause, 4, fmt.Sprintf("acrdiag could not get a token for %s at %s: %s",
					host, rec.Time.Local().Format("15:04"), clipQuote(rec.Detail))})
			}
		}
	}
	cfg, ok := m.readDockerConfig()
	if !ok {
		return out
	}
	if host != "" {
		out = append(out, m.storedCredentials(cfg, host, now)...)
		out = append(out, m.helperFor(cfg, host)...)
	}
	if f.Phrases != nil && m.daemonSocketMissing(f) {
		out = append(out, finding{cause.DockerDaemonUnreachable, 3, "no Docker daemon socket at /var/run/docker.sock and DOCKER_HOST is not set"})
	}
	return out
}

func (m *Machine) readDockerConfig() (dockerConfig, bool) {
	var cfg dockerConfig
	if m.DockerConfig == "" {
		return cfg, false
	}
	b, err := atomicfile.ReadSmall(m.DockerConfig, maxDockerConfig, true) // config.json is often a dotfile link
	if err != nil || json.Unmarshal(b, &cfg) != nil {
		return cfg, false
	}
	return cfg, true
}

// storedCredentials judges the credentials config.json holds inline for host: an expired token, a token
// stored under a username other than the empty GUID.
func (m *Machine) storedCredentials(cfg dockerConfig, host string, now time.Time) []finding {
	entry, ok := cfg.Auths[host]
	if !ok {
		entry, ok = cfg.Auths["https://"+host]
	}
	if !ok || entry.Auth == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(entry.Auth)
	if err != nil {
		return nil
	}
	user, secret, _ := strings.Cut(string(raw), ":")
	claims, err := jwt.Inspect(secret)
	if err != nil {
		return []finding{{cause.AuthInvalidCredentials, 1, fmt.Sprintf("Docker stores a password login for %s (user %s)", host, user)}}
	}
	var out []finding
	if claims.ExpiredBy(now, 0) {
		out = append(out, finding{cause.AuthTokenExpired, 4, fmt.Sprintf("the token Docker stores for %s expired at %s",
			host, claims.Expiry.Local().Format("2006-01-02 15:04"))})
	}
	if claims.IsACR() && user != loginserver.EmptyGUID {
		out = append(out, finding{cause.AuthWrongTokenUsername, 4, fmt.Sprintf("Docker stores an ACR token for %s under the username %q", host, user)})
	}
	return out
}

// helperFor names the credential helper Docker uses for host, and says when its program is missing.
func (m *Machine) helperFor(cfg dockerConfig, host string) []finding {
	name := cfg.CredHelpers[host]
	if name == "" {
		name = cfg.CredsStore
	}
	if name == "" {
		return nil
	}
	lookPath := m.lookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	program := "docker-credential-" + name
	if _, err := lookPath(program); err != nil {
		return []finding{{cause.DockerCredentialStore, 4, fmt.Sprintf("config.json sends %s to %s, which is not on PATH", host, program)}}
	}
	if name != "acrdiag" && strings.HasSuffix(host, ".azurecr.io") {
		return []finding{{cause.DockerCredentialStore, 1, fmt.Sprintf("Docker asks %s for %s's credentials", program, host)}}
	}
	return nil
}

// daemonSocketMissing is true when the text is about an unreachable daemon and this machine has no socket.
func (m *Machine) daemonSocketMissing(f *Facts) bool {
	if os.Getenv("DOCKER_HOST") != "" || !f.contains("docker daemon", "docker.sock", "docker api") {
		return false
	}
	_, err := os.Stat(filepath.FromSlash("/var/run/docker.sock"))
	return err != nil
}
