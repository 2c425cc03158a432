package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeletconfigv1 "k8s.io/kubelet/config/v1"
	"sigs.k8s.io/yaml"

	"github.com/acrdiag/acrdiag/internal/acrtest"
	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/kubelet"
)

// nodeSetup writes a node's provider setup into the session's home: a CredentialProviderConfig (YAML, from
// the kubelet's types), a bin dir with acrdiag under the provider's name, and azure.json.
func nodeSetup(t *testing.T, s *session, edit func(*kubeletconfigv1.CredentialProvider), azureJSON string) (configPath, providerDir string) {
	t.Helper()
	require := true
	p := kubeletconfigv1.CredentialProvider{
		Name: "acrdiag", MatchImages: []string{"*.azurecr.io", "*.azurecr.cn", "*.azurecr.us"},
		DefaultCacheDuration: &metav1.Duration{Duration: 10 * time.Minute}, APIVersion: kubelet.APIVersion,
		Args: []string{"kubelet-credential-provider", "--azure-json", s.writeAzureJSON(azureJSON)},
		Env:  []kubeletconfigv1.ExecEnvVar{{Name: "ACRDIAG_CACHE_DIR", Value: filepath.Join(s.home, "provider-state")}},
		TokenAttributes: &kubeletconfigv1.ServiceAccountTokenAttributes{ServiceAccountTokenAudience: kubelet.TokenExchangeAudience,
			CacheType: kubeletconfigv1.ServiceAccountServiceAccountTokenCacheType, RequireServiceAccount: &require,
			RequiredServiceAccountAnnotationKeys: []string{kubelet.AnnotationClientID, kubelet.AnnotationTenantID}},
	}
	if edit != nil {
		edit(&p)
	}
	b, err := yaml.Marshal(kubeletconfigv1.CredentialProviderConfig{
		TypeMeta:  metav1.TypeMeta{APIVersion: "kubelet.config.k8s.io/v1", Kind: "CredentialProviderConfig"},
		Providers: []kubeletconfigv1.CredentialProvider{p}})
	if err != nil {
		t.Fatal(err)
	}
	configPath = filepath.Join(s.home, "credential-provider-config.yaml")
	providerDir = filepath.Join(s.home, "credential-provider")
	if err := os.WriteFile(configPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(providerDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(binDir, "acrdiag"), filepath.Join(providerDir, p.Name)); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
	return configPath, providerDir
}

// nodeReport runs acrdiag node and decodes its JSON report.
func (s *session) nodeReport(args ...string) (check.Report, result) {
	s.t.Helper()
	r := s.run("", filepath.Join(binDir, "acrdiag"), append([]string{"node", "--format", "json", "--timeout", "20s"}, args...)...)
	var rep check.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		s.t.Fatalf("node report: %v\n%s", err, r)
	}
	return rep, r
}

func byID(rep check.Report) map[string]check.Result {
	m := map[string]check.Result{}
	for _, c := range rep.Checks {
		m[c.ID] = c
	}
	return m
}

// TestNodeDiagnosis: on a node whose kubelet runs acrdiag for ACR images, the diagnosis finds the config,
// the provider and its binary, the azure.json identity, and runs the registry checks with that identity;
// Docker's checks are not part of it.
func TestNodeDiagnosis(t *testing.T) {
	kit := kubeletKit(t)
	s := nodeSession(t, kit)
	uami := kit.Identity("kubelet-uami")
	config, bin := nodeSetup(t, s, nil, `{"useManagedIdentityExtension":true,"userAssignedIdentityID":"`+uami.ClientID+`"}`)
	rep, r := s.nodeReport(kit.Host("myregistry")+"/team/app:1.2", "--provider-config", config, "--bin-dir", bin)
	got := byID(rep)
	for _, id := range []string{"kubelet_config", "provider_match", "provider_binary", "token_attributes", "azure_json", "node_identity", "provider_failure", "identity", "exchange"} {
		if got[id].Status != check.Pass {
			t.Errorf("%s: %+v", id, got[id])
		}
	}
	for _, id := range []string{"docker_client", "docker_daemon", "docker_credentials", "docker_sides", "stored_user"} {
		if _, ok := got[id]; ok {
			t.Errorf("a node diagnosis ran Docker's %s check", id)
		}
	}
	if !strings.Contains(got["identity"].Summary, uami.ObjectID) && !strings.Contains(got["identity"].Summary, "kubelet-uami") {
		t.Errorf("identity is not the kubelet's: %+v", got["identity"])
	}
	if !strings.Contains(got["token_attributes"].Detail, "request-serviceaccounts-token-audience") || !strings.Contains(got["provider_match"].Summary, `"*.azurecr.io"`) {
		t.Errorf("token_attributes %+v, provider_match %+v", got["token_attributes"], got["provider_match"])
	}
	if r.exitCode != 0 || !rep.OK {
		t.Errorf("node diagnosis: %s", r)
	}
	if os.Getenv("ACRDIAG_SHOW_NODE") != "" {
		t.Log(s.run("", filepath.Join(binDir, "acrdiag"), "node", kit.Host("myregistry")+"/team/app:1.2", "--provider-config", config, "--bin-dir", bin).stdout)
	}
	if n := len(kit.Requests(acrtest.Filter{Service: "managed-identity", Identity: "kubelet-uami"})); n == 0 {
		t.Errorf("the kubelet's identity was not asked")
	}
}

