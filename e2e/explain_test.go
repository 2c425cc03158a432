package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

type explanation struct {
	Registry string           `json:"registry"`
	Causes   []explainedCause `json:"causes"`
}

type explainedCause struct {
	ID, Title, Why, Fix, Confidence, Diagnosis string
	Evidence                                   []string
}

// unsignedJWT is a token of the given claims, as acrdiag reads them (it never verifies a signature).
func unsignedJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("sig"))
}

// TestExplainCommand: pasted error text of any size and shape gets its causes, offline.
func TestExplainCommand(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	denied := `Error response from daemon: Head "https://corp.azurecr.io/v2/app/manifests/1": denied: client with IP '203.0.113.9' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`
	r := s.mustRun("", docker, "acrcheck", "explain", denied)
	for _, want := range []string{"Registry: corp.azurecr.io", "1. The registry's firewall refuses this client [network.firewall_denied, high confidence]",
		"az acr network-rule add -n corp --ip-address 203.0.113.9", "To confirm: docker acrcheck corp.azurecr.io"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	huge := strings.Repeat("\x1b[36m#12 [build 3/7] RUN go build ./...\x1b[0m\r\n", 250000) + // 10 MB of a BuildKit log
		"ERROR: failed to solve: failed to push corp.azurecr.io/app:1: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://corp.azurecr.io/oauth2/token: 401 Unauthorized\r\n"
	for name, tc := range map[string]struct{ in, want string }{
		"10 MB BuildKit log": {huge, "authz.push_denied"},
		"kubelet event":      {`Failed to pull image "corp.azurecr.io/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: failed to do request: Head "https://corp.azurecr.io/v2/app/manifests/1": dial tcp: lookup corp.azurecr.io on 168.63.129.16:53: no such host`, "registry.not_found"},
		"empty":              {"", ""},
		"binary":             {"\x00\xff\xfe\x01\x02", ""},
		"another language":   {"Die Anmeldung ist fehlgeschlagen: AADSTS7000222: The provided client secret keys for app 'x' are expired.", "auth.sp_secret_expired"},
	} {
		r := s.run(tc.in, docker, "acrcheck", "explain", "--format", "json")
		var e explanation
		if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || r.exitCode != 0 {
			t.Errorf("%s: exit %d, %v: %.200s", name, r.exitCode, err, r.stdout)
			continue
		}
		got := ""
		if len(e.Causes) > 0 {
			got = e.Causes[0].ID
		}
		if got != tc.want || e.Causes == nil {
			t.Errorf("%s: first cause %q, want %q (causes must be a list, even empty)", name, got, tc.want)
		}
	}
	// kubectl's events piped in, only the back-off left of them: the reason is in the event before it
	r = s.mustRun("Normal   BackOff   12s (x3 over 40s)   kubelet   Back-off pulling image \"corp.azurecr.io/app:1\"\n", docker, "acrcheck", "explain")
	if !strings.Contains(r.stdout, "only reports that an earlier step failed") || !strings.Contains(r.stdout, "kubectl describe pod") ||
		!strings.Contains(r.stdout, "docker acrcheck corp.azurecr.io") {
		t.Errorf("explain of a kubelet back-off:\n%s", r.stdout)
	}
	if reqs := kit.Requests(acrtest.Filter{}); len(reqs) != 0 {
		t.Errorf("explain used the network: %v", reqs)
	}

	// What this machine knows counts: the expired token Docker stores for corp.azurecr.io under a username
	// other than the empty GUID explains the registry's bare "unauthorized"; --offline ignores it.
	bare := `Error response from daemon: Head "https://corp.azurecr.io/v2/app/manifests/1": unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.`
	stale := unsignedJWT(`{"iss":"Azure Container Registry","aud":"corp.azurecr.io","exp":1700000000,"grant_type":"refresh_token"}`)
	s.writeDockerConfig(`{"auths":{"corp.azurecr.io":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("ci-user:"+stale)) + `"}}}`)
	r = s.mustRun("", docker, "acrcheck", "explain", "--format", "json", bare)
	var local explanation
	if err := json.Unmarshal([]byte(r.stdout), &local); err != nil || len(local.Causes) < 2 ||
		!slices.ContainsFunc(local.Causes[:2], func(c explainedCause) bool { return c.ID == "auth.token_expired" }) ||
		!slices.ContainsFunc(local.Causes[:2], func(c explainedCause) bool { return c.ID == "auth.wrong_token_username" }) ||
		!strings.Contains(r.stdout, "the token Docker stores for corp.azurecr.io expired at") {
		t.Errorf("explain with a stale stored token: %v\n%s", err, r.stdout)
	}
	if strings.Contains(r.stdout, stale) || strings.Contains(r.stdout, "eyJ") {
		t.Errorf("explain printed the stored token:\n%s", r.stdout)
	}
	r = s.mustRun("", docker, "acrcheck", "explain", "--offline", "--format", "json", bare)
	if err := json.Unmarshal([]byte(r.stdout), &local); err != nil || len(local.Causes) == 0 || local.Causes[0].ID != "unknown" {
		t.Errorf("explain --offline of a bare 401 should say unknown first: %v\n%s", err, r.stdout)
	}
	s.writeDockerConfig(`{}`)
	// With nothing stored for the registry and no helper for it, the pull went without credentials.
	r = s.mustRun("", docker, "acrcheck", "explain", "--format", "json", bare)
	if err := json.Unmarshal([]byte(r.stdout), &local); err != nil || len(local.Causes) == 0 || local.Causes[0].ID != "auth.no_identity" ||
		!strings.Contains(r.stdout, "holds no credentials for corp.azurecr.io") {
		t.Errorf("explain with nothing stored for the registry: %v\n%s", err, r.stdout)
	}

	// --check confirms a cause with the diagnosis of the registry the text names, and exits 1: a problem.
	s.useIdentity("ci-sp")
	r = s.run("", docker, "acrcheck", "explain", "--check", strings.ReplaceAll(denied, "corp.azurecr.io", "firewalled.azurecr.io"))
	if !strings.Contains(r.stdout, "[network.firewall_denied, high confidence, confirmed by the diagnosis]") || !strings.Contains(r.stdout, "Diagnosis of firewalled.azurecr.io") || r.exitCode != 1 {
		t.Errorf("explain --check:\n%s", r)
	}

	// --check diagnoses what the text is about: a push to a repository of a registry where the identity
	// may only pull confirms the missing push right, and rules out what the diagnosis saw working.
	push := `ERROR: failed to solve: failed to push pullonly.azurecr.io/e2e/app:1: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://pullonly.azurecr.io/oauth2/token: 401 Unauthorized`
	r = s.run("", docker, "acrcheck", "explain", "--check", "--format", "json", push)
	var checked struct {
		Repository string           `json:"repository"`
		Action     string           `json:"action"`
		Causes     []explainedCause `json:"causes"`
		Diagnosis  struct {
			Checks []struct{ ID, Status, Cause string } `json:"checks"`
		} `json:"diagnosis"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &checked); err != nil || r.exitCode != 1 || checked.Repository != "e2e/app" || checked.Action != "push" ||
		len(checked.Causes) == 0 || checked.Causes[0].ID != "authz.push_denied" || checked.Causes[0].Diagnosis != "confirmed" {
		t.Errorf("explain --check of a push: %v\n%s", err, r)
	}
	if !slices.ContainsFunc(checked.Diagnosis.Checks, func(c struct{ ID, Status, Cause string }) bool {
		return c.ID == "permissions" && c.Status == "fail" && c.Cause == "authz.push_denied"
	}) {
		t.Errorf("the diagnosis did not check push rights on the repository: %+v", checked.Diagnosis.Checks)
	}
}

var whatsNext = regexp.MustCompile(`(?s)What's next:\x1b\[0m\r?\n(.*?)(\r?\n\r?\n|$)`)

// hookText runs a docker command under a pseudo-terminal (the CLI runs hooks only there) and returns the
// lines of acrdiag's "What's next" message, if any.
func (s *session) hookText(script, command string) (string, result) {
	s.t.Helper()
	r := s.run("", script, "-qec", command, "/dev/null")
	if !strings.Contains(r.stdout, "acrdiag:") {
		return "", r
	}
	m := whatsNext.FindStringSubmatch(r.stdout)
	if m == nil {
		return "", r
	}
	return strings.ReplaceAll(m[1], "\r", ""), r
}

// TestHookExplainsFailuresInPlace: after setup, a failed docker login and docker push show the cause, the
// evidence and the fix under "What's next:", in at most 10 lines; success and foreign errors show nothing.
func TestHookExplainsFailuresInPlace(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	script := requireTool(t, "script", "util-linux's script gives the CLI a terminal")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{
		{Name: "myregistry"}, {Name: "firewalled", Scenario: acrtest.Firewall}, {Name: "pullonly", Scenario: acrtest.PullOnly}}})
	if _, err := kit.Seed("myregistry", "hello:1"); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	s.mustRun("", docker, "acrcheck", "setup", "myregistry.azurecr.io", "firewalled.azurecr.io", "pullonly.azurecr.io")

	msg, r := s.hookText(script, docker+" login firewalled.azurecr.io -u 00000000-0000-0000-0000-000000000000 -p not-a-token")
	for _, want := range []string{"acrdiag: The registry's firewall refuses this client (network.firewall_denied)",
		"az acr network-rule add -n firewalled", "docker acrcheck firewalled.azurecr.io"} {
		if !strings.Contains(msg, want) {
			t.Errorf("login hook lacks %q:\n%s\n--- full output:\n%s", want, msg, r.stdout)
		}
	}
	if n := strings.Count(strings.TrimSpace(msg), "\n") + 1; n > 10 {
		t.Errorf("hook message has %d lines", n)
	}

	s.startDockerd()
	image := "pullonly.azurecr.io/e2e/app:1"
	s.mustRun("", docker, "import", rootfsTar(t, "x\n"), image)
	msg, r = s.hookText(script, docker+" push "+image)
	for _, want := range []string{"(authz.push_denied)", "--role AcrPush", "docker acrcheck pullonly.azurecr.io"} {
		if !strings.Contains(msg, want) {
			t.Errorf("push hook lacks %q:\n%s\n--- full output:\n%s", want, msg, r.stdout)
		}
	}

	// The helper's failure record explains the registry's bare "unauthorized".
	s.useIdentity("expired-sp")
	msg, r = s.hookText(script, docker+" pull myregistry.azurecr.io/hello:1")
	for _, want := range []string{"(auth.sp_secret_expired)", "acrdiag could not get a token for myregistry.azurecr.io at", "AADSTS7000222"} {
		if !strings.Contains(msg, want) {
			t.Errorf("pull hook lacks %q:\n%s\n--- full output:\n%s", want, msg, r.stdout)
		}
	}

	// Silent on success and on errors that are not about a registry.
	s.useIdentity("ci-sp")
	if _, r := s.hookText(script, docker+" pull myregistry.azurecr.io/hello:1"); r.exitCode != 0 || strings.Contains(r.stdout, "acrdiag:") {
		t.Errorf("hook spoke after a successful pull:\n%s", r.stdout)
	}

	// A push whose error names no registry is explained for the registry the command used, not by
	// myregistry's failure recorded a moment ago.
	msg, r = s.hookText(script, docker+" push "+image)
	if !strings.Contains(msg, "(authz.push_denied)") || !strings.Contains(msg, "pullonly.azurecr.io") || strings.Contains(msg, "myregistry") {
		t.Errorf("push hook after another registry's failure:\n%s\n--- full output:\n%s", msg, r.stdout)
	}

	s.setEnv("DOCKER_HOST=unix://" + filepath.Join(s.home, "none.sock"))
	if _, r := s.hookText(script, docker+" push docker.io/library/busybox:1"); strings.Contains(r.stdout, "acrdiag:") {
		t.Errorf("hook spoke about a daemon error unrelated to a registry:\n%s", r.stdout)
	}
	s.assertNoSecretsLeaked()
}

// TestSetupThenPull: setup writes what Docker needs, keeps the rest, is idempotent, can be undone, and refuses
// files it cannot read or write without changing them; then docker pull works end to end.
func TestSetupThenPull(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	if _, err := kit.Seed("myregistry", "hello:1"); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("dev-user")
	orig := `{"auths":{"ghcr.io":{"auth":"Ym9iOnB3"}},"psFormat":"table {{.Names}}","someFutureKey":[1,2,3]}`
	s.writeDockerConfig(orig)

	r := s.mustRun("", docker, "acrcheck", "setup", "--dry-run", "MyRegistry.azurecr.io")
	if !strings.Contains(r.stdout, `+ 		"myregistry.azurecr.io": "acrdiag"`) || strings.Contains(r.stdout, `+ 	"auths"`) || s.readDockerConfig() != orig {
		t.Errorf("dry run: %s\nconfig now: %s", r.stdout, s.readDockerConfig())
	}
	s.mustRun("", docker, "acrcheck", "setup", "myregistry.azurecr.io")
	var cfg map[string]any
	if err := json.Unmarshal([]byte(s.readDockerConfig()), &cfg); err != nil {
		t.Fatal(err)
	}
	plugins, _ := cfg["plugins"].(map[string]any)
	if cfg["psFormat"] != "table {{.Names}}" || cfg["someFutureKey"] == nil || cfg["auths"] == nil ||
		cfg["credHelpers"].(map[string]any)["myregistry.azurecr.io"] != "acrdiag" ||
		cfg["features"].(map[string]any)["hooks"] != "true" || plugins["acrcheck"].(map[string]any)["error-hooks"] == nil {
		t.Errorf("config after setup: %v", cfg)
	}
	if r := s.mustRun("", docker, "acrcheck", "setup", "myregistry.azurecr.io"); !strings.Contains(r.stdout, "already set up") {
		t.Errorf("second setup: %s", r.stdout)
	}

	s.startDockerd()
	s.mustRun("", docker, "pull", "myregistry.azurecr.io/hello:1")
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: "dev-user"}); len(ex) != 1 {
		t.Errorf("the pull did not go through the helper: %v", ex)
	}

	s.mustRun("", docker, "acrcheck", "setup", "--undo")
	if s.readDockerConfig() != orig {
		t.Errorf("undo: %s", s.readDockerConfig())
	}

	bad := `{"credHelpers": {"a.azurecr.io": "acrdiag"`
	s.writeDockerConfig(bad)
	if r := s.run("", docker, "acrcheck", "setup", "myregistry.azurecr.io"); r.exitCode == 0 || !strings.Contains(r.stderr, "nothing was changed") || s.readDockerConfig() != bad {
		t.Errorf("invalid config.json: %s", r)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		s.writeDockerConfig("{}")
		_ = os.Chmod(s.dockerConfig, 0o500)
		if r := s.run("", docker, "acrcheck", "setup", "myregistry.azurecr.io"); r.exitCode == 0 {
			t.Errorf("read-only config dir: %s", r)
		}
		_ = os.Chmod(s.dockerConfig, 0o700)
	}
	if r := s.run("", docker, "acrcheck", "setup", "docker.io"); r.exitCode != 2 {
		t.Errorf("setup of a non-ACR host: %s", r)
	}
	// docker --config DIR acrcheck setup edits DIR/config.json, as the user asked docker to.
	other := t.TempDir()
	_ = os.MkdirAll(filepath.Join(other, "cli-plugins"), 0o700)
	if err := os.Symlink(filepath.Join(binDir, "docker-acrcheck"), filepath.Join(other, "cli-plugins", "docker-acrcheck")); err != nil {
		t.Fatal(err)
	}
	s.mustRun("", docker, "--config", other, "acrcheck", "setup", "--no-hooks", "other.azurecr.io")
	if b, err := os.ReadFile(filepath.Join(other, "config.json")); err != nil || !strings.Contains(string(b), `"other.azurecr.io": "acrdiag"`) {
		t.Errorf("docker --config: %q %v", b, err)
	}
}

