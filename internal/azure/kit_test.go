package azure_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/acrtest"
	"github.com/acrdiag/acrdiag/internal/azure"
	"github.com/acrdiag/acrdiag/internal/renew"
)

// The client against the test kit's fake Azure Resource Manager, Resource Graph and Log Analytics, through
// the kit's proxy and CA: the real SDK clients, paging, errors and retries.

// kitSource mints Entra tokens of one kit identity for the audience a scope names.
type kitSource struct {
	kit      *acrtest.Kit
	identity string
}

func (s kitSource) Token(_ context.Context, scope string) (string, error) {
	aud := acrtest.AudienceARM
	if strings.Contains(scope, "loganalytics") {
		aud = "https://api.loganalytics.io"
	}
	return s.kit.EntraToken(s.identity, aud, time.Hour), nil
}

func reader(ids ...string) map[string][]acrtest.Role {
	m := map[string][]acrtest.Role{}
	for _, id := range ids {
		m[id] = []acrtest.Role{acrtest.RoleReader}
	}
	return m
}

func startKit(t *testing.T) *acrtest.Kit {
	return acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{
		{Name: "firewalled", Scenario: acrtest.Firewall, DataEndpoint: true,
			ARM: acrtest.ARMConfig{Roles: reader("ci-sp"), Replicas: []string{"westeurope"}}},
		{Name: "abacreg", ABAC: true, RepositoryRoles: map[string]map[string]acrtest.Role{"ci-sp": {"team/app": acrtest.RoleAcrPush}},
			ARM: acrtest.ARMConfig{Roles: reader("ci-sp")}},
		{Name: "contoso-h4sh", ARM: acrtest.ARMConfig{Roles: reader("ci-sp"), Subscription: "11111111-2222-4333-8444-555555555555"}},
		{Name: "contoso2", ARM: acrtest.ARMConfig{Roles: reader("ci-sp"), LoginEvents: true}},
		{Name: "cfgonly", ARM: acrtest.ARMConfig{Roles: map[string][]acrtest.Role{"ci-sp": {acrtest.RoleConfigReader}},
			Tokens: []acrtest.ScopedToken{{Name: "ci-token", Password: "pw", Actions: []string{"repositories/hello/content/read"}}}}},
		{Name: "hidden"},
	}})
}

func client(k *acrtest.Kit, identity string) *azure.Client {
	return azure.New(renew.Credential(kitSource{k, identity}), azure.WithTransport(k.Client()))
}

