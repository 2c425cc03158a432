package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// report is the JSON a diagnosis prints.
type report struct {
	Registry string `json:"registry"`
	OK       bool   `json:"ok"`
	Checks   []struct {
		ID, Status, Summary, Detail, Cause, Fix string
		MS                                      int64
	} `json:"checks"`
	Causes []string `json:"causes"`
}

func (r report) check(id string) (status, summary string) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status, c.Summary
		}
	}
	return "", ""
}

// installPlugin puts docker-acrcheck where the docker CLI finds plugins.
func (s *session) installPlugin() {
	s.t.Helper()
	if err := os.Symlink(filepath.Join(binDir, "docker-acrcheck"), filepath.Join(s.dockerConfig, "cli-plugins", "docker-acrcheck")); err != nil && !os.IsExist(err) {
		s.t.Fatal(err)
	}
}

// acrcheck runs `docker acrcheck ARGS --format json` and decodes the report.
func (s *session) acrcheck(docker string, args ...string) (report, result) {
	s.t.Helper()
	r := s.run("", docker, append(append([]string{"acrcheck"}, args...), "--format", "json")...)
	var rep report
	if r.exitCode != 2 {
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			s.t.Fatalf("docker acrcheck %v: not a JSON report: %v\n%s", args, err, r)
		}
	}
	return rep, r
}

func allScenarioRegistries() []acrtest.Registry {
	return []acrtest.Registry{
		{Name: "myregistry", DataEndpoint: true}, {Name: "firewalled", Scenario: acrtest.Firewall},
		{Name: "publicoff", Scenario: acrtest.PublicAccessDisabled}, {Name: "expiring", Scenario: acrtest.ExpiredTokens},
		{Name: "pullonly", Scenario: acrtest.PullOnly}, {Name: "norole", Scenario: acrtest.NoRole},
		{Name: "acronly", Scenario: acrtest.ARMAudienceDisabled}, {Name: "publicreg", Scenario: acrtest.AnonymousPull},
		{Name: "throttled", Scenario: acrtest.Throttled}, {Name: "sluggish", Scenario: acrtest.Slow},
		{Name: "resetting", Scenario: acrtest.ConnectionReset}, {Name: "blocked", Scenario: acrtest.DataEndpointBlocked},
		{Name: "abacreg", ABAC: true, RepositoryRoles: map[string]map[string]acrtest.Role{"ci-sp": {"other": acrtest.RoleAcrPush}}},
	}
}

