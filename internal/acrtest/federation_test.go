package acrtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

const podTenant = "3c1f8e2a-0000-4000-8000-0000000a5b0d"

// TestServiceAccountAssertionsAreCheckedLikeEntraID: a pod's service account token is accepted as a client
// assertion for the identity whose federated credential names its issuer, subject and audience, in that
// identity's tenant; any mismatch gets Entra ID's code.
func TestServiceAccountAssertionsAreCheckedLikeEntraID(t *testing.T) {
	k := Start(t, Options{Identities: []Identity{{Name: "pod-puller", Kind: WorkloadIdentity, TenantID: podTenant,
		FederatedSubject: "system:serviceaccount:apps:puller"}}})
	id := k.Identity("pod-puller")
	tokenFor := func(tenant, assertion string) (string, error) {
		cred, err := azidentity.NewClientAssertionCredential(tenant, id.ClientID, func(context.Context) (string, error) { return assertion, nil },
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions(k)})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cred.GetToken(context.Background(), acrScope)
		return tok.Token, err
	}
	tests := []struct {
		name, tenant, assertion, wantErr string
	}{
		{"accepted", podTenant, k.ServiceAccountToken("apps", "puller", FederationAudience, time.Hour), ""},
		{"other service account", podTenant, k.ServiceAccountToken("apps", "other", FederationAudience, time.Hour), "AADSTS70021"},
		{"the API server's audience", podTenant, k.ServiceAccountToken("apps", "puller", "https://kubernetes.default.svc", time.Hour), "AADSTS700212"},
		{"expired", podTenant, k.ServiceAccountToken("apps", "puller", FederationAudience, -time.Minute), "AADSTS700024"},
		{"the node's tenant", DefaultTenantID, k.ServiceAccountToken("apps", "puller", FederationAudience, time.Hour), "AADSTS700016"},
	}
	for _, tt := range tests {
		tok, err := tokenFor(tt.tenant, tt.assertion)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if c := claims(t, tok); c["tid"] != podTenant || c["oid"] != id.ObjectID {
				t.Errorf("%s: claims %v", tt.name, c)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.wantErr)
		}
	}
}

// (No system-assigned case here: MSAL caches managed identity tokens process-wide, and another test's kit
// would get this one's token; the e2e tests cover it, one process per request.)
func TestManagedIdentityByResourceID(t *testing.T) {
	k := Start(t, Options{Identities: []Identity{{Name: "node-system", Kind: ManagedIdentity}, {Name: "kubelet-uami", Kind: ManagedIdentity}}})
	t.Setenv("IDENTITY_ENDPOINT", k.IdentityEndpoint)
	t.Setenv("IDENTITY_HEADER", k.identityHeader)
	for _, tt := range []struct {
		name string
		id   azidentity.ManagedIDKind
		want string
	}{
		{"by client id", azidentity.ClientID(k.Identity("kubelet-uami").ClientID), "kubelet-uami"},
		{"by resource id", azidentity.ResourceID(k.Identity("kubelet-uami").ResourceID()), "kubelet-uami"},
	} {
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ID: tt.id,
			ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cred.GetToken(context.Background(), acrScope)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if c := claims(t, tok.Token); c["oid"] != k.Identity(tt.want).ObjectID {
			t.Errorf("%s: token for %v, want %s", tt.name, c["oid"], tt.want)
		}
	}
	cred, _ := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ID: azidentity.ResourceID("/subscriptions/x/none"),
		ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	if _, err := cred.GetToken(context.Background(), acrScope); err == nil {
		t.Error("an unknown resource id got a token")
	}
}

func TestExchangeRefusesAnotherTenantsToken(t *testing.T) {
	k := Start(t, Options{})
	tok, err := entraToken(t, k, "ci-sp", acrScope.Scopes[0])
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := exchange(t, k, k.Host("myregistry"), tok); st != 200 {
		t.Fatalf("exchange in the token's tenant = %d", st)
	}
	// the same token, naming a tenant that is not its own
	otherTenant := strings.Replace(DefaultTenantID, "a11e", "b22f", 1)
	k2 := Start(t, Options{Identities: []Identity{{Name: "ci-sp", TenantID: otherTenant}}})
	tok2, err := entraToken(t, k2, "ci-sp", acrScope.Scopes[0])
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := exchange(t, k2, k2.Host("myregistry"), tok2); st != 401 { // exchange names DefaultTenantID
		t.Errorf("exchange naming another tenant = %d, want 401", st)
	}
	if r := k2.Requests(Filter{Service: "registry", Path: "/oauth2/exchange"}); len(r) != 1 || r[0].Tenant != DefaultTenantID || r[0].Status != 401 {
		t.Errorf("exchange log = %v", r)
	}
}
