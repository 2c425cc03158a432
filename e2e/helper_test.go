package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

const notFound = "credentials not found in native keychain"

// TestHelperPushPullForEachIdentity: with credHelpers pointing at acrdiag, dockerd pushes and pulls and crane
// lists tags for every kind of Entra identity, each with one Entra request and one exchange.
func TestHelperPushPullForEachIdentity(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	crane := requireTool(t, "crane", "installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useHelper(host)
	s.startDockerd()
	for _, name := range []string{"ci-sp", "cert-sp", "aks-workload", "vm-identity", "dev-user", "azd-user"} {
		t.Run(name, func(t *testing.T) {
			s.t = t
			s.useIdentity(name)
			image := host + "/e2e/" + name + ":1"
			s.mustRun("", docker, "import", rootfsTar(t, "pushed by "+name+"\n"), image)
			s.mustRun("", docker, "push", image)
			s.mustRun("", docker, "rmi", image)
			s.mustRun("", docker, "pull", image)
			if r := s.mustRun("", crane, "ls", host+"/e2e/"+name); strings.TrimSpace(r.stdout) != "1" {
				t.Errorf("crane ls = %q", r.stdout)
			}
			ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: name})
			if len(ex) != 1 || ex[0].Status != 200 || ex[0].Audience != acrtest.AudienceACR {
				t.Errorf("exchanges for %s = %v, want one with the ACR audience (push, pull and crane share the cached token)", name, ex)
			}
			pushes := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/token", Identity: name})
			if len(pushes) == 0 {
				t.Errorf("no token requests carried %s's refresh token", name)
			}
		})
	}
	s.t = t
	s.assertNoSecretsLeaked()
}

// TestHelperStoredTokenTraps: an expired token stored by docker login is renewed from the identity; without an
// identity it is withheld so that an anonymous pull works; a token stored with the wrong username is fixed.
func TestHelperStoredTokenTraps(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	crane := requireTool(t, "crane", "installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{
		{Name: "myregistry"}, {Name: "publicreg", Scenario: acrtest.AnonymousPull},
	}})
	host, anon := kit.Host("myregistry"), kit.Host("publicreg")
	for _, reg := range []string{"myregistry", "publicreg"} {
		if _, err := kit.Seed(reg, "base:1"); err != nil {
			t.Fatal(err)
		}
	}
	s := newSession(t, kit)
	s.useHelper(host, anon)

	// What docker login stored three and a half hours ago.
	expired := kit.RefreshToken("myregistry", "ci-sp", -15*time.Minute)
	r := s.helper("store", credentialsJSON(host, "<token>", expired))
	if r.exitCode != 0 || !strings.Contains(r.stderr, "expired at") || !strings.Contains(r.stderr, "auth.token_expired") {
		t.Errorf("store of an expired token: %s", r)
	}

	// With an identity, the helper renews it: crane works without a new login.
	s.useIdentity("ci-sp")
	if r := s.run("", crane, "ls", host+"/base"); r.exitCode != 0 || strings.TrimSpace(r.stdout) != "1" {
		t.Errorf("crane ls with an expired stored token and an identity: %s", r)
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}); len(ex) != 1 {
		t.Errorf("the expired token was not renewed from the identity: %v", ex)
	}

	// Without an identity, a stale token for an anonymous-pull registry is withheld: the pull works.
	s.noIdentity()
	staleAnon := kit.RefreshToken("publicreg", "ci-sp", -time.Hour)
	s.mustRun(credentialsJSON(anon, "<token>", staleAnon), s.helperPath(), "store")
	if r := s.helper("get", anon); r.exitCode != 1 || strings.TrimSpace(r.stdout) != notFound {
		t.Errorf("get with a stale token and no identity: %s", r)
	}
	s.startDockerd()
	s.mustRun("", docker, "pull", anon+"/base:1")
	if anonTokens := kit.Requests(acrtest.Filter{Service: "registry", Host: anon, Path: "/oauth2/token", Grant: "anonymous"}); len(anonTokens) == 0 {
		t.Errorf("dockerd did not pull anonymously")
	}
	if f := s.lastFailures(); len(f) == 0 || f[0]["host"] != anon || f[0]["cause"] != "auth.token_expired" || !strings.Contains(f[0]["detail"], "anonymous pull") {
		t.Errorf("last failure = %v", f)
	}

	// A token stored under a user name: caught at store time, stored under the empty GUID, and it works.
	s.useIdentity("ci-sp")
	valid := kit.RefreshToken("myregistry", "ci-sp", 2*time.Hour)
	r = s.helper("store", credentialsJSON(host, "alice@contoso.example", valid))
	if r.exitCode != 0 || !strings.Contains(r.stderr, "auth.wrong_token_username") || !strings.Contains(r.stderr, "00000000-0000-0000-0000-000000000000") {
		t.Errorf("store with the wrong username: %s", r)
	}
	if list := s.helper("list", ""); !strings.Contains(list.stdout, `"`+host+`":"00000000-0000-0000-0000-000000000000"`) {
		t.Errorf("list = %s", list)
	}
	if user, secret, err := getAnswer(s.helper("get", host)); err != nil || user != "00000000-0000-0000-0000-000000000000" || secret != valid {
		t.Errorf("get after a wrong-username store: %q, %v", user, err)
	}
	image := host + "/base:1"
	s.mustRun("", docker, "pull", image)

	// docker logout erases what was stored and the cached tokens: without an identity nothing is left to
	// answer with. list still names the registry (credHelpers sends it to acrdiag), with the empty GUID.
	s.mustRun("", docker, "logout", host)
	s.noIdentity()
	if r := s.helper("get", host); r.exitCode != 1 || strings.TrimSpace(r.stdout) != notFound {
		t.Errorf("get after logout without an identity: %s", r)
	}
	if list := s.helper("list", ""); !strings.Contains(list.stdout, `"`+host+`":"00000000-0000-0000-0000-000000000000"`) {
		t.Errorf("list after logout = %s", list)
	}
	s.assertNoSecretsLeaked()
}

