package e2e

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// The diagnosis with read access to the registry in Azure Resource Manager: each 403 and 401 of the kit
// resolved to its precise cause, through the real docker CLI and the kit's fake ARM.

// withReader gives ci-sp the Reader role on the registry's resource group.
func withReader(r acrtest.Registry) acrtest.Registry {
	if r.ARM.Roles == nil {
		r.ARM.Roles = map[string][]acrtest.Role{}
	}
	r.ARM.Roles["ci-sp"] = append(r.ARM.Roles["ci-sp"], acrtest.RoleReader)
	return r
}

func azureRegistries() []acrtest.Registry {
	return []acrtest.Registry{
		withReader(acrtest.Registry{Name: "fwreader", Scenario: acrtest.Firewall}),
		withReader(acrtest.Registry{Name: "pubreader", Scenario: acrtest.PublicAccessDisabled}),
		withReader(acrtest.Registry{Name: "pereader", Scenario: acrtest.PrivateEndpointOnly}),
		{Name: "readeronly", Roles: map[string]acrtest.Role{"ci-sp": acrtest.RoleReader}},
		withReader(acrtest.Registry{Name: "abacreader", ABAC: true, RepositoryRoles: map[string]map[string]acrtest.Role{"ci-sp": {"other": acrtest.RoleAcrPush}}}),
		{Name: "expreader", Scenario: acrtest.ExpiredTokens, Roles: map[string]acrtest.Role{"ci-sp": acrtest.RoleOwner}},
		{Name: "fwnoarm", Scenario: acrtest.Firewall},
		{Name: "cfgreader", ARM: acrtest.ARMConfig{Roles: map[string][]acrtest.Role{"ci-sp": {acrtest.RoleConfigReader}}}},
		withReader(acrtest.Registry{Name: "replicated", DataEndpoint: true, ARM: acrtest.ARMConfig{Replicas: []string{"westeurope"}},
			BlockedDataHosts: []string{"replicated.westeurope.data.azurecr.io"}}),
		withReader(acrtest.Registry{Name: "tokenreg", ARM: acrtest.ARMConfig{LoginEvents: true, Tokens: []acrtest.ScopedToken{
			{Name: "old-token", Password: "old-password", Disabled: true},
			{Name: "ci-token", Password: "ci-password", Actions: []string{"repositories/hello/content/read", "repositories/hello/metadata/read"}},
			{Name: "stale-token", Password: "stale-password", PasswordExpiry: time.Now().Add(-24 * time.Hour), Actions: []string{"repositories/hello/content/read"}},
		}}}),
		// A registry with a domain-name-label login server, in another subscription.
		withReader(acrtest.Registry{Name: "contoso-h4sh", ARM: acrtest.ARMConfig{Subscription: otherSubscription}}),
		withReader(acrtest.Registry{Name: "nologs"}),
	}
}

const otherSubscription = "11111111-2222-4333-8444-555555555555"

// basicAuth is a config.json auths entry with a username and password, as `docker login -u -p` leaves it.
func basicAuth(host, user, pass string) string {
	b, _ := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}}})
	return string(b)
}

func (r report) result(id string) (c struct {
	ID, Status, Summary, Detail, Cause, Fix string
	MS                                      int64
}) {
	for _, got := range r.Checks {
		if got.ID == id {
			return got
		}
	}
	return c
}