// TestAcrcheckNamesTheCauseOfEveryScenario runs the plugin through the real docker CLI against every scenario of
// the kit and asserts the cause ids of the JSON report and the exit status.
func TestAcrcheckNamesTheCauseOfEveryScenario(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: allScenarioRegistries(),
		Identities: append(acrtest.DefaultIdentities(), acrtest.Identity{Name: "azlocal-sp", NoACRAudience: true})})
	for _, name := range []string{"myregistry", "pullonly", "blocked", "publicreg", "expiring"} {
		if _, err := kit.Seed(name, "hello:1"); err != nil {
			t.Fatal(err)
		}
	}
	base := newSession(t, kit)
	base.installPlugin()
	base.startDockerd()

	tests := []struct {
		name     string
		args     []string
		identity string
		setup    func(*session)
		want     string // a cause id the report must name; "" for a clean report
		failing  string // the check that must fail with it
		detail   string // evidence the failing check must show
	}{
		{name: "healthy", args: []string{"myregistry.azurecr.io", "--repository", "hello", "--action", "push"}},
		{name: "firewall", args: []string{"firewalled.azurecr.io"}, want: "network.firewall_denied", failing: "challenge"},
		{name: "public access disabled", args: []string{"publicoff.azurecr.io"}, want: "network.firewall_denied", failing: "challenge"},
		{name: "expired tokens", args: []string{"expiring.azurecr.io"}, want: "auth.token_expired", failing: "exchange"},
		{name: "pull-only pushing", args: []string{"pullonly.azurecr.io", "--repository", "hello", "--action", "push"}, want: "authz.push_denied", failing: "permissions"},
		{name: "ABAC without a repository role", args: []string{"abacreg.azurecr.io", "--repository", "hello"}, want: "authz.pull_denied", failing: "permissions",
			detail: "the registry uses ABAC"},
		{name: "no role", args: []string{"norole.azurecr.io"}, want: "authz.pull_denied", failing: "exchange"},
		{name: "ARM audience disabled", args: []string{"acronly.azurecr.io"}, identity: "azlocal-sp", want: "auth.audience_rejected", failing: "exchange"},
		{name: "throttled", args: []string{"throttled.azurecr.io"}, want: "registry.throttled", failing: "challenge"},
		{name: "connection reset", args: []string{"resetting.azurecr.io"}, want: "network.connection_reset", failing: "challenge"},
		{name: "data endpoint blocked", args: []string{"blocked.azurecr.io", "--repository", "hello"}, want: "network.data_endpoint_blocked", failing: "data_endpoint"},
		{name: "registry does not exist", args: []string{"nosuchregistry.azurecr.io"}, want: "registry.not_found", failing: "tcp"},
		{name: "bare name", args: []string{"MyRegistry"}, want: "registry.name_invalid", failing: "name"},
		{name: "typo'd suffix", args: []string{"myregistry.azurecr.com"}, want: "registry.name_invalid", failing: "name"},
		{name: "privatelink name", args: []string{"myregistry.privatelink.azurecr.io"}, want: "registry.name_invalid", failing: "name"},
		{name: "garbage", args: []string{"%%%\x01"}, want: "registry.name_invalid", failing: "name"},
		{name: "expired secret", args: []string{"myregistry.azurecr.io"}, identity: "expired-sp", want: "auth.sp_secret_expired", failing: "identity"},
		{name: "no identity", args: []string{"myregistry.azurecr.io"}, identity: "-", want: "auth.no_identity", failing: "identity"},
		{name: "proxy wants authentication", args: []string{"myregistry.azurecr.io"}, want: "network.proxy_error", failing: "tcp",
			setup: func(*session) { kit.SetProxyFault(acrtest.ProxyAuth) }},
		{name: "stale token blocks anonymous pull", args: []string{"publicreg.azurecr.io", "--repository", "hello"}, want: "auth.anonymous_pull_conflict", failing: "anonymous_pull",
			setup: func(s *session) {
				s.writeDockerConfig(`{"auths":{"publicreg.azurecr.io":{"auth":"","identitytoken":"` + kit.RefreshToken("publicreg", "ci-sp", -time.Hour) + `"}}}`)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, kit)
			s.env = slices.Clone(base.env)
			s.dockerConfig, s.home = base.dockerConfig, base.home
			s.writeDockerConfig("{}")
			switch tt.identity {
			case "":
				s.useIdentity("ci-sp")
			case "-":
				s.noIdentity()
			default:
				s.useIdentity(tt.identity)
			}
			if tt.setup != nil {
				tt.setup(s)
			}
			defer kit.SetProxyFault(acrtest.ProxyOK)
			rep, r := s.acrcheck(docker, tt.args...)
			if tt.want == "" {
				if r.exitCode != 0 || !rep.OK || len(rep.Causes) != 0 {
					t.Fatalf("want a clean report, got exit %d, causes %v\n%s", r.exitCode, rep.Causes, r.stdout)
				}
				for _, id := range []string{"docker_daemon", "challenge", "identity", "exchange", "permissions", "data_endpoint"} {
					if st, sum := rep.check(id); st != "pass" {
						t.Errorf("%s: %s %s", id, st, sum)
					}
				}
				return
			}
			if r.exitCode != 1 || rep.OK || !slices.Contains(rep.Causes, tt.want) {
				t.Fatalf("want exit 1 naming %s, got exit %d, causes %v\n%s", tt.want, r.exitCode, rep.Causes, r.stdout)
			}
			for _, c := range rep.Checks {
				if c.ID == tt.failing && (c.Status != "fail" || c.Cause != tt.want || c.Fix == "" || !strings.Contains(c.Detail, tt.detail)) {
					t.Errorf("check %s = %s %s [%s] %q fix %q, want a failure naming %s with a fix and %q", c.ID, c.Status, c.Summary, c.Cause, c.Detail, c.Fix, tt.want, tt.detail)
				}
			}
			s.writeDockerConfig("{}") // the stale token a case stored itself is not a leak
			s.assertNoSecretsLeaked()
		})
	}
}