// TestTokenForCI: `docker acrcheck token` gives what docker login needs, without the Azure CLI.
func TestTokenForCI(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("aks-workload")
	r := s.mustRun("", docker, "acrcheck", "token", "myregistry.azurecr.io", "--format", "json")
	var tok struct {
		LoginServer, Username, Token string
		ExpiresOn                    time.Time
	}
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil || tok.Token == "" || tok.Username != "00000000-0000-0000-0000-000000000000" ||
		tok.LoginServer != "myregistry.azurecr.io" || time.Until(tok.ExpiresOn) < 3*time.Hour {
		t.Fatalf("token output: %v %+v", err, tok)
	}
	// jq -r .token | docker login R -u 00000000-0000-0000-0000-000000000000 --password-stdin
	if r := s.mustRun(tok.Token, docker, "login", tok.LoginServer, "-u", tok.Username, "--password-stdin"); !strings.Contains(r.stdout, "Login Succeeded") {
		t.Errorf("docker login with the token: %s", r)
	}
	if r := s.run("", docker, "acrcheck", "token", "firewalled.azurecr.io"); r.exitCode != 1 || !strings.Contains(r.stderr, "[network.firewall_denied]") {
		t.Errorf("token for a firewalled registry: %s", r)
	}
}

// TestLastExplainsTheHelpersFailure: `docker acrcheck last` shows what the helper recorded.
func TestLastExplainsTheHelpersFailure(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	if r := s.mustRun("", docker, "acrcheck", "last"); !strings.Contains(r.stdout, "no failure") {
		t.Errorf("last with no record: %s", r.stdout)
	}
	s.useIdentity("expired-sp")
	s.helper("get", "myregistry.azurecr.io")
	r := s.mustRun("", docker, "acrcheck", "last", "myregistry.azurecr.io")
	for _, want := range []string{"for myregistry.azurecr.io failed: The service principal's secret expired", "AADSTS7000222", "az ad app credential reset", "[auth.sp_secret_expired]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("last lacks %q:\n%s", want, r.stdout)
		}
	}
	r = s.mustRun("", docker, "acrcheck", "last", "--format", "json")
	var out struct {
		Failure struct{ Host, Cause string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Failure.Cause != "auth.sp_secret_expired" {
		t.Errorf("last --format json: %v %s", err, r.stdout)
	}
}