func TestAcrcheckResolvesCausesFromAzure(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{Registries: azureRegistries()})
	for _, name := range []string{"readeronly", "replicated", "tokenreg"} {
		if _, err := kit.Seed(name, "hello:1"); err != nil {
			t.Fatal(err)
		}
	}
	oid := kit.Identity("ci-sp").ObjectID
	base := newSession(t, kit)
	base.installPlugin()
	// session is a new session with the plugin installed and ci-sp signed in.
	session := func(t *testing.T) *session {
		s := newSession(t, kit)
		s.env = slices.Clone(base.env)
		s.dockerConfig, s.home = base.dockerConfig, base.home
		s.writeDockerConfig("{}")
		s.useIdentity("ci-sp")
		return s
	}

	tests := []struct {
		name    string
		args    []string
		config  string
		want    string // a cause the report names
		failing string // the Azure check that finds it
		fix     []string
		refined string // a data-plane check whose cause the Azure finding replaces
		notWant string // a cause the report must not name
	}{
		{name: "IP not in the rules", args: []string{"fwreader.azurecr.io"}, want: "network.ip_not_allowed", failing: "network_rules",
			fix: []string{"az acr network-rule add --name fwreader --resource-group rg-fwreader", "--ip-address 127.0.0.1"}, refined: "challenge", notWant: "network.firewall_denied"},
		{name: "public access disabled", args: []string{"pubreader.azurecr.io"}, want: "network.public_access_disabled", failing: "network_rules",
			refined: "challenge", notWant: "network.firewall_denied"},
		{name: "private endpoint only", args: []string{"pereader.azurecr.io"}, want: "network.private_endpoint_only", failing: "network_rules",
			refined: "challenge", notWant: "network.firewall_denied"},
		{name: "Reader cannot push", args: []string{"readeronly.azurecr.io", "--repository", "hello", "--action", "push"}, want: "authz.push_denied", failing: "roles",
			fix: []string{"az role assignment create --assignee " + oid + ` --role "AcrPush" --scope /subscriptions/` + acrtest.DefaultSubscriptionID + "/resourceGroups/rg-readeronly/providers/Microsoft.ContainerRegistry/registries/readeronly"}},
		{name: "ABAC registry ignores AcrPush", args: []string{"abacreader.azurecr.io", "--repository", "hello", "--action", "push"}, want: "authz.abac_repository_role", failing: "roles",
			fix: []string{`--role "Container Registry Repository Writer" --scope /subscriptions/`, "--condition-version 2.0", "StringEqualsIgnoreCase 'hello'"}, refined: "permissions", notWant: "authz.push_denied"},
		{name: "expired tokens with the right role", args: []string{"expreader.azurecr.io"}, want: "auth.token_expired", failing: "exchange"},
		{name: "disabled scoped token", args: []string{"tokenreg.azurecr.io", "--repository", "hello"}, config: basicAuth("tokenreg.azurecr.io", "old-token", "old-password"),
			want: "authz.repo_scoped_token", failing: "stored_user", fix: []string{"az acr token update --name old-token --registry tokenreg --status enabled"}},
		{name: "scoped token without push", args: []string{"tokenreg.azurecr.io", "--repository", "hello", "--action", "push"}, config: basicAuth("tokenreg.azurecr.io", "ci-token", "ci-password"),
			want: "authz.repo_scoped_token", failing: "stored_user", fix: []string{"az acr scope-map update --name ci-token-scope-map --registry tokenreg --add-repository hello content/write"}},
		{name: "scoped token password expired", args: []string{"tokenreg.azurecr.io", "--repository", "hello"}, config: basicAuth("tokenreg.azurecr.io", "stale-token", "stale-password"),
			want: "authz.repo_scoped_token", failing: "stored_user", fix: []string{"az acr token credential generate --name stale-token --registry tokenreg"}},
		{name: "a replica's data endpoint blocked", args: []string{"replicated.azurecr.io"}, want: "network.data_endpoint_blocked", failing: "replica_endpoints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := session(t)
			if tt.config != "" {
				s.writeDockerConfig(tt.config)
			}
			rep, r := s.acrcheck(docker, tt.args...)
			if r.exitCode != 1 || !slices.Contains(rep.Causes, tt.want) || slices.Contains(rep.Causes, tt.notWant) {
				t.Fatalf("want exit 1 naming %s (not %q), got exit %d, causes %v\n%s", tt.want, tt.notWant, r.exitCode, rep.Causes, r.stdout)
			}
			if reg := rep.result("azure_registry"); reg.Status != "pass" || !strings.Contains(reg.Summary, "/providers/Microsoft.ContainerRegistry/registries/") {
				t.Errorf("azure_registry: %s %s %s; want the resource id", reg.Status, reg.Summary, reg.Detail)
			}
			c := rep.result(tt.failing)
			if c.Status != "fail" || c.Cause != tt.want {
				t.Errorf("%s = %s [%s] %s; want a failure naming %s", tt.failing, c.Status, c.Cause, c.Summary, tt.want)
			}
			for _, f := range tt.fix {
				if !strings.Contains(c.Fix, f) {
					t.Errorf("%s fix %q lacks %q", tt.failing, c.Fix, f)
				}
			}
			if tt.refined != "" {
				if rc := rep.result(tt.refined); rc.Status != "fail" || rc.Cause != tt.want || !strings.Contains(rc.Detail, "confirmed from Azure") {
					t.Errorf("%s = %s [%s] %q; want it refined to %s", tt.refined, rc.Status, rc.Cause, rc.Detail, tt.want)
				}
			}
			s.writeDockerConfig("{}")
			s.assertNoSecretsLeaked()
		})
	}

	t.Run("roles pass when the token is what expired", func(t *testing.T) {
		s := session(t)
		rep, _ := s.acrcheck(docker, "expreader.azurecr.io")
		if c := rep.result("roles"); c.Status != "pass" || !strings.Contains(c.Summary, "Owner") {
			t.Errorf("roles = %s %s; want pass naming Owner", c.Status, c.Summary)
		}
	})

	t.Run("without ARM access every Azure check says why", func(t *testing.T) {
		s := session(t)
		rep, r := s.acrcheck(docker, "fwnoarm.azurecr.io")
		if r.exitCode != 1 || !slices.Contains(rep.Causes, "network.firewall_denied") {
			t.Fatalf("want the data-plane finding to stand, got exit %d causes %v\n%s", r.exitCode, rep.Causes, r.stdout)
		}
		for _, id := range []string{"azure_registry", "network_rules", "roles", "trusted_services", "replica_endpoints", "login_events"} {
			if c := rep.result(id); c.Status != "skip" || c.Summary == "" {
				t.Errorf("%s = %s %q; want a skip with the reason", id, c.Status, c.Summary)
			}
		}
		if c := rep.result("azure_registry"); !strings.Contains(c.Summary, "Reader") {
			t.Errorf("azure_registry skip %q does not name the Reader role", c.Summary)
		}
	})

	t.Run("registry readable, role assignments not", func(t *testing.T) {
		s := session(t)
		rep, _ := s.acrcheck(docker, "cfgreader.azurecr.io")
		if c := rep.result("azure_registry"); c.Status != "pass" {
			t.Errorf("azure_registry = %s %s", c.Status, c.Summary)
		}
		for _, id := range []string{"roles", "login_events"} {
			if c := rep.result(id); c.Status != "skip" || !strings.Contains(c.Summary, "/read") || !strings.Contains(c.Summary, "--role Reader") {
				t.Errorf("%s = %s %q; want a skip naming the refused action and the Reader role", id, c.Status, c.Summary)
			}
		}
	})

	t.Run("resource group given", func(t *testing.T) {
		s := session(t)
		rep, _ := s.acrcheck(docker, "fwreader.azurecr.io", "--subscription", acrtest.DefaultSubscriptionID, "--resource-group", "rg-fwreader")
		if c := rep.result("network_rules"); c.Cause != "network.ip_not_allowed" {
			t.Errorf("with the right group: network_rules = %s [%s] %s", c.Status, c.Cause, c.Summary)
		}
		rep, _ = s.acrcheck(docker, "fwreader.azurecr.io", "--subscription", acrtest.DefaultSubscriptionID, "--resource-group", "rg-pubreader")
		if c := rep.result("azure_registry"); c.Status != "warn" || !strings.Contains(c.Summary, "ResourceNotFound") || !strings.Contains(c.Fix+c.Detail, "--resource-group") {
			t.Errorf("with another group: azure_registry = %s %q %q %q; want a warning about the group", c.Status, c.Summary, c.Detail, c.Fix)
		}
		if !slices.Contains(rep.Causes, "network.firewall_denied") {
			t.Errorf("causes %v; the data-plane finding must stand", rep.Causes)
		}
		for _, bad := range [][]string{
			{"--resource-group", "rg-fwreader"},
			{"--subscription", "My Subscription"},
			{"--subscription", acrtest.DefaultSubscriptionID, "--resource-group", "../../providers/x"},
		} {
			r := s.run("", docker, append([]string{"acrcheck", "fwreader.azurecr.io"}, bad...)...)
			if r.exitCode != 2 || !strings.Contains(r.stderr, bad[len(bad)-2]) {
				t.Errorf("%v: want exit 2 naming the flag: %s", bad, r)
			}
			if r = s.run("", docker, append([]string{"acrcheck", "logs", "fwreader.azurecr.io"}, bad...)...); r.exitCode != 2 {
				t.Errorf("logs %v: want exit 2: %s", bad, r)
			}
		}
	})

	t.Run("the login server without its domain-name label", func(t *testing.T) {
		s := session(t)
		rep, r := s.acrcheck(docker, "contoso.azurecr.io")
		if r.exitCode != 1 || !slices.Contains(rep.Causes, "registry.not_found") {
			t.Fatalf("want registry.not_found, got exit %d causes %v\n%s", r.exitCode, rep.Causes, r.stdout)
		}
		c := rep.result("azure_registry")
		if c.Status != "warn" || !strings.Contains(c.Summary, "contoso-h4sh.azurecr.io") || !strings.Contains(c.Summary, otherSubscription) {
			t.Errorf("azure_registry = %s %q; want a warning naming the similar registry and its subscription", c.Status, c.Summary)
		}
	})

	t.Run("throttled once, then answered", func(t *testing.T) {
		s := session(t)
		kit.SetARMThrottle(1)
		defer kit.SetARMThrottle(0)
		rep, _ := s.acrcheck(docker, "fwreader.azurecr.io")
		if !slices.Contains(rep.Causes, "network.ip_not_allowed") {
			t.Errorf("causes %v; one 429 with Retry-After must be retried", rep.Causes)
		}
	})

	t.Run("throttled for good ends by the deadline", func(t *testing.T) {
		s := session(t)
		kit.SetARMThrottle(-1)
		defer kit.SetARMThrottle(0)
		start := time.Now()
		rep, r := s.acrcheck(docker, "fwreader.azurecr.io", "--timeout", "4s")
		took := time.Since(start)
		if took > 8*time.Second {
			t.Errorf("took %v with --timeout 4s", took)
		}
		if c := rep.result("azure_registry"); c.Status != "skip" || !strings.Contains(c.Summary, "throttl") {
			t.Errorf("azure_registry = %s %q; want a skip saying ARM throttles", c.Status, c.Summary)
		}
		if !slices.Contains(rep.Causes, "network.firewall_denied") {
			t.Errorf("causes %v; the data-plane finding must stand\n%s", rep.Causes, r.stdout)
		}
	})
}