// TestAcrcheckTextOutputAndUsage: the text report a person reads, and exit status 2 for usage errors.
func TestAcrcheckTextOutputAndUsage(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	r := s.run("", docker, "acrcheck", "firewalled.azurecr.io")
	for _, want := range []string{"Diagnosis of firewalled.azurecr.io", "FAIL  challenge", "403 DENIED: client with IP '127.0.0.1'",
		"fix: Allow this client's IP: az acr network-rule add -n firewalled --ip-address 127.0.0.1", "problems found:", "network.firewall_denied"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
	if h := s.mustRun("", docker, "acrcheck", "--help"); !strings.Contains(h.stdout, "Usage:  docker acrcheck [OPTIONS] REGISTRY") ||
		!strings.Contains(h.stdout, "Commands:") || !strings.Contains(h.stdout, "--expect-private") {
		t.Errorf("help does not read like docker's:\n%s", h.stdout)
	}
	if c := s.mustRun("", docker, "acrcheck", "completion", "bash"); !strings.Contains(c.stdout, "source <(docker completion bash)") {
		t.Errorf("completion does not say how Docker's completion covers the plugin: %.200s", c.stdout)
	}
	if r.exitCode != 1 || strings.Contains(r.stdout, "\033[") {
		t.Errorf("exit %d; colour codes off a terminal: %v", r.exitCode, strings.Contains(r.stdout, "\033["))
	}
	for _, args := range [][]string{{"acrcheck"}, {"acrcheck", "a.azurecr.io", "b.azurecr.io"}, {"acrcheck", "x.azurecr.io", "--action", "delete"},
		{"acrcheck", "x.azurecr.io", "--format", "yaml"}, {"acrcheck", "x.azurecr.io", "--bogus"}, {"acrcheck", "x.azurecr.io", "--checks", "nope"}} {
		if r := s.run("", docker, args...); r.exitCode != 2 || r.stderr == "" {
			t.Errorf("docker %v: exit %d, want 2 with a message: %s", args, r.exitCode, r)
		}
	}
	s.assertNoSecretsLeaked()
}

// TestAcrcheckNothingHangsPastTimeout: a registry that never answers and a proxy that never answers end in
// network.timeout within --timeout.
func TestAcrcheckNothingHangsPastTimeout(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{{Name: "sluggish", Scenario: acrtest.Slow}, {Name: "myregistry"}}})
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	for _, tc := range []struct {
		registry string
		fault    acrtest.ProxyFault
	}{{"sluggish.azurecr.io", acrtest.ProxyOK}, {"myregistry.azurecr.io", acrtest.ProxySlow}} {
		kit.SetProxyFault(tc.fault)
		start := time.Now()
		rep, r := s.acrcheck(docker, tc.registry, "--timeout", "2s")
		elapsed := time.Since(start)
		if elapsed > 6*time.Second {
			t.Errorf("%s (proxy %q): took %s with --timeout 2s", tc.registry, tc.fault, elapsed)
		}
		if r.exitCode != 1 || !slices.Contains(rep.Causes, "network.timeout") {
			t.Errorf("%s (proxy %q): exit %d causes %v", tc.registry, tc.fault, r.exitCode, rep.Causes)
		}
	}
	kit.SetProxyFault(acrtest.ProxyOK)
}

