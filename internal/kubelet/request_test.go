package kubelet

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	credentialproviderv1 "k8s.io/kubelet/pkg/apis/credentialprovider/v1"
)

// kubeletRequest is the JSON the kubelet writes, encoded from its own types.
func kubeletRequest(t *testing.T, image, saToken string, annotations map[string]string) string {
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

func TestReadRequestReadsWhatTheKubeletSends(t *testing.T) {
	ann := map[string]string{AnnotationClientID: "c1", AnnotationTenantID: "t1"}
	req, err := ReadRequest(strings.NewReader(kubeletRequest(t, "myreg.azurecr.io/app:1", "sa.jwt.token", ann)))
	if err != nil {
		t.Fatal(err)
	}
	if req.Image != "myreg.azurecr.io/app:1" || req.ServiceAccountToken != "sa.jwt.token" || req.ServiceAccountAnnotations[AnnotationTenantID] != "t1" {
		t.Errorf("request = %+v", req)
	}
}

func TestReadRequestRefusesWhatItCannotAnswer(t *testing.T) {
	secret := "eyJhbGciOi.secret-part.sig"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "  \n", "is empty"},
		{"not JSON", `{"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "image": ` + secret, "is not valid JSON"},
		{"truncated", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"x`, "is not valid JSON"},
		{"wrong type", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":7}`, `field "image"`},
		{"v1beta1", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1beta1","kind":"CredentialProviderRequest","image":"a.azurecr.io/x"}`, `apiVersion "credentialprovider.kubelet.k8s.io/v1beta1"`},
		{"no apiVersion", `{"kind":"CredentialProviderRequest","image":"a.azurecr.io/x"}`, `apiVersion ""`},
		{"wrong kind", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse","image":"a.azurecr.io/x"}`, "has kind"},
		{"no image", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"}`, "names no image"},
		{"two values", `{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"a.azurecr.io/x"} {}`, "more than one"},
		{"too big", `{"image":"` + strings.Repeat("a", MaxRequestSize) + `"}`, "is over"},
	}
	for _, tt := range tests {
		_, err := ReadRequest(strings.NewReader(tt.in))
		var re *RequestError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want a RequestError with %q", tt.name, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "secret-part") {
			t.Errorf("%s: the error quotes the input: %v", tt.name, err)
		}
	}
}

func TestResponsesDecodeAsTheKubeletsType(t *testing.T) {
	req := Request{APIVersion: APIVersion, Kind: RequestKind, Image: "myreg.azurecr.io/app"}
	for _, tt := range []struct {
		name     string
		resp     Response
		wantAuth int
		wantDur  time.Duration
	}{
		{"credentials", Credentials(req, "myreg.azurecr.io", "00000000-0000-0000-0000-000000000000", "refresh", 55*time.Minute), 1, 55 * time.Minute},
		{"none", NoCredentials(req), 0, 0},
	} {
		b, err := json.Marshal(tt.resp)
		if err != nil {
			t.Fatal(err)
		}
		var got credentialproviderv1.CredentialProviderResponse
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: the kubelet's type does not decode %s: %v", tt.name, b, err)
		}
		if got.APIVersion != APIVersion || got.Kind != ResponseKind || got.CacheKeyType != credentialproviderv1.RegistryPluginCacheKeyType ||
			got.CacheDuration == nil || got.CacheDuration.Duration != tt.wantDur || len(got.Auth) != tt.wantAuth {
			t.Errorf("%s: decoded %+v from %s", tt.name, got, b)
		}
	}
}

func TestCacheDurationNeverOutlivesTheToken(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		life, want time.Duration
	}{
		{3*time.Hour + 15*time.Minute, MaxCacheDuration}, // ACR's usual refresh token
		{40 * time.Minute, 35 * time.Minute},
		{5*time.Minute + 30*time.Second, 30 * time.Second},
		{5 * time.Minute, 0},
		{time.Minute, 0},
		{-time.Minute, 0},
		{20*time.Minute + 1500*time.Millisecond, 15*time.Minute + time.Second}, // whole seconds, rounded down
	}
	for _, tt := range tests {
		got := CacheDuration(now, now.Add(tt.life))
		if got != tt.want || (tt.life > 0 && got >= tt.life) {
			t.Errorf("CacheDuration(life %s) = %s, want %s", tt.life, got, tt.want)
		}
	}
}
