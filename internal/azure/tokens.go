package azure

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
)

// ScopedToken is a repository-scoped token of a registry: the username of a `docker login -u <token>`.
type ScopedToken struct {
	Name      string
	Enabled   bool
	ScopeMap  string
	Actions   []string    // scope map actions: repositories/<repo>/content/read and the like
	Passwords []time.Time // expiry of each password; the zero time never expires
}

// Allows says whether the scope map grants action (pull, push) on repo, and which scope-map action would.
func (t ScopedToken) Allows(repo, action string) (bool, string) {
	want := "content/read"
	if action == "push" {
		want = "content/write"
	}
	for _, a := range t.Actions {
		r, ok := strings.CutSuffix(strings.TrimPrefix(a, "repositories/"), "/"+want)
		if !ok {
			continue
		}
		// Wildcards cover a prefix: samples/* matches samples/hello and samples/a/b.
		if r == repo || r == "*" || (strings.HasSuffix(r, "/*") && strings.HasPrefix(repo, strings.TrimSuffix(r, "*"))) {
			return true, a
		}
	}
	return false, "repositories/" + repo + "/" + want
}

// ValidPasswords counts the passwords that have not expired at now.
func (t ScopedToken) ValidPasswords(now time.Time) int {
	n := 0
	for _, exp := range t.Passwords {
		if exp.IsZero() || exp.After(now) {
			n++
		}
	}
	return n
}

// Token reads a repository-scoped token and its scope map. A 404 means there is no token of that name.
func (c *Client) Token(ctx context.Context, ref Ref, name string) (ScopedToken, error) {
	tokens, err := armcontainerregistry.NewTokensClient(ref.Subscription, c.cred, c.options(""))
	if err != nil {
		return ScopedToken{}, err
	}
	got, err := tokens.Get(ctx, ref.ResourceGroup, ref.Name, name, nil)
	if err != nil {
		return ScopedToken{}, wrap("read token "+name, err)
	}
	out := ScopedToken{Name: name}
	p := got.Properties
	if p == nil {
		return out, nil
	}
	out.Enabled = p.Status == nil || *p.Status == armcontainerregistry.TokenStatusEnabled
	if p.Credentials != nil {
		for _, pw := range p.Credentials.Passwords {
			if pw != nil {
				out.Passwords = append(out.Passwords, deref(pw.Expiry))
			}
		}
	}
	if p.ScopeMapID == nil {
		return out, nil
	}
	out.ScopeMap = path.Base(*p.ScopeMapID)
	maps, err := armcontainerregistry.NewScopeMapsClient(ref.Subscription, c.cred, c.options(""))
	if err != nil {
		return out, err
	}
	sm, err := maps.Get(ctx, ref.ResourceGroup, ref.Name, out.ScopeMap, nil)
	if err != nil {
		return out, wrap(fmt.Sprintf("read scope map %s of token %s", out.ScopeMap, name), err)
	}
	if sm.Properties != nil {
		for _, a := range sm.Properties.Actions {
			out.Actions = append(out.Actions, deref(a))
		}
	}
	return out, nil
}
