package kubelet

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeletconfigv1 "k8s.io/kubelet/config/v1"
	"sigs.k8s.io/yaml"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// kubeletConfig is a CredentialProviderConfig built with the kubelet's own types.
func kubeletConfig() kubeletconfigv1.CredentialProviderConfig {
	require := true
	return kubeletconfigv1.CredentialProviderConfig{
		TypeMeta: metav1.TypeMeta{APIVersion: "kubelet.config.k8s.io/v1", Kind: "CredentialProviderConfig"},
		Providers: []kubeletconfigv1.CredentialProvider{{
			Name: "acrdiag", MatchImages: []string{"*.azurecr.io", "*.*.*.azurecr.io"},
			DefaultCacheDuration: &metav1.Duration{Duration: 10 * time.Minute}, APIVersion: APIVersion,
			Args: []string{"kubelet-credential-provider", "--azure-json", "/etc/kubernetes/azure.json"},
			TokenAttributes: &kubeletconfigv1.ServiceAccountTokenAttributes{
				ServiceAccountTokenAudience: TokenExchangeAudience, RequireServiceAccount: &require,
				CacheType:                            kubeletconfigv1.ServiceAccountServiceAccountTokenCacheType,
				RequiredServiceAccountAnnotationKeys: []string{AnnotationClientID, AnnotationTenantID},
			},
		}},
	}
}

func TestProviderConfigReadsTheKubeletsYAMLAndJSON(t *testing.T) {
	cfg := kubeletConfig()
	y, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := testfs.TempDir(t)
	for name, b := range map[string][]byte{"config.yaml": y, "config.json": j} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := ReadProviderConfig(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p := c.Problems(); len(p) != 0 {
			t.Errorf("%s: problems in a config the kubelet accepts: %v", name, p)
		}
		p := c.Providers[0]
		if p.Name != "acrdiag" || !p.Matches("myreg.azurecr.io/app:1") || p.Matches("docker.io/library/nginx") ||
			p.TokenAttributes == nil || !p.TokenAttributes.PassesAnnotation(AnnotationTenantID) || *p.DefaultCacheDuration != "10m0s" {
			t.Errorf("%s: parsed %+v", name, p)
		}
	}
}

func TestProviderConfigProblemsAreTheKubeletsValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*kubeletconfigv1.CredentialProviderConfig)
		raw    string // instead of the edited config
		parse  string // the parse error expected
		wanted []string
	}{
		{name: "unknown field", raw: "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n- name: acrdiag\n  matchImage: ['*.azurecr.io']\n", parse: "matchImage"},
		{name: "repeated field", raw: "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nkind: CredentialProviderConfig\nproviders: []\n", parse: "kind"},
		{name: "v1alpha1", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.APIVersion = "kubelet.config.k8s.io/v1alpha1" }, wanted: []string{`apiVersion "kubelet.config.k8s.io/v1alpha1"`}},
		{name: "no providers", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.Providers = nil }, wanted: []string{"providers is empty"}},
		{name: "no cache duration", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.Providers[0].DefaultCacheDuration = nil }, wanted: []string{"defaultCacheDuration is required"}},
		{name: "path in name", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.Providers[0].Name = "/usr/bin/acrdiag" }, wanted: []string{"must be a file name"}},
		{name: "twice", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.Providers = append(c.Providers, c.Providers[0]) }, wanted: []string{"used twice"}},
		{name: "no match images", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.Providers[0].MatchImages = nil }, wanted: []string{"matchImages is required"}},
		{name: "no cache type", edit: func(c *kubeletconfigv1.CredentialProviderConfig) { c.Providers[0].TokenAttributes.CacheType = "" }, wanted: []string{"cacheType"}},
		{name: "required keys without requiring", edit: func(c *kubeletconfigv1.CredentialProviderConfig) {
			no := false
			c.Providers[0].TokenAttributes.RequireServiceAccount = &no
		}, wanted: []string{"needs requireServiceAccount: true"}},
		{name: "both key lists", edit: func(c *kubeletconfigv1.CredentialProviderConfig) {
			c.Providers[0].TokenAttributes.OptionalServiceAccountAnnotationKeys = []string{"x"}
		}, wanted: []string{"exclude each other"}},
		{name: "token attributes on v1beta1", edit: func(c *kubeletconfigv1.CredentialProviderConfig) {
			c.Providers[0].APIVersion = "credentialprovider.kubelet.k8s.io/v1beta1"
		}, wanted: []string{"tokenAttributes needs apiVersion"}},
	}
	for _, tt := range tests {
		b := []byte(tt.raw)
		if tt.raw == "" {
			cfg := kubeletConfig()
			tt.edit(&cfg)
			var err error
			if b, err = yaml.Marshal(cfg); err != nil {
				t.Fatal(err)
			}
		}
		c, err := ParseProviderConfig(b)
		if tt.parse != "" {
			if err == nil || !strings.Contains(err.Error(), tt.parse) {
				t.Errorf("%s: parse error = %v, want one naming %q", tt.name, err, tt.parse)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		problems := c.Problems()
		for _, w := range tt.wanted {
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, w) }) {
				t.Errorf("%s: problems %q, want one with %q", tt.name, problems, w)
			}
		}
	}
}

// TestREADMECredentialProviderConfig: the README's example is a config the kubelet accepts, and it runs
// acrdiag's provider for ACR images (geo-replica endpoints too) and for nothing else.
func TestREADMECredentialProviderConfig(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(b), "<!-- kubelet-config -->\n```yaml\n")
	block, _, closed := strings.Cut(block, "```")
	if !ok || !closed {
		t.Fatal("README.md has no ```yaml block after <!-- kubelet-config -->")
	}
	c, err := ParseProviderConfig([]byte(block))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Problems(); len(p) != 0 {
		t.Fatalf("the kubelet would refuse the README's config: %v", p)
	}
	var kc kubeletconfigv1.CredentialProviderConfig
	if err := yaml.UnmarshalStrict([]byte(block), &kc); err != nil {
		t.Fatalf("the kubelet's own type refuses the README's config: %v", err)
	}
	p := c.Providers[0]
	if p.Name != "acrdiag" || len(p.Args) == 0 || p.Args[0] != "kubelet-credential-provider" || p.APIVersion != APIVersion {
		t.Errorf("provider = %+v", p)
	}
	for image, want := range map[string]bool{"myregistry.azurecr.io/app:1": true, "myregistry.eastus.geo.azurecr.io/app:1": true,
		"myregistry.azurecr.cn/app": true, "docker.io/library/nginx": false, "myregistry.azurecr.io.evil.example/app": false} {
		if p.Matches(image) != want {
			t.Errorf("the README's matchImages on %s: %v, want %v", image, !want, want)
		}
	}
}