func TestFindAndReadRegistry(t *testing.T) {
	k := startKit(t)
	c := client(k, "ci-sp")
	ctx := context.Background()
	ref, err := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{})
	if err != nil || ref.ID != k.Registry("firewalled").ResourceID() {
		t.Fatalf("Find = %+v, %v; want %s", ref, err, k.Registry("firewalled").ResourceID())
	}
	reg, err := c.Registry(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if reg.DefaultAction != "Deny" || !slices.Equal(reg.IPRules, []string{"203.0.113.0/24"}) || reg.PublicDisabled() || reg.SKU != "Premium" {
		t.Errorf("network = %s %v public %s sku %s; want Deny [203.0.113.0/24] Enabled Premium", reg.DefaultAction, reg.IPRules, reg.PublicNetworkAccess, reg.SKU)
	}
	if !slices.Equal(reg.Replicas, []string{"eastus", "westeurope"}) || len(reg.DataEndpointHosts) != 2 {
		t.Errorf("replicas %v, data endpoints %v; want two of each", reg.Replicas, reg.DataEndpointHosts)
	}
	if reg.ARMAudience != "enabled" || reg.RoleAssignmentMode != "LegacyRegistryPermissions" || reg.AnonymousPullEnabled == nil {
		t.Errorf("newer properties not read: %q %q %v", reg.ARMAudience, reg.RoleAssignmentMode, reg.AnonymousPullEnabled)
	}

	// A domain-name-label login server is found by its own name, and suggested for the bare name.
	ref, err = c.Find(ctx, "contoso-h4sh.azurecr.io", azure.Scope{})
	if err != nil || ref.Subscription != "11111111-2222-4333-8444-555555555555" {
		t.Fatalf("Find(contoso-h4sh) = %+v, %v", ref, err)
	}
	_, err = c.Find(ctx, "contoso.azurecr.io", azure.Scope{})
	var nf *azure.NotFoundError
	if !errors.As(err, &nf) || len(nf.Similar) != 1 || !strings.Contains(err.Error(), "contoso-h4sh.azurecr.io") {
		t.Fatalf("Find(contoso) = %v; want not found, similar contoso-h4sh", err)
	}

	// --subscription lists that subscription (paged); --resource-group reads directly.
	ref, err = c.Find(ctx, "contoso2.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID})
	if err != nil || ref.Name != "contoso2" {
		t.Fatalf("Find in subscription = %+v, %v", ref, err)
	}
	ref, _ = c.Find(ctx, "firewalled.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID, ResourceGroup: "rg-elsewhere"})
	if _, err := c.Registry(ctx, ref); !azure.IsDenied(err) && !azure.IsNotFound(err) {
		t.Fatalf("Registry in the wrong group = %v; want 404 or 403", err)
	}
	if len(k.Requests(acrtest.Filter{Service: "arm", Path: "/subscriptions/" + acrtest.DefaultSubscriptionID + "/providers"})) < 2 {
		t.Errorf("the registry list was not paged")
	}
}

func TestRolesAndPartialPermissions(t *testing.T) {
	k := startKit(t)
	ctx := context.Background()
	c := client(k, "ci-sp")
	oid := k.Identity("ci-sp").ObjectID

	ref, _ := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{})
	roles, err := c.RoleAssignments(ctx, ref, oid)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := azure.Grants(roles, "push", false); len(got) != 1 || got[0].Role != "AcrPush" || !slices.ContainsFunc(roles, func(a azure.Assignment) bool { return a.Role == "Reader" }) {
		t.Errorf("roles %+v; want AcrPush at the registry and Reader above", roles)
	}

	ref, _ = c.Find(ctx, "abacreg.azurecr.io", azure.Scope{})
	reg, _ := c.Registry(ctx, ref)
	roles, _ = c.RoleAssignments(ctx, ref, oid)
	if got, needed := azure.Grants(roles, "push", reg.ABAC()); !reg.ABAC() || len(got) != 1 || got[0].Condition == "" || needed != "Container Registry Repository Writer" {
		t.Errorf("ABAC %v roles %+v", reg.ABAC(), roles)
	}

	// The configuration reader reads the registry and its tokens, not role assignments or diagnostic settings.
	ref, err = c.Find(ctx, "cfgonly.azurecr.io", azure.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Token(ctx, ref, "ci-token")
	if err != nil || !tok.Enabled || !slices.Equal(tok.Actions, []string{"repositories/hello/content/read"}) {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if _, err := c.Token(ctx, ref, "nosuch"); !azure.IsNotFound(err) {
		t.Errorf("missing token: %v; want 404", err)
	}
	_, err = c.RoleAssignments(ctx, ref, oid)
	var ae *azure.Error
	if !errors.As(err, &ae) || !ae.Denied() || ae.Action != "Microsoft.Authorization/roleAssignments/read" {
		t.Errorf("RoleAssignments = %v; want AuthorizationFailed naming the action", err)
	}
	if _, err := c.LoginEventSettings(ctx, ref); !azure.IsDenied(err) {
		t.Errorf("LoginEventSettings = %v; want denied", err)
	}

	// No control-plane role: Resource Graph shows nothing, a direct read is refused.
	_, err = c.Find(ctx, "hidden.azurecr.io", azure.Scope{})
	var nf *azure.NotFoundError
	if !errors.As(err, &nf) || len(nf.Similar) != 0 {
		t.Errorf("Find(hidden) = %v; want not found", err)
	}
	ref, _ = c.Find(ctx, "hidden.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID, ResourceGroup: "rg-hidden"})
	if _, err := c.Registry(ctx, ref); !azure.IsDenied(err) || !strings.Contains(err.Error(), "Microsoft.ContainerRegistry/registries/read") {
		t.Errorf("Registry(hidden) = %v; want denied naming registries/read", err)
	}
}

func TestThrottlingAndDeadline(t *testing.T) {
	k := startKit(t)
	c := client(k, "ci-sp")
	k.SetARMThrottle(1)
	if _, err := c.Find(context.Background(), "firewalled.azurecr.io", azure.Scope{}); err != nil {
		t.Fatalf("one 429 with Retry-After is retried: %v", err)
	}
	k.SetARMThrottle(-1)
	defer k.SetARMThrottle(0)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Find(ctx, "firewalled.azurecr.io", azure.Scope{Subscription: acrtest.DefaultSubscriptionID})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("persistent throttling: %v after %v; want an error by the deadline", err, time.Since(start))
	}
}

func TestLoginEvents(t *testing.T) {
	k := startKit(t)
	c := client(k, "ci-sp")
	ctx := context.Background()
	req, _ := http.NewRequest(http.MethodGet, "https://contoso2.azurecr.io/oauth2/token?service=contoso2.azurecr.io", nil)
	req.SetBasicAuth("ci-token", "wrong")
	if resp, err := k.Client().Do(req); err == nil {
		_ = resp.Body.Close()
	}
	ref, _ := c.Find(ctx, "contoso2.azurecr.io", azure.Scope{})
	settings, err := c.LoginEventSettings(ctx, ref)
	if err != nil || len(settings) != 1 || settings[0].Workspace == "" {
		t.Fatalf("settings = %+v, %v", settings, err)
	}
	events, err := c.LoginEvents(ctx, ref, "contoso2.azurecr.io", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Identity != "ci-token" || !events[0].Failed() || events[0].CallerIP != "127.0.0.1" {
		t.Fatalf("events = %+v; want the failed login of ci-token from 127.0.0.1", events)
	}
	if _, err := client(k, "dev-user").LoginEvents(ctx, ref, "contoso2.azurecr.io", time.Hour); !azure.IsDenied(err) {
		t.Errorf("without Reader: %v; want denied", err)
	}
}
