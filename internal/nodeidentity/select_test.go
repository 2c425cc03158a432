package nodeidentity

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/azurejson"
	"github.com/acrdiag/acrdiag/internal/kubelet"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

func TestSelectPicksTheIdentityTheNodeMeans(t *testing.T) {
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "")
	mi := &azurejson.Config{UseManagedIdentityExtension: true, UserAssignedIdentityID: "c-kubelet", Cloud: "AzureChinaCloud"}
	sp := &azurejson.Config{TenantID: "t-node", AADClientID: "c-sp", AADClientSecret: "s3cr3t-value"}
	sa := map[string]string{kubelet.AnnotationClientID: "c-pod", kubelet.AnnotationTenantID: "t-pod"}
	tests := []struct {
		name       string
		opts       Options
		mode       Mode
		credential string // the azidentity type named by Answered
		desc       string
		cloud      string
	}{
		{"service account wins over azure.json", Options{ServiceAccountToken: "sa-token", Annotations: sa, AzureJSON: mi},
			ServiceAccount, "ClientAssertionCredential", "client id c-pod in tenant t-pod", "AzureChinaCloud"},
		{"azure.json managed identity", Options{AzureJSON: mi, Cloud: "AzureCloud"}, AzureJSON, "ManagedIdentityCredential", "client id c-kubelet", "AzureChinaCloud"},
		{"azure.json service principal", Options{AzureJSON: sp, Cloud: "AzureUSGovernment"}, AzureJSON, "ClientSecretCredential", "service principal c-sp", "AzureUSGovernment"},
		{"flag resource id", Options{ResourceID: "/subscriptions/s/rg/x", Cloud: "AzureCloud"}, Flags, "ManagedIdentityCredential", "/subscriptions/s/rg/x", "AzureCloud"},
		{"flag client id", Options{ClientID: "c-flag"}, Flags, "ManagedIdentityCredential", "client id c-flag", ""},
		{"environment", Options{Cloud: "AzureCloud"}, Environment, "", "AZURE_TOKEN_CREDENTIALS prod", "AzureCloud"},
	}
	for _, tt := range tests {
		c, err := Select(tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.Mode != tt.mode || !strings.Contains(c.Description, tt.desc) || c.Cloud != tt.cloud || strings.Contains(c.Description, "s3cr3t") {
			t.Errorf("%s: choice = %+v", tt.name, c)
		}
		src := c.Source()
		a, isAnswerer := src.(renew.Answerer)
		if tt.credential != "" && (!isAnswerer || !strings.HasPrefix(a.Answered(), tt.credential+" (")) {
			t.Errorf("%s: source %T answers as %v, want %s", tt.name, src, a, tt.credential)
		}
	}
}

func TestServiceAccountTokenNeedsBothAnnotations(t *testing.T) {
	for _, ann := range []map[string]string{
		{kubelet.AnnotationClientID: "c-pod"},
		{kubelet.AnnotationTenantID: "t-pod", kubelet.AnnotationClientID: "  "},
	} {
		_, err := Select(Options{ServiceAccountToken: "sa-token", Annotations: ann})
		var ae *AnnotationError
		if !errors.As(err, &ae) || len(ae.Missing) == 0 {
			t.Errorf("annotations %v: err = %v, want an AnnotationError", ann, err)
			continue
		}
		for _, m := range ae.Missing {
			if strings.TrimSpace(ann[m]) != "" {
				t.Errorf("annotations %v: %s reported missing", ann, m)
			}
		}
	}
}

func TestServiceAccountWithoutAnnotationsPullsAsTheNode(t *testing.T) {
	mi := &azurejson.Config{UseManagedIdentityExtension: true}
	for _, ann := range []map[string]string{nil, {"other": "x"}, {kubelet.AnnotationClientID: " ", kubelet.AnnotationTenantID: ""}} {
		c, err := Select(Options{ServiceAccountToken: "sa-token", Annotations: ann, AzureJSON: mi})
		if err != nil || c.Mode != AzureJSON {
			t.Errorf("annotations %v: choice %+v, %v; want the node's azure.json identity", ann, c, err)
		}
	}
}

func TestUnreadableCertificateFailsOnTheFirstToken(t *testing.T) {
	c, err := Select(Options{AzureJSON: &azurejson.Config{TenantID: "t", AADClientID: "c", AADClientCertPath: testfs.TempDir(t) + "/none.pfx"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Source().Token(context.Background(), renew.ScopeACR)
	if err == nil || !strings.Contains(err.Error(), "aadClientCertPath") {
		t.Errorf("err = %v, want the certificate named", err)
	}
}