// TestHelperLoginThroughDocker: docker login (client side) with the empty GUID and a refresh token stores
// through the helper, and later pulls use it.
func TestHelperLoginThroughDocker(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useHelper(host)
	s.noIdentity()
	refresh := kit.RefreshToken("myregistry", "ci-sp", 3*time.Hour)
	r := s.mustRun(refresh, docker, "login", host, "-u", "00000000-0000-0000-0000-000000000000", "--password-stdin")
	if !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("docker login: %s", r)
	}
	if list := s.helper("list", ""); !strings.Contains(list.stdout, host) {
		t.Errorf("docker login did not store through the helper: %s", list)
	}
	if strings.Contains(s.readDockerConfig(), "eyJ") {
		t.Errorf("the token landed in config.json: %s", s.readDockerConfig())
	}
	user, _, err := getAnswer(s.helper("get", host))
	if err != nil || user != "00000000-0000-0000-0000-000000000000" {
		t.Errorf("get after docker login = %q, %v (want the empty GUID so docker login needs no prompt)", user, err)
	}
	s.assertNoSecretsLeaked()
}

// TestHelperNonACRHostsAndHostileInput: hosts that are not ACR get the exact not-found answer with no
// network call; hostile inputs get not-found or a one-line error, and nothing reaches the kit.
func TestHelperNonACRHostsAndHostileInput(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	for _, in := range []string{"docker.io", "https://index.docker.io/v1/", "ghcr.io/owner/repo", "myregistry.azurecr.io.evil.example",
		"evilazurecr.io", "https://user:pw@myregistry.azurecr.io", "myregistry.azurecr.io:5000", "\x00\xff\xfe",
		strings.Repeat("\xffbinary\x00", 1<<17)} {
		r := s.helper("get", in)
		if r.exitCode != 1 || r.stdout != notFound+"\n" || r.stderr != "" {
			t.Errorf("get %.40q: %s", in, r)
		}
	}
	if r := s.helper("get", " \n"); r.exitCode != 1 || r.stdout != "no credentials server URL\n" {
		t.Errorf("get of nothing: %s", r) // the protocol library's own answer
	}
	for _, in := range []string{"azurecr.io", "myregistry.privatelink.azurecr.io", "MY_REGISTRY.azurecr.io"} {
		r := s.helper("get", in)
		if r.exitCode != 1 || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 || !strings.Contains(r.stdout, "registry.name_invalid") {
			t.Errorf("get %q: %s", in, r)
		}
	}
	if r := s.helper("get", "myregistry.privatelink.azurecr.io"); !strings.Contains(r.stdout, "use myregistry.azurecr.io") {
		t.Errorf("privatelink name: no suggestion: %s", r)
	}
	if reqs := kit.Requests(acrtest.Filter{}); len(reqs) != 0 {
		t.Errorf("hostile or foreign inputs caused network calls: %v", reqs)
	}
	if r := s.helper("store", strings.Repeat("x", 100<<10)); r.exitCode != 1 || !strings.Contains(r.stdout, "larger than") {
		t.Errorf("store of 100 KiB: %s", r)
	}
	for _, in := range []string{"{", `{"ServerURL":""}`, "\x00"} {
		if r := s.helper("store", in); r.exitCode != 1 || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
			t.Errorf("store %q: %s", in, r)
		}
	}
	// Non-ACR credentials go to the backing store and come back as they were.
	s.mustRun(credentialsJSON("https://index.docker.io/v1/", "bob", "hub-password"), s.helperPath(), "store")
	if user, secret, err := getAnswer(s.helper("get", "https://index.docker.io/v1/")); err != nil || user != "bob" || secret != "hub-password" {
		t.Errorf("Docker Hub credentials = %q %q %v", user, secret, err)
	}
}

