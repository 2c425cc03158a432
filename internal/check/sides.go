package check

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
)

// dockerSidesCheck: which config.json, credential helper and proxy the docker CLI, the daemon and
// `sudo docker` use for the registry. They often differ, and that split is a common reason az says OK while
// docker fails: sudo reads root's config.json and drops HTTPS_PROXY, the daemon has a proxy of its own,
// WSL's docker asks Docker Desktop's Windows helper and a dev container's docker a helper the editor
// injected.
func dockerSidesCheck(ctx context.Context, e *Env) Result {
	if e.Docker == nil {
		return skip("not run by the docker CLI")
	}
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	host, m := e.LS.Host, e.machine
	cli := readSide(e.Docker.ConfigPath(), host, m.getenv)
	summary := "docker: " + cli.String()
	if info, err := e.Docker.Info(ctx); err == nil {
		daemon := info.HTTPSProxy
		if daemon != "" && noProxyCovers(info.NoProxy, host) {
			daemon = ""
		}
		summary += "; the daemon: proxy " + orNone(daemon)
	}
	if m.euid == 0 && m.getenv("SUDO_USER") != "" {
		return e.underSudo(cli, summary)
	}
	sudo := "" // no root user (Windows): no sudo docker
	if home := m.homeOf("root"); home != "" {
		sudo = fmt.Sprintf("sudo docker reads %s and drops HTTPS_PROXY, DOCKER_CONFIG and AZURE_* unless sudoers keeps them (env_keep)",
			filepath.Join(home, ".docker", "config.json"))
	}
	if r, found := e.injectedStore(cli, summary); found {
		r.Detail = strings.TrimSuffix(r.Detail+"; "+sudo, "; ")
		return r
	}
	r := pass(summary)
	r.Detail = sudo
	return r
}

// side is what one way of running docker uses for a registry.
type side struct {
	config string // its config.json
	helper string // "credHelpers: acrdiag", "credsStore: desktop.exe", "config.json auths" or ""
	store  string // the credsStore that answers for the registry, when no credHelpers entry does
	proxy  string // the proxy its client side and its credential helper use, "" for none
	err    error  // config.json could not be read

	proxyUnknown bool // its environment could not be read
}

func (s side) String() string {
	what := s.helper
	switch {
	case s.err != nil:
		what = "unreadable: " + cause.Summarize(s.err.Error())
	case what == "":
		what = "no helper, nothing stored"
	}
	proxy := orNone(s.proxy)
	if s.proxyUnknown {
		proxy = "unknown"
	}
	return fmt.Sprintf("%s (%s), proxy %s", s.config, what, proxy)
}

// readSide reads what a config.json names for host, without running its helper, and the proxy getenv's
// environment gives for host.
func readSide(path, host string, getenv func(string) string) side {
	s := side{config: path, proxy: proxyIn(getenv, host)}
	f, err := dockerconfig.Load(path)
	if err != nil {
		s.err = err
		return s
	}
	switch h := f.HelperFor(host); {
	case f.CredHelpers()[host] != "":
		s.helper = "credHelpers: " + h
	case h != "":
		s.helper, s.store = "credsStore: "+h, h
	default:
		if _, ok := f.InlineLogin(host); ok {
			s.helper = "config.json auths"
		}
	}
	return s
}

// proxyIn is the proxy Go's HTTP stack (Docker's, acrdiag's) picks for https://host in an environment.
func proxyIn(getenv func(string) string, host string) string {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := getenv(k); v != "" {
				return v
			}
		}
		return ""
	}
	cfg := httpproxy.Config{HTTPSProxy: first("HTTPS_PROXY", "https_proxy"), HTTPProxy: first("HTTP_PROXY", "http_proxy"),
		NoProxy: first("NO_PROXY", "no_proxy")}
	u, err := cfg.ProxyFunc()(&url.URL{Scheme: "https", Host: host})
	if err != nil || u == nil {
		return ""
	}
	return u.Redacted()
}

