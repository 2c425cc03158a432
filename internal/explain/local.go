package explain

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
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
	cfg, err := m.dockerConfig()
	if err != nil {
		return out
	}
	if host != "" {
		out = append(out, m.storedCredentials(cfg, host, now)...)
		out = append(out, m.helperFor(cfg, host)...)
		out = append(out, noCredentials(f, cfg, host)...)
	}
	if f.Phrases != nil && m.daemonSocketMissing(f) {
		out = append(out, finding{cause.DockerDaemonUnreachable, 3, "no Docker daemon socket at /var/run/docker.sock and DOCKER_HOST is not set"})
	}
	return out
}

// dockerConfig reads Docker's config.json; one that is missing or unreadable adds nothing.
func (m *Machine) dockerConfig() (*dockerconfig.File, error) {
	if m.DockerConfig == "" {
		return nil, os.ErrNotExist
	}
	return dockerconfig.Load(m.DockerConfig)
}

// storedCredentials judges the credentials config.json holds inline for host: an expired token, a token
// stored under a username other than the empty GUID.
func (m *Machine) storedCredentials(cfg *dockerconfig.File, host string, now time.Time) []finding {
	login, ok := cfg.InlineLogin(host)
	if !ok {
		return nil
	}
	user := login.Username
	claims, err := jwt.Inspect(login.Secret)
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

// clientsOfThisMachine are the tools whose text, pasted here, came from this machine's Docker configuration:
// not a node's, a hosted service's or a CI runner's.
var clientsOfThisMachine = []string{"", "docker", "buildx", "credential-helper", "docker-desktop", "vscode-docker"}

// noCredentials: Docker holds nothing for host (no auths entry, no helper), so a pull or push answered 401
// went without credentials: the user is not logged in to this registry. (A 403 is the firewall's.)
func noCredentials(f *Facts, cfg *dockerconfig.File, host string) []finding {
	// the text shows credentials sent (containerd POSTs for an oauth token only with credentials): it was
	// not this configuration's request
	sent := len(f.Grants) > 0 || f.contains("fetch oauth token", "post request to", "login succeeded")
	if !slices.Contains(clientsOfThisMachine, f.Tool) || f.Action == "login" || !unauthorized(f) || sent ||
		cfg.HasAuthEntry(host) || cfg.HelperFor(host) != "" {
		return nil
	}
	return []finding{{cause.AuthNoIdentity, 2, fmt.Sprintf("Docker's config.json holds no credentials for %s and no helper answers for it: the request went without any", host)}}
}

// helperFor names the credential helper Docker uses for host, and says when its program is missing.
func (m *Machine) helperFor(cfg *dockerconfig.File, host string) []finding {
	name := cfg.HelperFor(host)
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
	if name != "acrdiag" { // host is the ACR login server the text names
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