// TestAcrcheckDNS: with --dns-server, the CNAME chain shows private endpoints, NXDOMAIN means the registry does
// not exist, and a dead DNS server is a DNS failure. The DNS server is a real one on loopback.
func TestAcrcheckDNS(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{{Name: "privreg"}, {Name: "pubreg"}, {Name: "myregistry"}}})
	server := startDNS(t, map[string]string{
		"privreg.azurecr.io.":             "CNAME privreg.privatelink.azurecr.io.",
		"privreg.privatelink.azurecr.io.": "A 10.1.2.7",
		"pubreg.azurecr.io.":              "CNAME pubreg.privatelink.azurecr.io.",
		"pubreg.privatelink.azurecr.io.":  "CNAME xxxx.eastus.cloudapp.azure.com.",
		"xxxx.eastus.cloudapp.azure.com.": "A 20.45.122.144",
	})
	dead, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}) // nothing answers here
	deadAddr := dead.LocalAddr().String()
	_ = dead.Close()
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	tests := []struct {
		args   []string
		status string
		cause  string
		text   string
	}{
		{[]string{"privreg.azurecr.io", "--dns-server", server, "--expect-private"}, "pass", "", "private endpoint in use"},
		{[]string{"pubreg.azurecr.io", "--dns-server", server, "--expect-private"}, "fail", "network.private_endpoint_dns", "20.45.122.144"},
		{[]string{"pubreg.azurecr.io", "--dns-server", server}, "warn", "", "pubreg.privatelink.azurecr.io"},
		{[]string{"myregistry.azurecr.io", "--dns-server", server}, "fail", "registry.not_found", "NXDOMAIN"},
		{[]string{"myregistry.azurecr.io", "--dns-server", deadAddr, "--timeout", "3s"}, "fail", "network.dns_failure", deadAddr},
		{[]string{"myregistry.azurecr.io"}, "skip", "", "resolves myregistry.azurecr.io itself"},
	}
	for _, tt := range tests {
		rep, r := s.acrcheck(docker, append(tt.args, "--checks", "dns")...)
		st, sum := rep.check("dns")
		if st != tt.status || !strings.Contains(sum, tt.text) || (tt.cause != "" && !slices.Contains(rep.Causes, tt.cause)) {
			t.Errorf("acrcheck %v: dns = %s %q, causes %v (exit %d), want %s %q %s", tt.args, st, sum, rep.Causes, r.exitCode, tt.status, tt.text, tt.cause)
		}
	}
}

// startDNS serves the given records (name -> "A ip" or "CNAME target") on loopback UDP; other names are NXDOMAIN.
func startDNS(t *testing.T, records map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		name := q.Question[0].Name
		for rec, ok := records[name]; ok; rec, ok = records[name] {
			rr, err := dns.NewRR(name + " 60 IN " + rec)
			if err != nil {
				t.Error(err)
				break
			}
			m.Answer = append(m.Answer, rr)
			cn, isCNAME := rr.(*dns.CNAME)
			if !isCNAME {
				break
			}
			name = cn.Target
		}
		if len(m.Answer) == 0 {
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

// TestAcrcheckColoursOnlyOnATerminal: under a pseudo-terminal the report has colours and a progress line;
// NO_COLOR and --no-color turn the colours off.
func TestAcrcheckColoursOnlyOnATerminal(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	script := requireTool(t, "script", "util-linux's script runs a command under a pseudo-terminal")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	cmd := docker + " acrcheck myregistry.azurecr.io --checks name,challenge"
	r := s.run("", script, "-qec", cmd, "/dev/null")
	if !strings.Contains(r.stdout, "\033[32m✔\033[0m") || !strings.Contains(r.stdout, "checking myregistry.azurecr.io") {
		t.Errorf("no colours or progress on a terminal:\n%q", r.stdout)
	}
	for _, extra := range []string{" --no-color", ""} {
		if extra == "" {
			s.setEnv("NO_COLOR=1")
		}
		r = s.run("", script, "-qec", cmd+extra, "/dev/null")
		if strings.Contains(r.stdout, "\033[32m") || !strings.Contains(r.stdout, "PASS  challenge") {
			t.Errorf("colours despite%s NO_COLOR=%q:\n%q", extra, s.getEnv("NO_COLOR"), r.stdout)
		}
	}
}
