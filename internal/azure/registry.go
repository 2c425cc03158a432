package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
)

// newerAPIVersion reports the properties the published SDK (api 2023-07-01) does not model:
// anonymousPullEnabled, roleAssignmentMode and the authentication-as-arm policy
// (the ACR protocol reference, 4.2). A cloud that does not know it gets the SDK's own version.
const newerAPIVersion = "2026-01-01-preview"

// Ref locates a registry resource.
type Ref struct {
	ID, Name, ResourceGroup, Subscription, Location, LoginServer string
}

// ParseRef splits a registry resource id.
func ParseRef(id string) (Ref, error) {
	rid, err := arm.ParseResourceID(id)
	if err != nil {
		return Ref{}, fmt.Errorf("parse resource id %q: %w", id, err)
	}
	if !strings.EqualFold(rid.ResourceType.String(), "Microsoft.ContainerRegistry/registries") {
		return Ref{}, fmt.Errorf("%s is a %s, not a container registry", id, rid.ResourceType)
	}
	return Ref{ID: id, Name: rid.Name, ResourceGroup: rid.ResourceGroupName, Subscription: rid.SubscriptionID}, nil
}

// PrivateEndpoint is a private endpoint connection of a registry.
type PrivateEndpoint struct {
	Name  string
	State string // Approved, Pending, Rejected, Disconnected
}

// Registry is what ARM says about a registry, as the diagnosis needs it.
type Registry struct {
	Ref
	SKU                 string
	PublicNetworkAccess string   // Enabled or Disabled
	DefaultAction       string   // Allow or Deny
	IPRules             []string // allowed IPs and CIDR ranges
	TrustedServices     bool     // networkRuleBypassOptions AzureServices
	PrivateEndpoints    []PrivateEndpoint
	AdminUserEnabled    bool
	DataEndpointEnabled bool
	DataEndpointHosts   []string
	Replicas            []string // regions, the home region included; nil when they could not be read

	// Reported only by newer API versions: nil or "" when this cloud's ARM does not.
	AnonymousPullEnabled *bool
	ARMAudience          string // azureADAuthenticationAsArmPolicy: enabled or disabled
	RoleAssignmentMode   string // LegacyRegistryPermissions or AbacRepositoryPermissions
}

// ABAC says whether the registry honours only ABAC repository roles (not AcrPull/AcrPush/AcrDelete).
func (r Registry) ABAC() bool {
	return strings.EqualFold(r.RoleAssignmentMode, "AbacRepositoryPermissions")
}

// PublicDisabled says whether the public endpoint refuses everyone.
func (r Registry) PublicDisabled() bool { return strings.EqualFold(r.PublicNetworkAccess, "Disabled") }

// Restricted says whether the registry refuses some public clients: public access off, or selected networks.
func (r Registry) Restricted() bool {
	return r.PublicDisabled() || strings.EqualFold(r.DefaultAction, "Deny")
}

// ApprovedPrivateEndpoints counts the connections that carry traffic.
func (r Registry) ApprovedPrivateEndpoints() int {
	n := 0
	for _, pe := range r.PrivateEndpoints {
		if strings.EqualFold(pe.State, "Approved") {
			n++
		}
	}
	return n
}

// newerProperties are the fields the SDK's model lacks, read from the same response.
type newerProperties struct {
	Properties struct {
		AnonymousPullEnabled *bool  `json:"anonymousPullEnabled"`
		RoleAssignmentMode   string `json:"roleAssignmentMode"`
		Policies             struct {
			ARMPolicy struct {
				Status string `json:"status"`
			} `json:"azureADAuthenticationAsArmPolicy"`
		} `json:"policies"`
	} `json:"properties"`
}

