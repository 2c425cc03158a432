// Package azure reads what Azure Resource Manager knows about a registry: where it is (Resource Graph, or the
// subscriptions the identity sees), its network rules, private endpoints, replicas and policies, the
// identity's role assignments, repository-scoped tokens, and the ContainerRegistryLoginEvents resource log.
//
// Every read goes through the Azure SDK for Go (armcontainerregistry, armresourcegraph, armauthorization,
// armsubscriptions, armmonitor, azquery). Errors keep ARM's own code (AuthorizationFailed, ResourceNotFound,
// TooManyRequests) so the diagnosis can say which role would let it read. Only the engine links this package:
// the credential helper and the plugin stay light.
package azure
