package kubelet

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
)

// The kubelet's CredentialProviderConfig (k8s.io/kubelet config/v1), the file --image-credential-provider-config
// names. The kubelet reads it as YAML or JSON, strictly: an unknown or repeated field stops the kubelet.

// ConfigKind is the config's kind; ConfigAPIVersions the versions kubelets read.
const ConfigKind = "CredentialProviderConfig"

// ConfigAPIVersions are the versions of the config kubelets read (v1alpha1 went in 1.28).
var ConfigAPIVersions = []string{"kubelet.config.k8s.io/v1", "kubelet.config.k8s.io/v1beta1"}

// ProviderConfig is a CredentialProviderConfig.
type ProviderConfig struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Providers  []Provider `json:"providers"`
}

// Provider is one exec plugin of the config.
type Provider struct {
	Name                 string           `json:"name"`
	MatchImages          []string         `json:"matchImages"`
	DefaultCacheDuration *string          `json:"defaultCacheDuration"`
	APIVersion           string           `json:"apiVersion"`
	Args                 []string         `json:"args,omitempty"`
	Env                  []EnvVar         `json:"env,omitempty"`
	TokenAttributes      *TokenAttributes `json:"tokenAttributes,omitempty"`
}

// EnvVar is an environment variable the kubelet sets for a provider.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TokenAttributes make the kubelet pass the pod's service account token (KEP-4412).
type TokenAttributes struct {
	ServiceAccountTokenAudience          string   `json:"serviceAccountTokenAudience"`
	CacheType                            string   `json:"cacheType,omitempty"`
	RequireServiceAccount                *bool    `json:"requireServiceAccount,omitempty"`
	RequiredServiceAccountAnnotationKeys []string `json:"requiredServiceAccountAnnotationKeys,omitempty"`
	OptionalServiceAccountAnnotationKeys []string `json:"optionalServiceAccountAnnotationKeys,omitempty"`
}

// maxConfigSize bounds the config file: a few providers.
const maxConfigSize = 1 << 20

// ReadProviderConfig reads and parses the config file at path.
func ReadProviderConfig(path string) (ProviderConfig, error) {
	b, err := atomicfile.ReadSmall(path, maxConfigSize, true)
	if err != nil {
		return ProviderConfig{}, fmt.Errorf("read the kubelet's credential provider config %s: %w", path, err)
	}
	c, err := ParseProviderConfig(b)
	if err != nil {
		return ProviderConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseProviderConfig parses a config as the kubelet does: YAML or JSON, strictly.
func ParseProviderConfig(b []byte) (ProviderConfig, error) {
	var c ProviderConfig
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		return ProviderConfig{}, fmt.Errorf("the kubelet would refuse it (and not start): %w", err)
	}
	return c, nil
}

// Problems are what makes the kubelet refuse the config, as its validation says (pkg/credentialprovider/plugin
// config.go), each naming the field.
func (c ProviderConfig) Problems() []string {
	var out []string
	if !slices.Contains(ConfigAPIVersions, c.APIVersion) {
		out = append(out, fmt.Sprintf("apiVersion %q is not one the kubelet reads (%s)", c.APIVersion, strings.Join(ConfigAPIVersions, ", ")))
	}
	if c.Kind != ConfigKind {
		out = append(out, fmt.Sprintf("kind %q is not %s", c.Kind, ConfigKind))
	}
	if len(c.Providers) == 0 {
		out = append(out, "providers is empty")
	}
	seen := map[string]bool{}
	for i, p := range c.Providers {
		if seen[p.Name] {
			out = append(out, fmt.Sprintf("providers[%d]: name %q is used twice", i, p.Name))
		}
		seen[p.Name] = true
		for _, msg := range p.Problems() {
			out = append(out, fmt.Sprintf("providers[%d] (%s): %s", i, p.Name, msg))
		}
	}
	return out
}

// Problems are the kubelet's validation errors for one provider.
func (p Provider) Problems() []string {
	var out []string
	switch {
	case p.Name == "":
		out = append(out, "name is required")
	case p.Name == "." || p.Name == ".." || strings.ContainsAny(p.Name, "/ "):
		out = append(out, fmt.Sprintf("name %q must be a file name in the bin dir (no /, space, . or ..)", p.Name))
	}
	if len(p.MatchImages) == 0 {
		out = append(out, "matchImages is required")
	}
	for _, m := range p.MatchImages {
		if _, err := parseSchemeless(m); err != nil {
			out = append(out, fmt.Sprintf("matchImages entry %q does not parse: %v", m, err))
		}
	}
	if p.DefaultCacheDuration == nil {
		out = append(out, "defaultCacheDuration is required")
	} else if d, err := time.ParseDuration(*p.DefaultCacheDuration); err != nil || d < 0 {
		out = append(out, fmt.Sprintf("defaultCacheDuration %q is not a duration of 0 or more", *p.DefaultCacheDuration))
	}
	if p.APIVersion == "" {
		out = append(out, "apiVersion is required")
	} else if !strings.HasPrefix(p.APIVersion, "credentialprovider.kubelet.k8s.io/") {
		out = append(out, fmt.Sprintf("apiVersion %q is not a credential provider API version", p.APIVersion))
	}
	if p.TokenAttributes != nil {
		out = append(out, p.TokenAttributes.problems(p.APIVersion)...)
	}
	return out
}

func (t TokenAttributes) problems(apiVersion string) []string {
	var out []string
	if apiVersion != APIVersion {
		out = append(out, "tokenAttributes needs apiVersion "+APIVersion)
	}
	if t.ServiceAccountTokenAudience == "" {
		out = append(out, "tokenAttributes.serviceAccountTokenAudience is required")
	}
	if t.CacheType != "Token" && t.CacheType != "ServiceAccount" {
		out = append(out, fmt.Sprintf("tokenAttributes.cacheType %q must be Token or ServiceAccount (required since beta)", t.CacheType))
	}
	if t.RequireServiceAccount == nil {
		out = append(out, "tokenAttributes.requireServiceAccount is required")
	}
	if len(t.RequiredServiceAccountAnnotationKeys) > 0 && len(t.OptionalServiceAccountAnnotationKeys) > 0 {
		out = append(out, "tokenAttributes: requiredServiceAccountAnnotationKeys and optionalServiceAccountAnnotationKeys exclude each other")
	}
	if len(t.RequiredServiceAccountAnnotationKeys) > 0 && (t.RequireServiceAccount == nil || !*t.RequireServiceAccount) {
		out = append(out, "tokenAttributes: requiredServiceAccountAnnotationKeys needs requireServiceAccount: true")
	}
	return out
}

// Matches reports whether the kubelet runs this provider for image.
func (p Provider) Matches(image string) bool {
	return slices.ContainsFunc(p.MatchImages, func(m string) bool { return MatchImage(m, image) })
}

// PassesAnnotation reports whether the kubelet hands the service account annotation key to the provider.
func (t TokenAttributes) PassesAnnotation(key string) bool {
	return slices.Contains(t.RequiredServiceAccountAnnotationKeys, key) || slices.Contains(t.OptionalServiceAccountAnnotationKeys, key)
}
