package azure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
)

// Scope narrows the search: --subscription and --resource-group.
type Scope struct{ Subscription, ResourceGroup string }

// NotFoundError says no readable registry has the login server. Similar lists registries with the same
// name elsewhere (another subscription, a domain-name-label login server), so the user sees what exists.
type NotFoundError struct {
	LoginServer string
	Searched    string // where: "Resource Graph", "3 subscriptions", "resource group rg in subscription s"
	Similar     []Ref
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no registry with login server %s among the registries this identity can read (%s)", e.LoginServer, e.Searched)
	if len(e.Similar) > 0 {
		var names []string
		for _, r := range e.Similar {
			names = append(names, fmt.Sprintf("%s (login server %s, %s)", r.Name, r.LoginServer, r.ID))
		}
		msg += "; similar: " + strings.Join(names, ", ")
	}
	return msg
}

// AmbiguousError says several readable registries answer for the login server, which only happens across
// clouds or tenants mixed up in one search; --subscription picks one.
type AmbiguousError struct {
	LoginServer string
	Matches     []Ref
}

func (e *AmbiguousError) Error() string {
	var ids []string
	for _, r := range e.Matches {
		ids = append(ids, r.ID)
	}
	return fmt.Sprintf("%d registries answer for %s: %s; pick one with --subscription", len(e.Matches), e.LoginServer, strings.Join(ids, ", "))
}

// Find locates the registry whose login server is loginServer: with --subscription and --resource-group by a
// direct read, with --subscription by listing that subscription, else through Resource Graph, falling back to
// listing every subscription the identity sees when Resource Graph is not available to it.
func (c *Client) Find(ctx context.Context, loginServer string, scope Scope) (Ref, error) {
	loginServer = strings.ToLower(loginServer)
	name := registryName(loginServer)
	switch {
	case scope.Subscription != "" && scope.ResourceGroup != "":
		ref := Ref{Subscription: scope.Subscription, ResourceGroup: scope.ResourceGroup, Name: name,
			ID: fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s", scope.Subscription, scope.ResourceGroup, name)}
		return ref, nil // Registry reads it and reports a 404 with ARM's own words
	case scope.Subscription != "":
		cands, err := c.listRegistries(ctx, scope.Subscription)
		if err != nil {
			return Ref{}, err
		}
		return pick(loginServer, name, cands, "subscription "+scope.Subscription)
	}
	cands, graphErr := c.searchGraph(ctx, loginServer, name)
	if graphErr == nil {
		return pick(loginServer, name, cands, "Resource Graph")
	}
	if _, refused := Refusal(graphErr); refused || errors.Is(graphErr, context.DeadlineExceeded) || ctx.Err() != nil {
		return Ref{}, graphErr // the subscriptions are behind the same proxy, name and certificate
	}
	subs, err := c.subscriptions(ctx)
	if err != nil {
		return Ref{}, fmt.Errorf("%w; and %w", graphErr, err)
	}
	var all []Ref
	for _, sub := range subs {
		got, err := c.listRegistries(ctx, sub)
		if err != nil {
			if IsDenied(err) {
				continue // a subscription with other roles only
			}
			return Ref{}, err
		}
		all = append(all, got...)
	}
	return pick(loginServer, name, all, fmt.Sprintf("%d subscriptions", len(subs)))
}

// registryName is the resource name behind a login server: the first label, without a domain-name-label
// hash (registry names cannot contain dashes) or a regional endpoint.
func registryName(loginServer string) string {
	label, _, _ := strings.Cut(loginServer, ".")
	label, _, _ = strings.Cut(label, "-")
	return label
}

func pick(loginServer, name string, cands []Ref, searched string) (Ref, error) {
	var exact, similar []Ref
	for _, r := range cands {
		switch {
		case strings.EqualFold(r.LoginServer, loginServer):
			exact = append(exact, r)
		case strings.EqualFold(r.Name, name):
			similar = append(similar, r)
		}
	}
	switch len(exact) {
	case 1:
		return exact[0], nil
	case 0:
		return Ref{}, &NotFoundError{LoginServer: loginServer, Searched: searched, Similar: similar}
	}
	return Ref{}, &AmbiguousError{LoginServer: loginServer, Matches: exact}
}

// searchGraph asks Resource Graph for registries with this login server or name, page by page.
func (c *Client) searchGraph(ctx context.Context, loginServer, name string) ([]Ref, error) {
	const op = "search Resource Graph"
	client, err := armresourcegraph.NewClient(c.cred, c.options(""))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	query := fmt.Sprintf("resources | where type =~ 'microsoft.containerregistry/registries' | where properties.loginServer =~ '%s' or name =~ '%s' "+
		"| project id, name, resourceGroup, subscriptionId, location, loginServer = tostring(properties.loginServer)", kqlQuote(loginServer), kqlQuote(name))
	format := armresourcegraph.ResultFormatObjectArray
	req := armresourcegraph.QueryRequest{Query: &query, Options: &armresourcegraph.QueryRequestOptions{ResultFormat: &format}}
	var out []Ref
	for page := 0; page < 20; page++ { // 20 pages is far more registries than share one name
		resp, err := client.Resources(ctx, req, nil)
		if err != nil {
			return nil, wrap(op, err)
		}
		rows, _ := resp.Data.([]any)
		for _, row := range rows {
			m, _ := row.(map[string]any)
			out = append(out, Ref{ID: str(m["id"]), Name: str(m["name"]), ResourceGroup: str(m["resourceGroup"]),
				Subscription: str(m["subscriptionId"]), Location: str(m["location"]), LoginServer: str(m["loginServer"])})
		}
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return out, nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
	return out, nil
}

// kqlQuote keeps a value inside a single-quoted KQL string literal.
func kqlQuote(s string) string { return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) }

func str(v any) string { s, _ := v.(string); return s }

// subscriptions lists the subscriptions the identity sees.
func (c *Client) subscriptions(ctx context.Context) ([]string, error) {
	client, err := armsubscriptions.NewClient(c.cred, c.options(""))
	if err != nil {
		return nil, err
	}
	var out []string
	pager := client.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list subscriptions", err)
		}
		for _, s := range page.Value {
			if s != nil && s.SubscriptionID != nil && !slices.Contains(out, *s.SubscriptionID) {
				out = append(out, *s.SubscriptionID)
			}
		}
	}
	return out, nil
}

// listRegistries lists the registries of a subscription.
func (c *Client) listRegistries(ctx context.Context, subscription string) ([]Ref, error) {
	client, err := armcontainerregistry.NewRegistriesClient(subscription, c.cred, c.options(""))
	if err != nil {
		return nil, err
	}
	var out []Ref
	pager := client.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list registries in subscription "+subscription, err)
		}
		for _, r := range page.Value {
			if r == nil || r.ID == nil {
				continue
			}
			ref, err := ParseRef(*r.ID)
			if err != nil {
				continue
			}
			ref.Location = deref(r.Location)
			if r.Properties != nil {
				ref.LoginServer = deref(r.Properties.LoginServer)
			}
			out = append(out, ref)
		}
	}
	return out, nil
}
