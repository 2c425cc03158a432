package check

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// dockerClientCheck: the docker CLI's version.
func dockerClientCheck(ctx context.Context, e *Env) Result {
	if e.Docker == nil {
		return skip("not run by the docker CLI")
	}
	v, err := e.Docker.ClientVersion(ctx)
	if err != nil || v == "" {
		return skip("could not read the docker client's version")
	}
	var major, minor int
	_, _ = fmt.Sscanf(v, "%d.%d", &major, &minor)
	if major < 18 || (major == 18 && minor < 3) {
		return e.fail(cause.DockerClientTooOld, "docker client "+v+" is older than 18.03", "")
	}
	return pass("docker client " + v)
}

// dockerDaemonCheck: the daemon answers, and uses the same proxy as the client.
func dockerDaemonCheck(ctx context.Context, e *Env) Result {
	if e.Docker == nil {
		return skip("not run by the docker CLI")
	}
	info, err := e.Docker.Info(ctx)
	if err != nil {
		return e.fail(cause.DockerDaemonUnreachable, "the Docker daemon is not reachable", cause.Summarize(err.Error()))
	}
	summary := "Docker daemon " + info.ServerVersion
	if e.Name != nil {
		return pass(summary)
	}
	client := redact(e.proxyFor(e.LS.Host))
	daemon := info.HTTPSProxy
	if daemon != "" && noProxyCovers(info.NoProxy, e.LS.Host) {
		daemon = ""
	}
	if strings.TrimSuffix(client, "/") != strings.TrimSuffix(daemon, "/") {
		r := warn(summary+", but it reaches "+e.LS.Host+" differently from this client",
			fmt.Sprintf("client proxy: %q, daemon proxy: %q; docker login, push and pull go through the daemon", client, daemon))
		r.Cause = cause.NetworkProxyError
		r.Fix = cause.FixFor(cause.NetworkProxyError, e.LS.Host)
		return r
	}
	if daemon != "" {
		summary += ", same proxy as this client (" + daemon + ")"
	}
	return pass(summary)
}

func noProxyCovers(noProxy, host string) bool {
	for _, p := range strings.Split(noProxy, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), "*")
		if p != "" && (host == strings.TrimPrefix(p, ".") || strings.HasSuffix(host, "."+strings.TrimPrefix(p, "."))) {
			return true
		}
	}
	return false
}

// helperCause is the cause tag acrdiag's helper ends its errors with: "... Details: docker acrcheck HOST [id]".
var helperCause = regexp.MustCompile(`\[([a-z]+(?:\.[a-z_]+)?)\]`)

// helperFailure is the cause acrdiag's helper named for its failure, and its detail: from the tag at the end
// of its full error text, else from the failure record it wrote since asked (at or after asked). ok is false
// when neither names a catalogue id.
func (e *Env) helperFailure(errText string, asked time.Time) (id, detail string, ok bool) {
	var rec lastfailure.Record
	recorded := false
	if r, found := lastfailure.Last(e.Config.CacheDir, e.LS.Host); found && !r.Time.Before(asked.Add(-time.Second)) {
		rec, recorded = r, true
	}
	if m := helperCause.FindAllStringSubmatch(errText, -1); len(m) > 0 {
		if _, known := cause.Lookup(m[len(m)-1][1]); known {
			id = m[len(m)-1][1]
		}
	}
	if id == "" && recorded {
		id = rec.Cause
	}
	if _, known := cause.Lookup(id); !known {
		return "", "", false
	}
	if recorded && rec.Cause == id {
		return id, rec.Detail, true
	}
	return id, cause.Summarize(errText), true
}

// credentialsCheck: what Docker would send for the registry: the configured helper, present and answering,
// and the stored credentials inspected for the known traps.
func credentialsCheck(_ context.Context, e *Env) Result {
	if e.Docker == nil {
		return skip("not run by the docker CLI")
	}
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	asked := time.Now()
	a, err := e.Docker.StoredAuth(e.LS.Host)
	if a.Helper != "" {
		if _, lerr := exec.LookPath("docker-credential-" + a.Helper); lerr != nil {
			return e.fail(cause.DockerCredentialStore, fmt.Sprintf("config.json sends %s to the credential helper %q, which is not installed", e.LS.Host, a.Helper),
				"docker-credential-"+a.Helper+" is not on PATH"+desktopMissingHint(a.Helper))
		}
	}
	if isDesktopHelper(a.Helper) {
		if r, failed := e.desktopCheck(&a, err, localDesktopStore(a.Helper), backendExists); failed {
			return r
		}
	}
	if err != nil {
		if a.Helper == "acrdiag" {
			// The helper works and says why it has no credentials: its cause, from its whole error or its record,
			// never from a clipped string.
			if id, detail, ok := e.helperFailure(err.Error(), asked); ok {
				title := id
				if c, found := cause.Lookup(id); found {
					title = strings.ToLower(c.Title[:1]) + c.Title[1:]
				}
				return e.fail(id, fmt.Sprintf("%s gives no credentials for %s: %s", a.Source, e.LS.Host, title), detail)
			}
		}
		return e.fail(cause.DockerCredentialStore, "the credential store fails for "+e.LS.Host+" ("+a.Source+")", cause.Summarize(err.Error()))
	}
	if a.Secret == "" {
		if a.Source == "" {
			return warn("nothing is configured for "+e.LS.Host+": Docker pulls anonymously", "let acrdiag answer for it: docker acrcheck setup "+e.LS.Host)
		}
		return pass("no stored credentials for " + e.LS.Host + " (" + a.Source + "); Docker pulls anonymously")
	}
	if jwt.Truncated(a.Secret) {
		return e.fail(cause.DockerCredentialStore, fmt.Sprintf("the token %s holds for %s is cut short (%d bytes): the registry refuses it", a.Source, e.LS.Host, len(a.Secret)),
			fmt.Sprintf("the Windows Credential Manager keeps at most %d bytes of a secret and ACR tokens can be longer; acrdiag's helper keeps those whole in its own file", jwt.WinCredMaxSecret))
	}
	c, err := jwt.Inspect(a.Secret)
	if err != nil || (!c.IsACR() && !c.IsEntra()) {
		return pass(fmt.Sprintf("%s answers with username %q and a password (admin user, service principal or repository token)", a.Source, a.Username))
	}
	if c.ExpiredBy(time.Now(), 0) {
		return e.fail(cause.AuthTokenExpired, fmt.Sprintf("the token %s holds for %s expired at %s", a.Source, e.LS.Host, c.Expiry.Local().Format("2006-01-02 15:04 MST")),
			"ACR tokens live 3 hours; Docker does not renew them")
	}
	if !a.IdentityToken && a.Username != loginserver.EmptyGUID {
		return e.fail(cause.AuthWrongTokenUsername, fmt.Sprintf("%s holds a token under the username %q", a.Source, a.Username),
			"ACR accepts tokens only with the username 00000000-0000-0000-0000-000000000000")
	}
	left := time.Until(c.Expiry).Round(time.Minute)
	r := pass(fmt.Sprintf("%s answers with a token for %s, valid for %s more", a.Source, c.Identity(), left))
	if len(c.Audience) > 0 && c.IsACR() && c.Audience[0] != e.LS.Host {
		r = warn(r.Summary, "the token was issued for "+c.Audience[0]+", not "+e.LS.Host)
	}
	return r
}
