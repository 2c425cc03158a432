// Package nodecheck diagnoses image pulls from a Kubernetes node's point of view, read-only: the kubelet's
// credential provider configuration (file, bin dir, matchImages, tokenAttributes), azure.json, the identity
// the provider would use and its last recorded failure. Its checks run beside the registry checks of
// package check, with the node's identity as their Entra source.
package nodecheck