func orNothing(helper string) string {
	if helper == "" {
		return "nothing"
	}
	return helper
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// injectedStore: the registry goes to a credsStore that something other than the user put in
// config.json: Docker Desktop's Windows helper from WSL, or the helper a dev container's editor injects.
func (e *Env) injectedStore(cli side, summary string) (Result, bool) {
	var why string
	switch {
	case cli.store == "desktop.exe" || (e.machine.wsl && cli.store == "desktop"):
		why = "Docker Desktop's Windows credential store, run from WSL through Windows interop: it holds only what docker login stored on Windows, and fails when interop or Docker Desktop is off"
	case strings.HasPrefix(cli.store, "dev-containers-"):
		why = "the helper VS Code's Dev Containers injected into this container's config.json: it forwards to the host's credential helper, and fails when the editor is disconnected or the host's helper is missing"
	default:
		return Result{}, false
	}
	r := warn(summary, fmt.Sprintf("%s goes to credsStore %q, %s; acrdiag answers only through a credHelpers entry, which wins over credsStore", e.LS.Host, cli.store, why))
	r.Cause = cause.DockerCredentialStore
	r.Fix = "Send the registry to acrdiag: docker acrcheck setup " + e.LS.Host
	return r, true
}

// underSudo compares what root's docker uses with what the user who ran sudo uses: the config.json (sudo
// sets HOME to root's and drops DOCKER_CONFIG) and the proxy (dropped unless sudoers keeps it).
func (e *Env) underSudo(root side, summary string) Result {
	m, host := e.machine, e.LS.Host
	name := m.getenv("SUDO_USER")
	env := m.sudoEnv() // nil: the user's environment is unknown, and so is their proxy
	userGetenv := func(k string) string { return env[k] }
	dir := userGetenv("DOCKER_CONFIG")
	if dir == "" {
		home := userGetenv("HOME")
		if home == "" {
			home = m.homeOf(name)
		}
		dir = filepath.Join(home, ".docker")
	}
	user := readSide(filepath.Join(dir, "config.json"), host, userGetenv)
	user.proxyUnknown = env == nil
	detail := "sudo " + summary + "; " + name + "'s docker: " + user.String()
	var dropped, identity []string
	for _, k := range []string{"DOCKER_CONFIG", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CONFIG_DIR"} {
		if env[k] != "" && m.getenv(k) == "" {
			dropped = append(dropped, k)
			if strings.HasPrefix(k, "AZURE_") {
				identity = append(identity, k)
			}
		}
	}
	if len(dropped) > 0 {
		detail += "; sudo dropped " + strings.Join(dropped, ", ")
	}
	switch {
	case user.config != root.config && user.helper != root.helper:
		r := e.fail(cause.DockerCredentialStore, fmt.Sprintf("sudo docker reads %s, which names %s for %s; %s's own %s names %s",
			root.config, orNothing(root.helper), host, name, user.config, orNothing(user.helper)), detail)
		r.Fix = fmt.Sprintf("Run docker without sudo (sudo usermod -aG docker %s, then sign in again), or set root's up too: sudo docker acrcheck setup %s", name, host)
		return r
	case !user.proxyUnknown && user.proxy != root.proxy:
		r := e.fail(cause.NetworkProxyError, fmt.Sprintf("sudo dropped the proxy: %s's shell reaches %s through %s, sudo docker and its credential helper through %s",
			name, host, orNone(user.proxy), orNone(root.proxy)), detail)
		r.Fix = `Keep the proxy: sudo --preserve-env=HTTPS_PROXY,HTTP_PROXY,NO_PROXY docker ..., or for every sudo: sudo visudo -f /etc/sudoers.d/proxy and add Defaults env_keep += "HTTPS_PROXY HTTP_PROXY NO_PROXY https_proxy http_proxy no_proxy"`
		return r
	case root.helper == "credHelpers: acrdiag" && len(identity) > 0:
		r := e.fail(cause.AuthNoIdentity, fmt.Sprintf("sudo dropped %s: acrdiag's helper under sudo docker does not have the identity %s's shell has",
			strings.Join(identity, ", "), name), detail)
		r.Fix = "Keep the identity: sudo --preserve-env=" + strings.Join(identity, ",") + " docker ..., or run docker without sudo (sudo usermod -aG docker " + name + ")"
		return r
	}
	same := fmt.Sprintf("sudo docker asks %s for %s through proxy %s, as %s's docker does", orNothing(root.helper), host, orNone(root.proxy), name)
	if user.proxyUnknown {
		same = fmt.Sprintf("sudo docker asks %s for %s, as %s's docker does (%s's proxy is unknown: sudo's environment cannot be read)", orNothing(root.helper), host, name, name)
	}
	r := pass(same)
	r.Detail = detail
	return r
}
