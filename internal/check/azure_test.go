package check

import (
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
)

func TestRefineReplacesTheGuessWithTheConfirmedCause(t *testing.T) {
	results := []Result{
		{ID: "challenge", Status: Fail, Cause: cause.NetworkFirewallDenied, Fix: "generic"},
		{ID: "network_rules", Status: Fail, Cause: cause.NetworkIPNotAllowed, Fix: "az acr network-rule add --name r --ip-address 198.51.100.7"},
		{ID: "permissions", Status: Fail, Cause: cause.AuthzPushDenied, Fix: "AcrPush"},
	}
	refine(results)
	if results[0].Cause != cause.NetworkIPNotAllowed || results[0].Fix != results[1].Fix {
		t.Errorf("challenge = %+v; want the network_rules cause and fix", results[0])
	}
	if results[2].Cause != cause.AuthzPushDenied {
		t.Errorf("permissions = %+v; nothing confirmed ABAC, so push_denied stays", results[2])
	}
}

func TestConditionAllows(t *testing.T) {
	const cond = `((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'app'))`
	for _, tt := range []struct {
		cond, repo string
		want       bool
	}{
		{"", "anything", true},
		{cond, "app", true},
		{cond, "App", true},
		{cond, "other", false},
		{`@Request[...:name] StringStartsWithIgnoreCase 'team/'`, "team/api", true},
		{`@Request[...:name] StringLike 'svc-*'`, "svc-a", true},
		{`@Request[...:name] StringLike 'svc-*'`, "web", false},
	} {
		if got := conditionAllows(tt.cond, tt.repo); got != tt.want {
			t.Errorf("conditionAllows(%q, %q) = %v", tt.cond, tt.repo, got)
		}
	}
}

func TestRuleMatching(t *testing.T) {
	rules := []string{"203.0.113.0/24", "198.51.100.7"}
	for ip, want := range map[string]string{"203.0.113.9": "203.0.113.0/24", "198.51.100.7": "198.51.100.7", "127.0.0.1": "", "not an ip": ""} {
		if got := ruleMatching(rules, ip); got != want {
			t.Errorf("ruleMatching(%q) = %q, want %q", ip, got, want)
		}
	}
}

func TestScopeLevel(t *testing.T) {
	for scope, want := range map[string]string{
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r": "the registry",
		"/subscriptions/s/resourceGroups/rg":                                                    "resource group rg",
		"/subscriptions/s":                                                                      "subscription s",
	} {
		if got := scopeLevel(scope); got != want {
			t.Errorf("scopeLevel(%q) = %q, want %q", scope, got, want)
		}
	}
}
