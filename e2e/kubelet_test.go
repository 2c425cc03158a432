package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	credentialproviderv1 "k8s.io/kubelet/pkg/apis/credentialprovider/v1"

	"github.com/acrdiag/acrdiag/internal/acrtest"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/kubelet"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// podTenant is the tenant of the identity a pod's service account is federated to: not the node's.
const podTenant = "3c1f8e2a-0000-4000-8000-0000000a5b0d"

// kubeletKit is the kit with the identities of a node: the system-assigned managed identity (the first
// managed identity, vm-identity), the kubelet's user-assigned one, one that cannot get ACR-audience
// tokens, and a workload identity in another tenant federated to the service account apps/puller.
func kubeletKit(t *testing.T) *acrtest.Kit {
	ids := append(acrtest.DefaultIdentities(),
		acrtest.Identity{Name: "kubelet-uami", Kind: acrtest.ManagedIdentity},
		acrtest.Identity{Name: "arm-only-mi", Kind: acrtest.ManagedIdentity, NoACRAudience: true},
		acrtest.Identity{Name: "pod-puller", Kind: acrtest.WorkloadIdentity, TenantID: podTenant, FederatedSubject: "system:serviceaccount:apps:puller"})
	return acrtest.Start(t, acrtest.Options{Identities: ids})
}

// nodeSession is a session as the kubelet runs a provider: no Azure CLI, the kit's managed identity
// endpoint on loopback (so nothing can reach the instance metadata service), and acrdiag's records in
// the session's cache.
func nodeSession(t *testing.T, kit *acrtest.Kit) *session {
	s := newSession(t, kit)
	s.noIdentity()
	s.setEnv(kit.IdentityEnv("vm-identity")...) // IDENTITY_ENDPOINT and IDENTITY_HEADER: loopback
	return s
}

