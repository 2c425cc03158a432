// Package azurejson reads the cloud provider configuration Kubernetes nodes on Azure carry
// (/etc/kubernetes/azure.json, the file AKS writes and cloud-provider-azure and its acr-credential-provider
// read) and tells which Entra identity it names, so that acrdiag's kubelet provider drops in where that
// provider runs. It only reads: no secret it holds is ever printed or sent anywhere but Entra ID.
package azurejson
