package kubelet

// The wire form of credentialprovider.kubelet.k8s.io/v1 (k8s.io/kubelet pkg/apis/credentialprovider/v1),
// written out here so that the engine does not link the Kubernetes API machinery; the tests decode and
// encode with the real types.

// APIVersion is the only provider API version acrdiag speaks (v1alpha1 and v1beta1 are gone from kubelets).
const APIVersion = "credentialprovider.kubelet.k8s.io/v1"

// Kinds of the two messages.
const (
	RequestKind  = "CredentialProviderRequest"
	ResponseKind = "CredentialProviderResponse"
)

// CacheKeyRegistry makes the kubelet cache the answer per registry host: the ACR token is the same for
// every repository of a registry.
const CacheKeyRegistry = "Registry"

// Service-account annotations that name the Entra identity for the service-account token mode (the keys
// cloud-provider-azure's acr-credential-provider reads, so one cluster setup serves both).
const (
	AnnotationClientID = "kubernetes.azure.com/acr-client-id"
	AnnotationTenantID = "kubernetes.azure.com/acr-tenant-id"
)

// TokenExchangeAudience is the audience Entra ID accepts in a federated credential's assertion.
const TokenExchangeAudience = "api://AzureADTokenExchange"

// Request is a CredentialProviderRequest.
type Request struct {
	APIVersion                string            `json:"apiVersion"`
	Kind                      string            `json:"kind"`
	Image                     string            `json:"image"`
	ServiceAccountToken       string            `json:"serviceAccountToken,omitempty"`
	ServiceAccountAnnotations map[string]string `json:"serviceAccountAnnotations,omitempty"`
}

// AuthConfig is one credential of a response: the kubelet accepts only username and password.
type AuthConfig struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Response is a CredentialProviderResponse.
type Response struct {
	APIVersion    string                `json:"apiVersion"`
	Kind          string                `json:"kind"`
	CacheKeyType  string                `json:"cacheKeyType"`
	CacheDuration string                `json:"cacheDuration"` // a Go duration; "0s" means do not cache
	Auth          map[string]AuthConfig `json:"auth"`
}