// kubeletRequestJSON is exactly what the kubelet writes on the provider's stdin, from its own types.
func kubeletRequestJSON(t *testing.T, image, saToken string, annotations map[string]string) string {
	t.Helper()
	b, err := json.Marshal(credentialproviderv1.CredentialProviderRequest{
		TypeMeta: metav1.TypeMeta{APIVersion: "credentialprovider.kubelet.k8s.io/v1", Kind: "CredentialProviderRequest"},
		Image:    image, ServiceAccountToken: saToken, ServiceAccountAnnotations: annotations,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// provide runs the provider as the kubelet does and decodes its answer with the kubelet's type.
func (s *session) provide(request string, args ...string) (credentialproviderv1.CredentialProviderResponse, result) {
	s.t.Helper()
	r := s.run(request, filepath.Join(binDir, "acrdiag"), append([]string{"kubelet-credential-provider"}, args...)...)
	var resp credentialproviderv1.CredentialProviderResponse
	if r.exitCode == 0 {
		if err := json.Unmarshal([]byte(r.stdout), &resp); err != nil {
			s.t.Fatalf("the kubelet's type does not decode the answer %q: %v", r.stdout, err)
		}
	}
	return resp, r
}

func (s *session) writeAzureJSON(content string) string {
	s.t.Helper()
	path := filepath.Join(s.home, "azure.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return path
}

// checkCredentials asserts an answer the kubelet uses for image: the request's version echoed, cached per
// registry for less than the token lives, one key that matches the image, the empty GUID and an ACR
// refresh token of the identity.
func checkCredentials(t *testing.T, kit *acrtest.Kit, resp credentialproviderv1.CredentialProviderResponse, image, identity string) {
	t.Helper()
	host := kubelet.ImageHost(image)
	auth, ok := resp.Auth[host]
	if resp.APIVersion != "credentialprovider.kubelet.k8s.io/v1" || resp.Kind != "CredentialProviderResponse" ||
		resp.CacheKeyType != credentialproviderv1.RegistryPluginCacheKeyType || !ok || len(resp.Auth) != 1 || !kubelet.MatchImage(host, image) {
		t.Fatalf("answer = %+v", resp)
	}
	c, err := jwt.Inspect(auth.Password)
	if err != nil || auth.Username != loginserver.EmptyGUID || !c.IsACR() || c.Subject != kit.Identity(identity).ObjectID {
		t.Fatalf("credentials: username %q, token claims %+v (%v), want an ACR token for %s", auth.Username, c, err, identity)
	}
	life := time.Until(c.Expiry)
	if d := resp.CacheDuration; d == nil || d.Duration <= 0 || d.Duration > kubelet.MaxCacheDuration || d.Duration > life-kubelet.CacheMargin {
		t.Errorf("cacheDuration %v for a token that lives %s more", d, life.Round(time.Second))
	}
}

// TestKubeletProviderIdentities drives the provider with the kubelet's request for every identity a node
// has, against the kit: each gets a refresh token of the identity it names, with the ACR audience first.
func TestKubeletProviderIdentities(t *testing.T) {
	kit := kubeletKit(t)
	image := kit.Host("myregistry") + "/team/app:1.2"
	uami := kit.Identity("kubelet-uami")
	sp := kit.Identity("ci-sp")
	tests := []struct {
		name      string
		azureJSON string   // written and passed as --azure-json when set
		args      []string // more arguments
		env       []string
		unset     []string
		identity  string // whose token the answer carries
	}{
		{name: "system-assigned managed identity (AKS's msi/msi)", azureJSON: `{"cloud":"AzurePublicCloud","tenantId":"` + acrtest.DefaultTenantID + `","aadClientId":"msi","aadClientSecret":"msi"}`, identity: "vm-identity"},
		{name: "user-assigned by client id", azureJSON: `{"useManagedIdentityExtension":true,"userAssignedIdentityID":"` + uami.ClientID + `"}`, identity: "kubelet-uami"},
		{name: "user-assigned by resource id", azureJSON: `{"useManagedIdentityExtension":true,"userAssignedIdentityID":"` + uami.ResourceID() + `"}`, identity: "kubelet-uami"},
		{name: "user-assigned by flag", args: []string{"--client-id", uami.ClientID}, identity: "kubelet-uami"},
		{name: "user-assigned by resource id flag", args: []string{"--resource-id", uami.ResourceID()}, identity: "kubelet-uami"},
		{name: "service principal of azure.json", azureJSON: `{"tenantId":"` + sp.TenantID + `","aadClientId":"` + sp.ClientID + `","aadClientSecret":"` + sp.Secret + `"}`, identity: "ci-sp"},
		// The environment's workload identity through the node's default chain (prod): no AZURE_TOKEN_CREDENTIALS,
		// and the loopback managed identity endpoint behind it.
		{name: "workload identity from the environment", env: kit.IdentityEnv("aks-workload"), unset: []string{"AZURE_TOKEN_CREDENTIALS"}, identity: "aks-workload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := nodeSession(t, kit)
			s.setEnv(tt.env...)
			s.unsetEnv(tt.unset...)
			args := tt.args
			if tt.azureJSON != "" {
				args = append(args, "--azure-json", s.writeAzureJSON(tt.azureJSON))
			}
			before := len(kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"}))
			resp, r := s.provide(kubeletRequestJSON(t, image, "", nil), args...)
			if r.exitCode != 0 {
				t.Fatalf("provider: %s", r)
			}
			checkCredentials(t, kit, resp, image, tt.identity)
			ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: tt.identity})
			if len(kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange"}))-before != 1 || len(ex) == 0 ||
				ex[len(ex)-1].Audience != acrtest.AudienceACR {
				t.Errorf("exchanges = %v, want one, with an ACR-audience token", ex)
			}
			if strings.Contains(r.stdout+r.stderr, sp.Secret) || len(kit.Requests(acrtest.Filter{Service: "registry", Grant: "basic"})) != 0 {
				t.Errorf("a client secret reached the registry or the output")
			}
		})
	}
}

// TestKubeletProviderServiceAccountToken: with tokenAttributes the kubelet passes the pod's service account
// token and annotations; acrdiag exchanges the token for the annotated identity in the annotated tenant
// (not azure.json's), in Entra ID and in the ACR exchange alike.
func TestKubeletProviderServiceAccountToken(t *testing.T) {
	kit := kubeletKit(t)
	s := nodeSession(t, kit)
	image := kit.Host("myregistry") + "/team/app:1.2"
	azureJSON := s.writeAzureJSON(`{"tenantId":"` + acrtest.DefaultTenantID + `","useManagedIdentityExtension":true}`)
	pod := kit.Identity("pod-puller")
	saToken := kit.ServiceAccountToken("apps", "puller", kubelet.TokenExchangeAudience, time.Hour)
	annotations := map[string]string{kubelet.AnnotationClientID: pod.ClientID, kubelet.AnnotationTenantID: podTenant}

	resp, r := s.provide(kubeletRequestJSON(t, image, saToken, annotations), "--azure-json", azureJSON)
	if r.exitCode != 0 {
		t.Fatalf("provider: %s", r)
	}
	checkCredentials(t, kit, resp, image, "pod-puller")
	entra := kit.Requests(acrtest.Filter{Service: "entra", Path: "/" + podTenant + "/oauth2/v2.0/token", Identity: "pod-puller"})
	ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: "pod-puller"})
	if len(entra) == 0 || entra[0].Status != 200 || len(ex) != 1 || ex[0].Tenant != podTenant || ex[0].Status != 200 {
		t.Errorf("entra %v, exchange %v: want the pod's tenant %s in both", entra, ex, podTenant)
	}
	if len(kit.Requests(acrtest.Filter{Service: "managed-identity"})) != 0 {
		t.Errorf("azure.json's managed identity was asked although the kubelet passed an annotated service account's token")
	}
	if strings.Contains(r.stderr, saToken) {
		t.Errorf("the service account token is on stderr")
	}

	// Another service account's token: the federated credential does not match, and the line says so.
	other := kit.ServiceAccountToken("apps", "other", kubelet.TokenExchangeAudience, time.Hour)
	_, r = s.provide(kubeletRequestJSON(t, image, other, annotations), "--azure-json", azureJSON)
	if r.exitCode == 0 || r.stdout != "" || !strings.Contains(r.stderr, "AADSTS70021") || !strings.Contains(r.stderr, "["+"auth.federated_credential_mismatch]") ||
		strings.Contains(r.stderr, other) {
		t.Errorf("another service account's token: %s", r)
	}

	// A service account without the annotations pulls with the node's identity (azure.json's, system-assigned).
	resp, r = s.provide(kubeletRequestJSON(t, image, kit.ServiceAccountToken("apps", "default", kubelet.TokenExchangeAudience, time.Hour), nil), "--azure-json", azureJSON)
	if r.exitCode != 0 {
		t.Fatalf("unannotated service account: %s", r)
	}
	checkCredentials(t, kit, resp, image, "vm-identity")

	// With only one of them the setup is half done: no identity to exchange for.
	_, r = s.provide(kubeletRequestJSON(t, image, saToken, map[string]string{kubelet.AnnotationClientID: pod.ClientID}), "--azure-json", azureJSON)
	if r.exitCode == 0 || !strings.Contains(r.stderr, kubelet.AnnotationTenantID) || !strings.Contains(r.stderr, "[kubelet.service_account_annotations_missing]") ||
		strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("missing annotation: %s", r)
	}
	if f := s.lastFailures(); len(f) == 0 || f[0]["cause"] != "kubelet.service_account_annotations_missing" || f[0]["host"] != kit.Host("myregistry") || f[0]["action"] != "kubelet" {
		t.Errorf("failure record = %v", f)
	}
}