// TestHelperFailuresNameTheirCause: every failure scenario gives a one-line error with the cause id and the
// fix (which docker 28.1+ and crane print), and a last-failure record.
func TestHelperFailuresNameTheirCause(t *testing.T) {
	crane := requireTool(t, "crane", "installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{
		Registries: []acrtest.Registry{
			{Name: "myregistry"}, {Name: "firewalled", Scenario: acrtest.Firewall}, {Name: "norole", Scenario: acrtest.NoRole},
			{Name: "throttled", Scenario: acrtest.Throttled}, {Name: "acronly", Scenario: acrtest.ARMAudienceDisabled},
			{Name: "expired", Scenario: acrtest.ExpiredTokens}, {Name: "resetting", Scenario: acrtest.ConnectionReset},
		},
		Identities: append(acrtest.DefaultIdentities(), acrtest.Identity{Name: "azlocal-sp", Kind: acrtest.ServicePrincipal, NoACRAudience: true}),
	})
	tests := []struct {
		registry, identity, cause, evidence string
		tweak                               func(*session)
	}{
		{"firewalled", "ci-sp", "network.firewall_denied", "client with IP '127.0.0.1' is not allowed access", nil},
		{"norole", "ci-sp", "authz.pull_denied", "no role", nil},
		{"throttled", "ci-sp", "registry.throttled", "Too many requests", nil},
		{"expired", "ci-sp", "auth.token_expired", "clock", nil},
		{"resetting", "ci-sp", "network.connection_reset", "myregistry", nil},
		{"acronly", "azlocal-sp", "auth.audience_rejected", "ARM-audience", nil},
		{"myregistry", "expired-sp", "auth.sp_secret_expired", "AADSTS7000222", nil},
		{"myregistry", "ci-sp", "auth.invalid_credentials", "AADSTS7000215", func(s *session) { s.setEnv("AZURE_CLIENT_SECRET=wrong") }},
		{"myregistry", "ci-sp", "auth.aad_app_not_registered", "AADSTS700016", func(s *session) { s.setEnv("AZURE_CLIENT_ID=11111111-2222-4333-8444-555555555555") }},
	}
	for _, tt := range tests {
		t.Run(tt.cause, func(t *testing.T) {
			s := newSession(t, kit)
			host := kit.Host(tt.registry)
			s.useHelper(host)
			s.useIdentity(tt.identity)
			if tt.tweak != nil {
				tt.tweak(s)
			}
			r := s.helper("get", host)
			line := strings.TrimSpace(r.stdout)
			if r.exitCode != 1 || strings.Contains(line, "\n") || !strings.Contains(line, "["+tt.cause+"]") || !strings.Contains(line, "Fix:") {
				t.Fatalf("get: %s", r)
			}
			if tt.cause != "network.connection_reset" && !strings.Contains(line, tt.evidence) {
				t.Errorf("the error does not show the evidence %q: %s", tt.evidence, line)
			}
			if f := s.lastFailures(); len(f) == 0 || f[0]["cause"] != tt.cause || f[0]["host"] != host {
				t.Errorf("last failure = %v", f)
			}
			r = s.run("", crane, "ls", host+"/app")
			if r.exitCode == 0 || !strings.Contains(r.stderr, "["+tt.cause+"]") {
				t.Errorf("crane does not show the cause: %s", r)
			}
			s.assertNoSecretsLeaked()
		})
	}

	// An identity that cannot get ACR-audience tokens still works where ARM tokens are accepted.
	s := newSession(t, kit)
	s.useIdentity("azlocal-sp")
	if _, _, err := getAnswer(s.helper("get", kit.Host("myregistry"))); err != nil {
		t.Fatalf("ARM fallback: %v", err)
	}
	ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: "azlocal-sp", Host: kit.Host("myregistry")})
	if len(ex) != 1 || ex[0].Audience != acrtest.AudienceARM {
		t.Errorf("fallback exchange = %v, want one with the ARM audience", ex)
	}
}

