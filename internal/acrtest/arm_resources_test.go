package acrtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestGenericResourceList: the subscription's generic resource list, as `az acr login -n NAME` reads it to
// find a registry's resource group, shows the registries the caller may read, filtered by type and paged;
// another type's filter finds nothing, an unknown filter is ARM's 400, an unknown subscription ARM's 404.
func TestGenericResourceList(t *testing.T) {
	k := Start(t, Options{Registries: []Registry{
		{Name: "alpha", ARM: ARMConfig{Roles: map[string][]Role{"ci-sp": {RoleReader}}}},
		{Name: "beta", ARM: ARMConfig{Roles: map[string][]Role{"ci-sp": {RoleConfigReader}}}},
		{Name: "gamma", ARM: ARMConfig{Roles: map[string][]Role{"ci-sp": {RoleReader}}}},
		{Name: "hidden", Roles: map[string]Role{"ci-sp": RoleAcrPull}}, // a data-plane role reads nothing in ARM
	}})
	token := k.EntraToken("ci-sp", AudienceARM, time.Hour)
	list := func(sub, filter, next string) (int, map[string]any) {
		t.Helper()
		u := next
		if u == "" {
			q := url.Values{"api-version": {"2022-09-01"}}
			if filter != "" {
				q.Set("$filter", filter)
			}
			u = "https://" + armHost + "/subscriptions/" + sub + "/resources?" + q.Encode()
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := k.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	var names []string
	next := ""
	for page := 0; page < 5; page++ {
		status, body := list(DefaultSubscriptionID, "resourceType eq 'Microsoft.ContainerRegistry/registries'", next)
		if status != 200 {
			t.Fatalf("list: %d %v", status, body)
		}
		for _, v := range body["value"].([]any) {
			r := v.(map[string]any)
			if r["type"] != "Microsoft.ContainerRegistry/registries" || r["id"] == "" || r["properties"] != nil {
				t.Errorf("not a generic resource: %v", r)
			}
			names = append(names, r["name"].(string))
		}
		if next, _ = body["nextLink"].(string); next == "" {
			break
		}
	}
	if got, want := len(names), 3; got != want || names[0] != "alpha" || names[2] != "gamma" {
		t.Errorf("registries listed = %v, want alpha, beta, gamma over two pages", names)
	}
	if status, body := list(DefaultSubscriptionID, "resourceType eq 'Microsoft.Storage/storageAccounts'", ""); status != 200 || len(body["value"].([]any)) != 0 {
		t.Errorf("another type: %d %v", status, body)
	}
	if status, _ := list(DefaultSubscriptionID, "name eq 'alpha' or 1 eq 1", ""); status != 400 {
		t.Errorf("an unknown filter: %d, want 400", status)
	}
	if status, _ := list("00000000-0000-4000-8000-000000000000", "", ""); status != 404 {
		t.Errorf("an unknown subscription: %d, want 404", status)
	}
}
