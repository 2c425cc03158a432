package azure

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// Assignment is a role the identity holds at the registry or above (resource group, subscription,
// management group), directly or through a group.
type Assignment struct {
	Role      string // role name, e.g. AcrPush, Reader, Container Registry Repository Writer
	Scope     string
	Condition string // ABAC condition, e.g. limiting a repository role to some repositories
}

// Role capabilities on the data plane (the ACR protocol reference, 1.7: AcrPull, AcrPush and the ABAC repository roles).
var (
	rbacPull = []string{"AcrPull", "AcrPush", "Reader", "Contributor", "Owner"}
	rbacPush = []string{"AcrPush", "Contributor", "Owner"}
	abacPull = []string{"Container Registry Repository Reader", "Container Registry Repository Writer", "Container Registry Repository Contributor"}
	abacPush = []string{"Container Registry Repository Writer", "Container Registry Repository Contributor"}
)

// Grants lists the assignments that give action (pull or push) in the registry's mode, and the role
// the documentation recommends when none does.
func Grants(assignments []Assignment, action string, abac bool) (granting []Assignment, needed string) {
	roles, needed := rbacPull, "AcrPull"
	switch {
	case abac && action == "push":
		roles, needed = abacPush, "Container Registry Repository Writer"
	case abac:
		roles, needed = abacPull, "Container Registry Repository Reader"
	case action == "push":
		roles, needed = rbacPush, "AcrPush"
	}
	for _, a := range assignments {
		for _, r := range roles {
			if strings.EqualFold(a.Role, r) {
				granting = append(granting, a)
			}
		}
	}
	return granting, needed
}

// RoleAssignments lists the principal's role assignments that apply to the registry (at it and above,
// including those through groups), with role names resolved.
func (c *Client) RoleAssignments(ctx context.Context, ref Ref, principalID string) ([]Assignment, error) {
	const op = "list role assignments"
	client, err := armauthorization.NewRoleAssignmentsClient(ref.Subscription, c.cred, c.options(""))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	filter := fmt.Sprintf("assignedTo('%s')", principalID)
	pager := client.NewListForScopePager(ref.ID, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: &filter})
	var out []Assignment
	names := roleNames{client: c}
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap(op, err)
		}
		for _, ra := range page.Value {
			if ra == nil || ra.Properties == nil {
				continue
			}
			p := ra.Properties
			scope := deref(p.Scope)
			if !appliesTo(scope, ref.ID) {
				continue // below the registry (a repository-scoped assignment elsewhere) or another resource
			}
			name, err := names.lookup(ctx, ref.Subscription, deref(p.RoleDefinitionID))
			if err != nil {
				return nil, err
			}
			out = append(out, Assignment{Role: name, Scope: scope, Condition: deref(p.Condition)})
		}
	}
	return out, nil
}

// appliesTo says whether an assignment at scope reaches the resource: the scope is the resource or one of
// its ancestors.
func appliesTo(scope, resourceID string) bool {
	scope, resourceID = strings.ToLower(strings.TrimSuffix(scope, "/")), strings.ToLower(resourceID)
	return scope == "/" || scope == resourceID || strings.HasPrefix(resourceID, scope+"/")
}

// roleNames resolves role definition ids to names, once each.
type roleNames struct {
	client *Client
	mu     sync.Mutex
	seen   map[string]string
}

func (n *roleNames) lookup(ctx context.Context, subscription, definitionID string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name, ok := n.seen[definitionID]; ok {
		return name, nil
	}
	client, err := armauthorization.NewRoleDefinitionsClient(n.client.cred, n.client.options(""))
	if err != nil {
		return "", err
	}
	def, err := client.GetByID(ctx, definitionID, nil)
	if err != nil {
		return "", wrap("read role definition "+path.Base(definitionID), err)
	}
	name := path.Base(definitionID)
	if def.Properties != nil && def.Properties.RoleName != nil {
		name = *def.Properties.RoleName
	}
	if n.seen == nil {
		n.seen = map[string]string{}
	}
	n.seen[definitionID] = name
	return name, nil
}