// TestKubeletProviderARMFallback: an identity that cannot get ACR-audience tokens (Azure Local, some
// tenants) still gets credentials through the ARM audience, as the credential helper does;
// acr-credential-provider asks the ACR audience only.
func TestKubeletProviderARMFallback(t *testing.T) {
	kit := kubeletKit(t)
	s := nodeSession(t, kit)
	image := kit.Host("myregistry") + "/app:1"
	resp, r := s.provide(kubeletRequestJSON(t, image, "", nil), "--client-id", kit.Identity("arm-only-mi").ClientID)
	if r.exitCode != 0 {
		t.Fatalf("provider: %s", r)
	}
	checkCredentials(t, kit, resp, image, "arm-only-mi")
	mi := kit.Requests(acrtest.Filter{Service: "managed-identity", Identity: "arm-only-mi"})
	ex := kit.Requests(acrtest.Filter{Service: "registry", Path: "/oauth2/exchange", Identity: "arm-only-mi"})
	if len(mi) < 2 || mi[0].Audience != acrtest.AudienceACR || mi[0].Status == 200 || mi[len(mi)-1].Audience != acrtest.AudienceARM ||
		len(ex) != 1 || ex[0].Audience != acrtest.AudienceARM {
		t.Errorf("managed identity requests %v, exchanges %v: want the ACR audience refused, then the ARM audience exchanged", mi, ex)
	}
}

