package azurejson

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(testfs.TempDir(t), "azure.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIdentityIsTheOneCloudProviderAzureWouldUse(t *testing.T) {
	const resourceID = "/subscriptions/0000/resourceGroups/MC_rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/agentpool"
	tests := []struct {
		name, json string
		want       Identity
		desc       string
	}{
		{"AKS user-assigned", `{"cloud":"AzurePublicCloud","tenantId":"t1","aadClientId":"msi","aadClientSecret":"msi","useManagedIdentityExtension":true,"userAssignedIdentityID":"c-kubelet","subscriptionId":"s"}`,
			Identity{Kind: ManagedIdentity, ClientID: "c-kubelet"}, "client id c-kubelet"},
		{"msi/msi alone", `{"aadClientId":"msi","aadClientSecret":"msi"}`, Identity{Kind: ManagedIdentity}, "system-assigned"},
		{"by resource id", `{"useManagedIdentityExtension":true,"userAssignedIdentityID":"` + resourceID + `"}`,
			Identity{Kind: ManagedIdentity, ResourceID: resourceID}, "agentpool"},
		{"by resource id in upper case", `{"useManagedIdentityExtension":true,"userAssignedIdentityID":"/SUBSCRIPTIONS/0/x"}`,
			Identity{Kind: ManagedIdentity, ResourceID: "/SUBSCRIPTIONS/0/x"}, "/SUBSCRIPTIONS/0/x"},
		{"workload identity", `{"tenantId":"t1","aadClientId":"c1","useFederatedWorkloadIdentityExtension":true,"aadFederatedTokenFile":"/var/run/token"}`,
			Identity{Kind: WorkloadIdentity, ClientID: "c1", TenantID: "t1", TokenFile: "/var/run/token"}, "workload identity"},
		{"service principal", `{"tenantId":"t1","aadClientId":"c1","aadClientSecret":"s3cr3t-value"}`,
			Identity{Kind: ServicePrincipal, ClientID: "c1", TenantID: "t1", Secret: "s3cr3t-value"}, "client secret"},
		{"certificate", `{"tenantId":"t1","aadClientId":"c1","aadClientCertPath":"/etc/kubernetes/sp.pfx","aadClientCertPassword":"pw-value"}`,
			Identity{Kind: CertificatePrincipal, ClientID: "c1", TenantID: "t1", CertPath: "/etc/kubernetes/sp.pfx", CertPassword: "pw-value"}, "sp.pfx"},
	}
	for _, tt := range tests {
		c, err := Read(write(t, tt.json))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := c.Identity()
		if err != nil || got != tt.want {
			t.Errorf("%s: identity = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
		if s := got.String(); !strings.Contains(s, tt.desc) || strings.Contains(s, "s3cr3t") || strings.Contains(s, "pw-value") {
			t.Errorf("%s: described as %q", tt.name, s)
		}
	}
}

func TestTenantFromTheEnvironmentWins(t *testing.T) {
	c, err := Read(write(t, `{"tenantId":"file-tenant","aadClientId":"c1","aadClientSecret":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AZURE_TENANT_ID", "env-tenant")
	if id, err := c.Identity(); err != nil || id.TenantID != "env-tenant" {
		t.Errorf("identity = %+v, %v; want the tenant of AZURE_TENANT_ID", id, err)
	}
}

func TestUnusableFilesSayWhy(t *testing.T) {
	dir := testfs.TempDir(t)
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "none.json"), "does not exist"},
		{"directory", dir, "cannot be read"},
		{"not JSON", write(t, `{"tenantId": "t1",`), "is not valid JSON"},
		{"wrong type", write(t, `{"useManagedIdentityExtension": "yes"}`), `"useManagedIdentityExtension" is a JSON string`},
		{"no identity", write(t, `{"tenantId":"t1","subscriptionId":"s"}`), "names no identity"},
		{"secret without tenant", write(t, `{"aadClientId":"c1","aadClientSecret":"s3cr3t-value"}`), "without tenantId"},
		{"workload without file", write(t, `{"tenantId":"t1","useFederatedWorkloadIdentityExtension":true,"aadClientId":"c1"}`), "without aadClientId, aadFederatedTokenFile"},
	}
	t.Setenv("AZURE_TENANT_ID", "")
	for _, tt := range tests {
		c, err := Read(tt.path)
		if err == nil {
			_, err = c.Identity()
		}
		var ae *Error
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: err = %v, want an azurejson.Error with %q", tt.name, err, tt.want)
		}
	}
}

func TestCloudNames(t *testing.T) {
	for in, want := range map[string]string{"": "", "AzurePublicCloud": "AzureCloud", "azurechinacloud": "AzureChinaCloud",
		"AzureUSGovernmentCloud": "AzureUSGovernment", "AzureStackCloud": ""} {
		if got := (Config{Cloud: in}).CloudName(); got != want {
			t.Errorf("CloudName(%q) = %q, want %q", in, got, want)
		}
	}
}