// TestHelperConcurrentColdGets: 32 helpers started at once for one registry share one exchange.
func TestHelperConcurrentColdGets(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	kit.SetLatency("myregistry", 200*time.Millisecond) // an exchange that takes a while
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	secrets := make([]string, 32)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, secrets[i], _ = getAnswer(s.helper("get", host))
		}()
	}
	wg.Wait()
	for i, sec := range secrets {
		if sec == "" || sec != secrets[0] {
			t.Fatalf("get %d answered %.20q, want the same token as the others", i, sec)
		}
	}
	if ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"}); len(ex) != 1 {
		t.Errorf("32 concurrent cold gets made %d exchanges, want 1", len(ex))
	}
	if en := kit.Requests(acrtest.Filter{Service: "entra", Method: "POST"}); len(en) != 1 {
		t.Errorf("32 concurrent cold gets made %d Entra token requests, want 1", len(en))
	}
	if probes := kit.Requests(acrtest.Filter{Service: "registry", Path: "/v2/"}); len(probes) != 0 {
		t.Errorf("a cold get probed /v2/: %v", probes)
	}
	s.assertNoSecretsLeaked()
}

// TestHelperCacheFaults: a corrupt cache is rebuilt, an unusable cache directory costs only an exchange.
func TestHelperCacheFaults(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	_, first, err := getAnswer(s.helper("get", host))
	if err != nil {
		t.Fatal(err)
	}
	s.corruptCacheFiles()
	_, second, err := getAnswer(s.helper("get", host))
	if err != nil || second == "" {
		t.Fatalf("get with a corrupt cache: %v", err)
	}
	if _, third, _ := getAnswer(s.helper("get", host)); third != second {
		t.Errorf("the cache was not rebuilt after corruption")
	}
	if first == second {
		t.Errorf("a corrupt entry was served")
	}
	s.setEnv("ACRDIAG_LOG=" + filepath.Join(s.home, "helper.log"))
	if _, _, err := getAnswer(s.helper("get", host)); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(s.home, "helper.log")); err != nil || !strings.Contains(string(b), "get myregistry.azurecr.io: token for") {
		t.Errorf("helper log: %q %v", b, err)
	}
	s.setEnv("ACRDIAG_CACHE_DIR=/proc/acrdiag-cannot-exist")
	if _, _, err := getAnswer(s.helper("get", host)); err != nil {
		t.Errorf("get with an unusable cache dir: %v", err)
	}
	if n := len(kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"})); n != 3 {
		t.Errorf("exchanges = %d, want 3 (first, after corruption, without a cache)", n)
	}
	s.assertNoSecretsLeaked() // the log included
}

