// Package nodeidentity picks the Entra identity a Kubernetes node pulls images with, the way the kubelet
// provider gets it: the pod's service account token (KEP-4412) with the identity its annotations name (a service account
// without them pulls with the node's identity),
// else the identity of the node's azure.json, else a managed identity named by a flag, else the
// environment (workload identity, managed identity) through the default chain. It returns a renew.Source,
// so the exchange, its ACR-audience-first policy and the ARM fallback stay renew's.
package nodeidentity
