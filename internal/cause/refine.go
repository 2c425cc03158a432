package cause

import "slices"

// RefinedByAzure maps a cause the registry's answers can only name broadly to the precise causes that
// Azure Resource Manager's view of the registry confirms. ACR answers them alike (the same 403 DENIED for
// IP rules, disabled public access and private-endpoint-only; the same 401 for a missing role and an ABAC
// repository permission), so text and the data plane stop at the broad cause, and the diagnosis's Azure
// checks name the precise one.
var RefinedByAzure = map[string][]string{
	NetworkFirewallDenied: {NetworkIPNotAllowed, NetworkPrivateOnly, NetworkPublicDisabled},
	AuthzPullDenied:       {AuthzABACRepositoryRole},
	AuthzPushDenied:       {AuthzABACRepositoryRole},
}

// RefinedBy reports whether precise is one of the causes that Azure's configuration tells broad apart into.
func RefinedBy(broad, precise string) bool {
	return slices.Contains(RefinedByAzure[broad], precise)
}
