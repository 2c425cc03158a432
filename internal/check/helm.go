package check

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// HelmRegistryConfig is the file `helm registry login` writes (helm v3): $HELM_REGISTRY_CONFIG, else
// registry/config.json under $HELM_CONFIG_HOME, else under helm's directory in the platform's config home.
func HelmRegistryConfig() string {
	if p := os.Getenv("HELM_REGISTRY_CONFIG"); p != "" {
		return p
	}
	dir := os.Getenv("HELM_CONFIG_HOME")
	if dir == "" {
		base := os.Getenv("XDG_CONFIG_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			switch runtime.GOOS {
			case "darwin":
				base = filepath.Join(home, "Library", "Preferences")
			case "windows":
				base = os.Getenv("APPDATA")
			default:
				base = filepath.Join(home, ".config")
			}
		}
		dir = filepath.Join(base, "helm")
	}
	return filepath.Join(dir, "registry", "config.json")
}

// helmConfig is what helm's registry file may hold: Docker's format, with logins usually in plain text.
type helmConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		IdentityToken string `json:"identitytoken"`
	} `json:"auths"`
	CredHelpers map[string]string `json:"credHelpers"`
	CredsStore  string            `json:"credsStore"`
}

// helmCredentialsCheck: helm v3 asks its own registry file first and Docker's config.json (where acrdiag
// answers) only when that file has nothing for the registry. `helm registry login` writes the registry's
// 3-hour token there in plain text, which then wins over the helper until it expires, and after.
func helmCredentialsCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	path := HelmRegistryConfig()
	b, err := atomicfile.ReadSmall(path, 1<<20, true)
	if errors.Is(err, os.ErrNotExist) {
		return skip("helm has no registry login file (" + path + "): helm uses Docker's config.json")
	}
	if err != nil {
		return warn("cannot read helm's registry file "+path, cause.Summarize(err.Error()))
	}
	var cfg helmConfig
	if err := json.Unmarshal(b, &cfg); err != nil {
		return warn("helm's registry file "+path+" is not valid JSON: helm fails for every OCI registry", "fix or remove it: helm registry logout "+e.LS.Host)
	}
	host := e.LS.Host
	if h := cfg.CredHelpers[host]; h != "" {
		return pass(fmt.Sprintf("%s sends %s to the credential helper %q", path, host, h))
	}
	user, secret, found := helmLogin(cfg, host)
	if !found {
		if cfg.CredsStore != "" {
			return pass(fmt.Sprintf("%s sends %s to the credential store %q", path, host, cfg.CredsStore))
		}
		return pass("helm has no login of its own for " + host + ": it uses Docker's config.json")
	}
	logout := "helm registry logout " + host + " (then helm asks Docker's config.json, where acrdiag answers: docker acrcheck setup " + host + ")"
	where := fmt.Sprintf("helm registry login stored a credential for %s in plain text in %s", host, path)
	c, err := jwt.Inspect(secret)
	if err != nil || (!c.IsACR() && !c.IsEntra()) {
		r := warn(where+fmt.Sprintf(" (username %q and a password)", user), "helm sends it before asking Docker's credential helper; anyone who can read the file can use it")
		r.Fix = logout
		return r
	}
	var r Result
	switch {
	case c.ExpiredBy(time.Now(), 0):
		r = e.fail(cause.AuthTokenExpired, fmt.Sprintf("%s; the token expired at %s", where, c.Expiry.Local().Format("2006-01-02 15:04 MST")),
			"helm sends it instead of asking Docker's credential helper, and the registry refuses it: ACR tokens live 3 hours")
	case user != "" && user != loginserver.EmptyGUID:
		r = e.fail(cause.AuthWrongTokenUsername, fmt.Sprintf("%s: a token under the username %q", where, user),
			"ACR accepts tokens only with the username "+loginserver.EmptyGUID)
	default:
		r = warn(fmt.Sprintf("%s: a token valid until %s", where, c.Expiry.Local().Format("15:04 MST")),
			"helm sends it instead of asking Docker's credential helper; when it expires (ACR tokens live 3 hours) helm fails with 401 until you log in again")
	}
	r.Fix = logout
	return r
}

// helmLogin finds the registry's login in helm's file (keys may carry a scheme or a path, as Docker's may).
func helmLogin(cfg helmConfig, host string) (user, secret string, found bool) {
	for key, a := range cfg.Auths {
		k := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(key), "https://"), "http://")
		if k, _, _ = strings.Cut(k, "/"); k != host {
			continue
		}
		user, secret = a.Username, a.Password
		if a.Auth != "" {
			if raw, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
				user, secret, _ = strings.Cut(string(raw), ":")
			}
		}
		if a.IdentityToken != "" {
			user, secret = loginserver.EmptyGUID, a.IdentityToken
		}
		return user, secret, secret != ""
	}
	return "", "", false
}