// TestNodeDiagnosisFindsBrokenSetups: what keeps the kubelet from running acrdiag, each named with its
// cause and fix; and a failure the provider recorded shows.
func TestNodeDiagnosisFindsBrokenSetups(t *testing.T) {
	kit := kubeletKit(t)
	s := nodeSession(t, kit)
	host := kit.Host("myregistry")
	uamiJSON := `{"useManagedIdentityExtension":true,"userAssignedIdentityID":"` + kit.Identity("kubelet-uami").ClientID + `"}`
	tests := []struct {
		name      string
		edit      func(*kubeletconfigv1.CredentialProvider)
		azureJSON string
		noBinary  bool
		failing   map[string]string // check id -> cause
	}{
		{name: "matchImages miss the registry", edit: func(p *kubeletconfigv1.CredentialProvider) {
			p.MatchImages = []string{"*.*.azurecr.io", "myregistry.azurecr.io:443"}
		},
			azureJSON: uamiJSON, failing: map[string]string{"provider_match": "kubelet.provider_config_invalid"}},
		{name: "annotations not passed", edit: func(p *kubeletconfigv1.CredentialProvider) {
			p.TokenAttributes.RequiredServiceAccountAnnotationKeys = []string{kubelet.AnnotationClientID}
		}, azureJSON: uamiJSON, failing: map[string]string{"token_attributes": "kubelet.service_account_annotations_missing"}},
		{name: "binary missing", azureJSON: uamiJSON, noBinary: true, failing: map[string]string{"provider_binary": "kubelet.provider_config_invalid"}},
		{name: "kubelet refuses the config", edit: func(p *kubeletconfigv1.CredentialProvider) { p.DefaultCacheDuration = nil },
			azureJSON: uamiJSON, failing: map[string]string{"kubelet_config": "kubelet.provider_config_invalid"}},
		{name: "azure.json without identity", azureJSON: `{"tenantId":"t","subscriptionId":"s"}`,
			failing: map[string]string{"azure_json": "kubelet.azure_json_invalid", "node_identity": "kubelet.azure_json_invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config, bin := nodeSetup(t, s, tt.edit, tt.azureJSON)
			if tt.noBinary {
				_ = os.Remove(filepath.Join(bin, "acrdiag"))
			}
			checks := "kubelet_config,provider_match,provider_binary,token_attributes,azure_json,node_identity"
			rep, r := s.nodeReport(host+"/app:1", "--provider-config", config, "--bin-dir", bin, "--checks", checks)
			got := byID(rep)
			for id, c := range got {
				if want, ok := tt.failing[id]; ok {
					if c.Status != check.Fail || c.Cause != want || c.Fix == "" {
						t.Errorf("%s: %+v, want a failure with %s", id, c, want)
					}
				} else if c.Status == check.Fail {
					t.Errorf("%s failed too: %+v", id, c)
				}
			}
			if r.exitCode != 1 || rep.OK {
				t.Errorf("exit %d, ok %v", r.exitCode, rep.OK)
			}
			_ = os.RemoveAll(bin)
		})
	}

	// The provider failed for the firewalled registry: the node diagnosis shows the recorded failure.
	config, bin := nodeSetup(t, s, nil, uamiJSON)
	s.setEnv("ACRDIAG_CACHE_DIR=" + filepath.Join(s.home, "provider-state")) // as the config's env gives it to the provider
	if _, r := s.provide(kubeletRequestJSON(t, kit.Host("firewalled")+"/app:1", "", nil), "--azure-json", filepath.Join(s.home, "azure.json")); r.exitCode == 0 {
		t.Fatalf("provider for the firewalled registry: %s", r)
	}
	s.unsetEnv("ACRDIAG_CACHE_DIR")
	rep, _ := s.nodeReport(kit.Host("firewalled")+"/app:1", "--provider-config", config, "--bin-dir", bin, "--checks", "provider_failure")
	if f := byID(rep)["provider_failure"]; f.Status != check.Warn || f.Cause != "network.firewall_denied" || !strings.Contains(f.Fix, "network-rule") {
		t.Errorf("provider_failure = %+v", f)
	}
}