// TestKubeletProviderRefusals: images that are not ACR's, look-alikes and the whole hostile-host corpus get
// no credentials and no connection; what cannot be answered is one line on stderr with its cause and fix.
func TestKubeletProviderRefusals(t *testing.T) {
	kit := kubeletKit(t)
	s := nodeSession(t, kit)
	s.setEnv("AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential")
	for _, h := range readHostileHosts(t) {
		resp, r := s.provide(kubeletRequestJSON(t, h.host, "", nil))
		expect := h.expect
		if strings.ContainsAny(h.host, "\r\n") {
			// The helper protocol joins injected lines into one name; JSON keeps them, and a name with a line
			// break is no login server at all.
			expect = "not-found"
		}
		switch expect {
		case "not-found":
			if r.exitCode != 0 || len(resp.Auth) != 0 || resp.CacheDuration == nil || resp.CacheDuration.Duration != 0 ||
				resp.CacheKeyType != credentialproviderv1.RegistryPluginCacheKeyType || resp.APIVersion != "credentialprovider.kubelet.k8s.io/v1" {
				t.Errorf("hostile-hosts.txt:%d %q: %s", h.line, h.host, r)
			}
		case "name-invalid":
			if r.exitCode == 0 || !strings.Contains(r.stderr, "[registry.name_invalid]") {
				t.Errorf("hostile-hosts.txt:%d %q: %s", h.line, h.host, r)
			}
		}
	}
	for _, image := range []string{"docker.io/library/nginx:1.27", "mcr.microsoft.com/oss/nginx:1", "myregistry.azurecr.io.evil.example/app"} {
		if resp, r := s.provide(kubeletRequestJSON(t, image, "", nil)); r.exitCode != 0 || len(resp.Auth) != 0 || resp.CacheDuration.Duration != 0 {
			t.Errorf("%s: %s", image, r)
		}
	}
	if reqs := kit.Requests(acrtest.Filter{}); len(reqs) != 0 {
		t.Errorf("images that are not ACR's made %d requests, first %v", len(reqs), reqs[0])
	}

	bad := []struct{ name, stdin, want string }{
		{"v1beta1", strings.Replace(kubeletRequestJSON(t, kit.Host("myregistry")+"/app", "", nil), "/v1\"", "/v1beta1\"", 1), `apiVersion "credentialprovider.kubelet.k8s.io/v1beta1"`},
		{"malformed", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1",`, "is not valid JSON"},
		{"too big", strings.Repeat(" ", kubelet.MaxRequestSize+1), "is over"},
	}
	for _, b := range bad {
		_, r := s.provide(b.stdin)
		if r.exitCode == 0 || r.stdout != "" || !strings.Contains(r.stderr, b.want) || !strings.Contains(r.stderr, "[kubelet.request_invalid]") {
			t.Errorf("%s: %s", b.name, r)
		}
	}
}

// TestKubeletProviderFailureIsExplained: a registry that refuses the node names the cause and the fix on
// one stderr line (what the kubelet logs) and in the failure record, with no token in either.
func TestKubeletProviderFailureIsExplained(t *testing.T) {
	kit := kubeletKit(t)
	s := nodeSession(t, kit)
	host := kit.Host("firewalled")
	_, r := s.provide(kubeletRequestJSON(t, host+"/app:1", "", nil), "--client-id", kit.Identity("kubelet-uami").ClientID)
	t.Log(r.stderr) // the README's example
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.exitCode == 0 || r.stdout != "" || len(lines) != 1 || !strings.Contains(lines[0], "[network.firewall_denied]") ||
		!strings.Contains(lines[0], "Fix: ") || !strings.Contains(lines[0], "kubelet-uami") && !strings.Contains(lines[0], kit.Identity("kubelet-uami").ClientID) {
		t.Errorf("provider: %s", r)
	}
	f := s.lastFailures()
	if len(f) != 1 || f[0]["host"] != host || f[0]["cause"] != "network.firewall_denied" {
		t.Errorf("failure record = %v", f)
	}
	b, _ := json.Marshal(f)
	if slices.ContainsFunc([]string{r.stderr, string(b)}, func(s string) bool { return strings.Contains(s, "eyJ") }) {
		t.Errorf("a token leaked: %s / %s", r.stderr, b)
	}
}
