// Package kubelet speaks the kubelet's image credential provider protocol (credentialprovider.kubelet.k8s.io/v1):
// the request the kubelet writes on a provider's stdin, the response it reads back, its matchImages globs,
// and the CredentialProviderConfig that tells the kubelet which provider to run for which images. It has
// no network code: the engine turns a request into credentials, and `acrdiag node` reads the config.
package kubelet