func TestAcrcheckLogs(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	crane := requireTool(t, "crane", "installed by `make tools`")
	kit := acrtest.Start(t, acrtest.Options{Registries: azureRegistries()})
	if _, err := kit.Seed("tokenreg", "hello:1"); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")

	// A pull with a wrong password, as Docker holds it, fails; the registry records it.
	s.writeDockerConfig(basicAuth("tokenreg.azurecr.io", "ci-token", "wrong-password"))
	if r := s.run("", crane, "digest", "tokenreg.azurecr.io/hello:1"); r.exitCode == 0 {
		t.Fatalf("a wrong password worked: %s", r)
	}
	r := s.mustRun("", docker, "acrcheck", "logs", "tokenreg.azurecr.io", "--format", "json")
	var out struct {
		ResourceID string   `json:"resourceId"`
		Matching   []string `json:"matching"`
		Events     []struct{ Identity, IP, Result, Reason string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(out.Events) == 0 || out.Events[0].Identity != "ci-token" || out.Events[0].Result != "401" || out.Events[0].IP != "127.0.0.1" {
		t.Fatalf("events %+v; want ci-token's 401 from 127.0.0.1", out.Events)
	}
	if !slices.Contains(out.Matching, kit.Identity("ci-sp").ObjectID) || !slices.Contains(out.Matching, "ci-token") {
		t.Errorf("matching %v; want this identity's object id and Docker's username", out.Matching)
	}
	text := s.mustRun("", docker, "acrcheck", "logs", "tokenreg.azurecr.io", "--since", "30m").stdout
	if !strings.Contains(text, "ci-token") || !strings.Contains(text, "401") {
		t.Errorf("text output:\n%s", text)
	}

	// Not collected: say so and how to enable it.
	r = s.run("", docker, "acrcheck", "logs", "nologs.azurecr.io")
	if r.exitCode != 1 || !strings.Contains(r.stderr, "az monitor diagnostic-settings create") || !strings.Contains(r.stderr, "ContainerRegistryLoginEvents") {
		t.Errorf("logs not collected: %s", r)
	}
	// No read access: denied, with the role that would allow it.
	r = s.run("", docker, "acrcheck", "logs", "fwnoarm.azurecr.io")
	if r.exitCode != 1 || !strings.Contains(r.stderr, "Reader") {
		t.Errorf("no access: %s", r)
	}
	r = s.run("", docker, "acrcheck", "logs", "tokenreg.azurecr.io", "--since", "-1h")
	if r.exitCode != 2 {
		t.Errorf("--since -1h: %s", r)
	}
	s.writeDockerConfig("{}")
	s.assertNoSecretsLeaked()
}