// Registry reads the registry resource and its replications.
func (c *Client) Registry(ctx context.Context, ref Ref) (Registry, error) {
	raw, err := c.getRegistry(ctx, ref, newerAPIVersion)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 { // InvalidApiVersionParameter and the like
			return Registry{}, err
		}
		if raw, err = c.getRegistry(ctx, ref, ""); err != nil {
			return Registry{}, err
		}
	}
	reg := raw.reg
	out := Registry{Ref: ref}
	out.ID, out.Name = deref(reg.ID), deref(reg.Name)
	out.Location = deref(reg.Location)
	if reg.SKU != nil && reg.SKU.Name != nil {
		out.SKU = string(*reg.SKU.Name)
	}
	if p := reg.Properties; p != nil {
		out.LoginServer = deref(p.LoginServer)
		out.AdminUserEnabled = p.AdminUserEnabled != nil && *p.AdminUserEnabled
		out.DataEndpointEnabled = p.DataEndpointEnabled != nil && *p.DataEndpointEnabled
		for _, h := range p.DataEndpointHostNames {
			out.DataEndpointHosts = append(out.DataEndpointHosts, deref(h))
		}
		out.PublicNetworkAccess = "Enabled"
		if p.PublicNetworkAccess != nil {
			out.PublicNetworkAccess = string(*p.PublicNetworkAccess)
		}
		out.DefaultAction = "Allow"
		if rs := p.NetworkRuleSet; rs != nil {
			if rs.DefaultAction != nil {
				out.DefaultAction = string(*rs.DefaultAction)
			}
			for _, r := range rs.IPRules {
				if r != nil && (r.Action == nil || *r.Action == armcontainerregistry.ActionAllow) {
					out.IPRules = append(out.IPRules, deref(r.IPAddressOrRange))
				}
			}
		}
		out.TrustedServices = p.NetworkRuleBypassOptions != nil && *p.NetworkRuleBypassOptions == armcontainerregistry.NetworkRuleBypassOptionsAzureServices
		for _, pe := range p.PrivateEndpointConnections {
			if pe == nil {
				continue
			}
			conn := PrivateEndpoint{Name: deref(pe.Name)}
			if pp := pe.Properties; pp != nil && pp.PrivateLinkServiceConnectionState != nil && pp.PrivateLinkServiceConnectionState.Status != nil {
				conn.State = string(*pp.PrivateLinkServiceConnectionState.Status)
			}
			out.PrivateEndpoints = append(out.PrivateEndpoints, conn)
		}
	}
	out.AnonymousPullEnabled = raw.newer.Properties.AnonymousPullEnabled
	out.ARMAudience = raw.newer.Properties.Policies.ARMPolicy.Status
	out.RoleAssignmentMode = raw.newer.Properties.RoleAssignmentMode
	out.Replicas, _ = c.replicas(ctx, out.Ref) // best effort: the registry's own region stands in
	if out.Replicas == nil && out.Location != "" {
		out.Replicas = []string{out.Location}
	}
	return out, nil
}

type rawRegistry struct {
	reg   armcontainerregistry.Registry
	newer newerProperties
}

// getRegistry reads the resource with the SDK, at apiVersion ("" for the SDK's own), keeping the raw body
// for the properties the SDK does not model.
func (c *Client) getRegistry(ctx context.Context, ref Ref, apiVersion string) (rawRegistry, error) {
	const op = "read the registry"
	client, err := armcontainerregistry.NewRegistriesClient(ref.Subscription, c.cred, c.options(apiVersion))
	if err != nil {
		return rawRegistry{}, fmt.Errorf("%s: %w", op, err)
	}
	var resp *http.Response
	got, err := client.Get(policy.WithCaptureResponse(ctx, &resp), ref.ResourceGroup, ref.Name, nil)
	if err != nil {
		return rawRegistry{}, wrap(op, err)
	}
	out := rawRegistry{reg: got.Registry}
	if resp != nil {
		if body, err := runtime.Payload(resp); err == nil {
			_ = json.Unmarshal(body, &out.newer)
		}
	}
	return out, nil
}

// replicas lists the regions the registry is replicated to.
func (c *Client) replicas(ctx context.Context, ref Ref) ([]string, error) {
	client, err := armcontainerregistry.NewReplicationsClient(ref.Subscription, c.cred, c.options(""))
	if err != nil {
		return nil, err
	}
	var out []string
	pager := client.NewListPager(ref.ResourceGroup, ref.Name, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list replications", err)
		}
		for _, r := range page.Value {
			if r != nil && r.Location != nil {
				out = append(out, *r.Location)
			}
		}
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
