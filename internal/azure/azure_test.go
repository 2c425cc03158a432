package azure

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRegistryName(t *testing.T) {
	for in, want := range map[string]string{
		"myregistry.azurecr.io":                  "myregistry",
		"contosoacr-e7ggejfuhzhgedc8.azurecr.io": "contosoacr",
		"myregistry.eastus.geo.azurecr.io":       "myregistry",
		"myregistry.azurecr.cn":                  "myregistry",
	} {
		if got := registryName(in); got != want {
			t.Errorf("registryName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPickPrefersTheExactLoginServer(t *testing.T) {
	a := Ref{ID: "/subscriptions/a/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/app", Name: "app", LoginServer: "app.azurecr.io"}
	b := Ref{ID: "/subscriptions/b/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/app", Name: "app", LoginServer: "app-h4sh.azurecr.io"}
	got, err := pick("app-h4sh.azurecr.io", "app", []Ref{a, b}, "Resource Graph")
	if err != nil || got.ID != b.ID {
		t.Fatalf("pick = %+v, %v; want the registry in subscription b", got, err)
	}
	_, err = pick("app-other.azurecr.io", "app", []Ref{a, b}, "Resource Graph")
	var nf *NotFoundError
	if !errors.As(err, &nf) || len(nf.Similar) != 2 || !strings.Contains(err.Error(), "app-h4sh.azurecr.io") {
		t.Fatalf("err = %v; want not found with both similar registries named", err)
	}
	_, err = pick("app.azurecr.io", "app", []Ref{a, a}, "2 subscriptions")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(), "--subscription") {
		t.Fatalf("err = %v; want ambiguous", err)
	}
}

func TestKQLQuoteKeepsTheLiteralClosed(t *testing.T) {
	if got := kqlQuote(`x' or 1==1 //\`); got != `x\' or 1==1 //\\` {
		t.Errorf("kqlQuote = %q", got)
	}
}

func TestGrantsFollowsTheRegistryMode(t *testing.T) {
	reader := Assignment{Role: "Reader", Scope: "/subscriptions/s/resourceGroups/rg"}
	push := Assignment{Role: "AcrPush", Scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r"}
	writer := Assignment{Role: "Container Registry Repository Writer", Scope: push.Scope}
	tests := []struct {
		name     string
		held     []Assignment
		action   string
		abac     bool
		granted  int
		needRole string
	}{
		{"reader pulls", []Assignment{reader}, "pull", false, 1, "AcrPull"},
		{"reader cannot push", []Assignment{reader}, "push", false, 0, "AcrPush"},
		{"acrpush pushes", []Assignment{reader, push}, "push", false, 1, "AcrPush"},
		{"abac ignores acrpush", []Assignment{push}, "push", true, 0, "Container Registry Repository Writer"},
		{"abac writer pushes", []Assignment{writer}, "push", true, 1, "Container Registry Repository Writer"},
		{"abac writer pulls", []Assignment{writer}, "pull", true, 1, "Container Registry Repository Reader"},
		{"nothing held", nil, "pull", false, 0, "AcrPull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, need := Grants(tt.held, tt.action, tt.abac)
			if len(got) != tt.granted || need != tt.needRole {
				t.Errorf("Grants = %v, %q; want %d granting, %q", got, need, tt.granted, tt.needRole)
			}
		})
	}
}

func TestAppliesToTheRegistryAndAbove(t *testing.T) {
	reg := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r"
	for scope, want := range map[string]bool{
		reg:                                   true,
		"/subscriptions/s/resourceGroups/RG":  true,
		"/subscriptions/s":                    true,
		"/":                                   true,
		"/subscriptions/s/resourceGroups/rg2": false,
		reg + "x":                             false,
		"/subscriptions/other":                false,
	} {
		if got := appliesTo(scope, reg); got != want {
			t.Errorf("appliesTo(%q) = %v, want %v", scope, got, want)
		}
	}
}

func TestScopedTokenAllows(t *testing.T) {
	tok := ScopedToken{Actions: []string{"repositories/app/content/read", "repositories/team/*/content/write"}}
	for _, tt := range []struct {
		repo, action string
		want         bool
	}{
		{"app", "pull", true}, {"app", "push", false}, {"team/api", "push", true}, {"other", "pull", false},
	} {
		if ok, want := tok.Allows(tt.repo, tt.action); ok != tt.want || (!ok && !strings.HasPrefix(want, "repositories/"+tt.repo+"/content/")) {
			t.Errorf("Allows(%s, %s) = %v, %q", tt.repo, tt.action, ok, want)
		}
	}
	now := time.Now()
	tok.Passwords = []time.Time{now.Add(-time.Hour), {}}
	if tok.ValidPasswords(now) != 1 {
		t.Error("a password without expiry is valid")
	}
}

func TestParseRef(t *testing.T) {
	ref, err := ParseRef("/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ContainerRegistry/registries/reg1")
	if err != nil || ref.Name != "reg1" || ref.ResourceGroup != "rg1" || ref.Subscription != "s1" {
		t.Fatalf("ParseRef = %+v, %v", ref, err)
	}
	if _, err := ParseRef("/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/x"); err == nil {
		t.Error("a storage account is not a registry")
	}
}