var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*`)

// assertNoSecretsLeaked scans everything the session's commands printed (but the helper's answers to get)
// and every file under its home (but the token cache and the credential store, whose job is to hold tokens,
// and a real az's own token cache): no token may appear anywhere else.
func (s *session) assertNoSecretsLeaked() {
	s.t.Helper()
	for _, out := range s.outputs {
		if m := jwtPattern.FindString(out); m != "" {
			s.t.Errorf("a token was printed: %.60s...", m)
		}
	}
	_ = filepath.WalkDir(s.home, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil //nolint:nilerr // a file that vanished while walking holds no token
		}
		if d.IsDir() {
			if az := s.getEnv("AZURE_CONFIG_DIR"); az != "" && path == az && d.Name() == ".azure" {
				return filepath.SkipDir // the real az's MSAL cache: az's to keep, as on every machine
			}
			return nil
		}
		base := filepath.Base(path)
		if (strings.HasPrefix(base, "token-") && strings.HasSuffix(base, ".json")) || base == "credentials.json" {
			return nil
		}
		b, _ := os.ReadFile(path)
		if m := jwtPattern.Find(b); m != nil {
			s.t.Errorf("a token is in %s: %.60s...", path, m)
		}
		return nil
	})
}

// TestHelperFailingKeychainFallsBackToFile: a platform keychain that fails (locked, no D-Bus) does not break
// docker login: the credentials go to acrdiag's own 0600 file, with a note, and come back.
func TestHelperFailingKeychainFallsBackToFile(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	host := kit.Host("myregistry")
	s := newSession(t, kit)
	s.useHelper(host)
	s.noIdentity()
	bin := t.TempDir()
	broken := "#!/bin/sh\necho 'Cannot autolaunch D-Bus without X11 $DISPLAY'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-brokenkeychain"), []byte(broken), 0o755); err != nil {
		t.Fatal(err)
	}
	s.setEnv("PATH=" + bin + string(os.PathListSeparator) + s.getEnv("PATH"))
	cfgDir := filepath.Join(s.home, ".config", "acrdiag")
	_ = os.MkdirAll(cfgDir, 0o700)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"store":"brokenkeychain"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	refresh := kit.RefreshToken("myregistry", "ci-sp", 3*time.Hour)
	r := s.mustRun(refresh, docker, "login", host, "-u", "00000000-0000-0000-0000-000000000000", "--password-stdin")
	if !strings.Contains(r.stdout, "Login Succeeded") || !strings.Contains(r.stderr, "keeping the credentials for "+host+" in acrdiag's own file") {
		t.Errorf("docker login with a failing keychain: %s", r)
	}
	st, err := os.Stat(filepath.Join(cfgDir, "credentials.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	if user, _, err := getAnswer(s.helper("get", host)); err != nil || user != "00000000-0000-0000-0000-000000000000" {
		t.Errorf("get after the fallback: %q %v", user, err)
	}
	s.assertNoSecretsLeaked()
}
