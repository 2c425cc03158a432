package acrtest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

var acrScope = policy.TokenRequestOptions{Scopes: []string{AudienceACR + "/.default"}}

func clientOptions(k *Kit) azcore.ClientOptions {
	return azcore.ClientOptions{Transport: k.Client(), Retry: policy.RetryOptions{MaxRetries: -1}}
}

// entraToken gets a token for a service principal through the real azidentity code.
func entraToken(t *testing.T, k *Kit, identity, scope string) (string, error) {
	t.Helper()
	id := k.Identity(identity)
	cred, err := azidentity.NewClientSecretCredential(id.TenantID, id.ClientID, id.Secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(k)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
	return tok.Token, err
}

// exchange trades an Entra token for an ACR refresh token, as the helper will.
func exchange(t *testing.T, k *Kit, host, entraToken string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"access_token"}, "service": {host}, "tenant": {DefaultTenantID}, "access_token": {entraToken}}
	resp, err := k.Client().PostForm("https://"+host+"/oauth2/exchange", form)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func refreshTokenFor(t *testing.T, k *Kit, registry, identity string) string {
	t.Helper()
	tok, err := entraToken(t, k, identity, AudienceACR+"/.default")
	if err != nil {
		t.Fatalf("entra token: %v", err)
	}
	status, body := exchange(t, k, k.Host(registry), tok)
	if status != 200 {
		t.Fatalf("exchange: status %d body %v", status, body)
	}
	return body["refresh_token"].(string)
}

func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEntraAndExchangeIssueACRTokens(t *testing.T) {
	k := Start(t, Options{})
	host := k.Host("myregistry")
	rt := refreshTokenFor(t, k, "myregistry", "ci-sp")
	c := claims(t, rt)
	if c["iss"] != "Azure Container Registry" || c["aud"] != host || c["grant_type"] != "refresh_token" || c["tenant"] != DefaultTenantID {
		t.Errorf("refresh token claims = %v", c)
	}
	if life := c["exp"].(float64) - c["iat"].(float64); life != 11700 {
		t.Errorf("refresh token lifetime = %vs, want 11700s", life)
	}
	ex := k.Requests(Filter{Service: "registry", Path: "/oauth2/exchange"})
	if len(ex) != 1 || ex[0].Identity != "ci-sp" || ex[0].Audience != AudienceACR || ex[0].Grant != "access_token" || ex[0].Status != 200 {
		t.Errorf("exchange log = %v", ex)
	}
	if n := len(k.Requests(Filter{Service: "entra", Method: "POST", Identity: "ci-sp"})); n != 1 {
		t.Errorf("entra token requests = %d, want 1", n)
	}
}

func TestChallengeHeadersAreACRs(t *testing.T) {
	k := Start(t, Options{})
	host := k.Host("myregistry")
	resp, err := k.Client().Get("https://" + host + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	want := `Bearer realm="https://` + host + `/oauth2/token",service="` + host + `"`
	if resp.StatusCode != 401 || resp.Header.Get("Www-Authenticate") != want {
		t.Errorf("GET /v2/ = %d %q, want 401 %q", resp.StatusCode, resp.Header.Get("Www-Authenticate"), want)
	}
	if resp.Header.Get("Docker-Distribution-Api-Version") != "registry/2.0" || resp.Header.Get("X-Ms-Correlation-Request-Id") == "" {
		t.Errorf("missing ACR headers: %v", resp.Header)
	}
	if !strings.Contains(string(body), `"code":"UNAUTHORIZED"`) {
		t.Errorf("body = %s", body)
	}
}

func TestPushPullThroughRealRegistryAndDataEndpoint(t *testing.T) {
	k := Start(t, Options{})
	host := k.Host("myregistry")
	rt := refreshTokenFor(t, k, "myregistry", "ci-sp")
	ref, _ := name.ParseReference(host + "/demo/app:1")
	img, _ := random.Image(2048, 2)
	opts := []remote.Option{remote.WithTransport(k.Client().Transport), remote.WithAuth(&authn.Basic{Username: EmptyGUID, Password: rt})}
	if err := remote.Write(ref, img, opts...); err != nil {
		t.Fatalf("push: %v", err)
	}
	got, err := remote.Image(ref, opts...)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := got.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatalf("layer download: %v", err)
	}
	n, err := io.Copy(io.Discard, rc)
	_ = rc.Close()
	if err != nil || n == 0 {
		t.Fatalf("layer download: %d bytes, %v", n, err)
	}
	data := k.Requests(Filter{Service: "data", Host: "myregistry.eastus.data.azurecr.io"})
	if len(data) == 0 || data[0].Status != 200 {
		t.Errorf("blob download did not go to the data endpoint: %v", data)
	}
	tags, err := remote.List(ref.Context(), opts...)
	if err != nil || len(tags) != 1 || tags[0] != "1" {
		t.Errorf("tags = %v, %v", tags, err)
	}
}

func TestScenarios(t *testing.T) {
	regs := []Registry{{Name: "fw", Scenario: Firewall}, {Name: "pub", Scenario: PublicAccessDisabled},
		{Name: "throttle", Scenario: Throttled}, {Name: "reset", Scenario: ConnectionReset}, {Name: "slow", Scenario: Slow}}
	k := Start(t, Options{Registries: regs})
	for _, name := range []string{"fw", "pub"} {
		resp, err := k.Client().Get("https://" + k.Host(name) + "/v2/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(b), `"code":"DENIED","message":"client with IP '127.0.0.1' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, b)
		}
	}
	resp, err := k.Client().Get("https://" + k.Host("throttle") + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || ra < 1 || ra > 60 {
		t.Errorf("throttled: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, err = k.Client().Get("https://" + k.Host("reset") + "/v2/")
	if err == nil {
		_ = resp.Body.Close()
	}
	if err == nil || (!strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF")) {
		t.Errorf("reset: err = %v", err)
	}
	c := k.Client()
	c.Timeout = 300 * time.Millisecond
	resp, err = c.Get("https://" + k.Host("slow") + "/v2/")
	if err == nil {
		_ = resp.Body.Close()
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Errorf("slow: err = %v, want a timeout", err)
	}
}

func TestRolesAndAudience(t *testing.T) {
	k := Start(t, Options{Registries: []Registry{
		{Name: "pullonly", Scenario: PullOnly}, {Name: "norole", Scenario: NoRole},
		{Name: "acronly", Scenario: ARMAudienceDisabled}, {Name: "expired", Scenario: ExpiredTokens},
		{Name: "anon", Scenario: AnonymousPull}, {Name: "blocked", Scenario: DataEndpointBlocked},
	}})
	acrTok, _ := entraToken(t, k, "ci-sp", AudienceACR+"/.default")
	armTok, err := entraToken(t, k, "ci-sp", "https://management.core.windows.net//.default")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := exchange(t, k, k.Host("norole"), acrTok); st != 401 {
		t.Errorf("no role: exchange = %d, want 401", st)
	}
	if st, body := exchange(t, k, k.Host("acronly"), armTok); st != 401 || !strings.Contains(jsonString(body), "token validation failed") {
		t.Errorf("ARM audience disabled: exchange with ARM token = %d %v", st, body)
	}
	if st, _ := exchange(t, k, k.Host("acronly"), acrTok); st != 200 {
		t.Errorf("ARM audience disabled: exchange with ACR token = %d", st)
	}

	// Pull-only: the token service answers 200 but grants only pull, and push fails insufficient_scope.
	rt := refreshTokenFor(t, k, "pullonly", "ci-sp")
	if acts := claims(t, rt)["permissions"].(map[string]any)["Actions"]; jsonString(acts) != `["read"]` {
		t.Errorf("pull-only permissions = %v", acts)
	}
	ref, _ := name.ParseReference(k.Host("pullonly") + "/app:1")
	img, _ := random.Image(64, 1)
	err = remote.Write(ref, img, remote.WithTransport(k.Client().Transport), remote.WithAuth(&authn.Basic{Username: EmptyGUID, Password: rt}))
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != 401 {
		t.Errorf("pull-only push: %v", err)
	}
	if denied := k.Requests(Filter{Service: "registry", Host: k.Host("pullonly"), Identity: "ci-sp"}); !hasError(denied, "insufficient_scope") {
		t.Errorf("pull-only push not logged as insufficient_scope: %v", denied)
	}

	// Expired tokens: the exchange hands out a token that is already past its exp.
	st, body := exchange(t, k, k.Host("expired"), acrTok)
	if st != 200 || int64(claims(t, body["refresh_token"].(string))["exp"].(float64)) > time.Now().Unix() {
		t.Errorf("expired-tokens exchange: %d", st)
	}

	// Anonymous pull: a token without credentials, pull only.
	resp, err := k.Client().Get("https://" + k.Host("anon") + "/oauth2/token?service=" + k.Host("anon") + "&scope=repository:app:pull,push")
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || jsonString(claims(t, tok["access_token"].(string))["access"]) != `[{"actions":["pull"],"name":"app","type":"repository"}]` {
		t.Errorf("anonymous token: %d %v", resp.StatusCode, tok)
	}

	// Data endpoint blocked: login and manifests work, the blob host is refused by the proxy.
	rtb := refreshTokenFor(t, k, "blocked", "ci-sp")
	ref, _ = name.ParseReference(k.Host("blocked") + "/app:1")
	opts := []remote.Option{remote.WithTransport(k.Client().Transport), remote.WithAuth(&authn.Basic{Username: EmptyGUID, Password: rtb})}
	if err := remote.Write(ref, img, opts...); err != nil {
		t.Fatalf("push to data-blocked registry: %v", err)
	}
	got, _ := remote.Image(ref, opts...)
	layers, _ := got.Layers()
	if _, err := layers[0].Compressed(); err == nil {
		rc, _ := layers[0].Compressed()
		_, err = io.ReadAll(rc)
		if err == nil {
			t.Errorf("blob download from a blocked data endpoint succeeded")
		}
	}
	if refused := k.Requests(Filter{Service: "proxy", Host: k.Registry("blocked").DataHost() + ":443"}); len(refused) == 0 || refused[0].Status != 403 {
		t.Errorf("proxy did not refuse the data host: %v", refused)
	}
}

func TestEntraErrors(t *testing.T) {
	k := Start(t, Options{})
	if _, err := entraToken(t, k, "expired-sp", AudienceACR+"/.default"); err == nil || !strings.Contains(err.Error(), "AADSTS7000222") {
		t.Errorf("expired secret: %v", err)
	}
	id := k.Identity("ci-sp")
	cred, _ := azidentity.NewClientSecretCredential(id.TenantID, id.ClientID, "wrong", &azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(k)})
	if _, err := cred.GetToken(context.Background(), acrScope); err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Errorf("bad secret: %v", err)
	}
	cred, _ = azidentity.NewClientSecretCredential(id.TenantID, "11111111-2222-4333-8444-555555555555", "x", &azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(k)})
	if _, err := cred.GetToken(context.Background(), acrScope); err == nil || !strings.Contains(err.Error(), "AADSTS700016") {
		t.Errorf("unknown app: %v", err)
	}
}

func TestEveryIdentityKindGetsAToken(t *testing.T) {
	k := Start(t, Options{})
	ctx := context.Background()
	cert := k.Identity("cert-sp")
	pemData, _ := os.ReadFile(cert.certPath)
	certs, key, err := azidentity.ParseCertificates(pemData, nil)
	if err != nil {
		t.Fatal(err)
	}
	certCred, _ := azidentity.NewClientCertificateCredential(cert.TenantID, cert.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(k)})

	wi := k.Identity("aks-workload")
	var wiFile string
	for _, kv := range k.IdentityEnv("aks-workload") {
		if v, ok := strings.CutPrefix(kv, "AZURE_FEDERATED_TOKEN_FILE="); ok {
			wiFile = v
		}
	}
	wiCred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: clientOptions(k), TenantID: wi.TenantID, ClientID: wi.ClientID, TokenFilePath: wiFile})
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("IDENTITY_ENDPOINT", k.IdentityEndpoint)
	t.Setenv("IDENTITY_HEADER", k.identityHeader)
	miCred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}

	k.AzLogin("dev-user")
	t.Setenv("PATH", k.AzDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	azCred, _ := azidentity.NewAzureCLICredential(nil)

	for name, cred := range map[string]azcore.TokenCredential{"cert-sp": certCred, "aks-workload": wiCred, "vm-identity": miCred, "dev-user": azCred} {
		tok, err := cred.GetToken(ctx, acrScope)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		c := claims(t, tok.Token)
		if c["oid"] != k.Identity(name).ObjectID || c["aud"] != AudienceACR || c["tid"] != DefaultTenantID {
			t.Errorf("%s: claims %v", name, c)
		}
		if st, _ := exchange(t, k, k.Host("myregistry"), tok.Token); st != 200 {
			t.Errorf("%s: exchange = %d", name, st)
		}
	}
	az := k.Requests(Filter{Service: "az", Identity: "dev-user"})
	if len(az) != 1 || az[0].Audience != AudienceACR {
		t.Errorf("az calls = %v", az)
	}
	k.AzLogout()
	if _, err := azCred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}}); err == nil || !strings.Contains(err.Error(), "az login") {
		t.Errorf("az after logout: %v", err)
	}
}

func TestProxyRefusesWhatItDoesNotServe(t *testing.T) {
	k := Start(t, Options{})
	c := k.Client()
	for _, u := range []string{"https://example.com/", "https://unknownreg.azurecr.io/v2/", "http://instance-metadata.example/metadata/identity/oauth2/token"} {
		resp, err := c.Get(u)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode != 403 {
				t.Errorf("%s: %d, want refusal", u, resp.StatusCode)
			}
		}
	}
	log := k.Requests(Filter{Service: "proxy"})
	if len(log) != 3 || log[0].Status != 403 || log[1].Status != 502 || log[2].Error != "plain HTTP refused" {
		t.Errorf("proxy log = %v", log)
	}
	for _, f := range []ProxyFault{ProxyAuth, ProxyForbidden, ProxyBadGateway, ProxyEOF} {
		k.SetProxyFault(f)
		if resp, err := c.Get("https://" + k.Host("myregistry") + "/v2/"); err == nil {
			_ = resp.Body.Close()
			t.Errorf("proxy fault %s: request succeeded", f)
		}
	}
}

func hasError(rs []Request, code string) bool {
	for _, r := range rs {
		if r.Error == code {
			return true
		}
	}
	return false
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestABACRegistryGrantsOnlyRepositoryRoles(t *testing.T) {
	k := Start(t, Options{Registries: []Registry{{Name: "abacreg", ABAC: true,
		RepositoryRoles: map[string]map[string]Role{"ci-sp": {"team/app": RoleAcrPush}}}}})
	rt := refreshTokenFor(t, k, "abacreg", "ci-sp") // AcrPull/AcrPush do not apply, yet the exchange succeeds
	if _, ok := claims(t, rt)["aad_identity"]; !ok {
		t.Fatalf("no aad_identity claim in an ABAC registry's token: %v", claims(t, rt))
	}
	for repo, want := range map[string]string{"team/app": `["pull","push"]`, "other": `[]`} {
		form := url.Values{"grant_type": {"refresh_token"}, "service": {k.Host("abacreg")}, "refresh_token": {rt}, "scope": {"repository:" + repo + ":pull,push"}}
		resp, err := k.Client().PostForm("https://"+k.Host("abacreg")+"/oauth2/token", form)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		_ = resp.Body.Close()
		access := claims(t, body["access_token"].(string))["access"].([]any)
		if got := jsonString(access[0].(map[string]any)["actions"]); got != want {
			t.Errorf("%s: granted %s, want %s", repo, got, want)
		}
	}
}

// TestScopedTokensOnTheDataPlane: a repository-scoped token logs in with its password and gets what its scope
// map allows, through go-containerregistry's real token flow; a disabled token or an expired password does not.
func TestScopedTokensOnTheDataPlane(t *testing.T) {
	k := Start(t, Options{Registries: []Registry{{Name: "tokenreg", ARM: ARMConfig{Tokens: []ScopedToken{
		{Name: "reader", Password: "pw", Actions: []string{"repositories/hello/content/read"}},
		{Name: "off", Password: "pw", Disabled: true, Actions: []string{"repositories/hello/content/read"}},
		{Name: "stale", Password: "pw", PasswordExpiry: time.Now().Add(-time.Minute), Actions: []string{"repositories/hello/content/read"}},
	}}}}})
	if _, err := k.Seed("tokenreg", "hello:1"); err != nil {
		t.Fatal(err)
	}
	with := func(user, pass string) remote.Option {
		return remote.WithAuth(&authn.Basic{Username: user, Password: pass})
	}
	ref := func(s string) name.Reference {
		r, err := name.ParseReference(k.Host("tokenreg") + "/" + s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tr := remote.WithTransport(k.Client().Transport)
	if _, err := remote.Head(ref("hello:1"), tr, with("reader", "pw")); err != nil {
		t.Errorf("reader pulls hello: %v", err)
	}
	for _, tc := range []struct {
		what, repo, user, pass string
	}{
		{"another repository", "other:1", "reader", "pw"},
		{"a wrong password", "hello:1", "reader", "nope"},
		{"a disabled token", "hello:1", "off", "pw"},
		{"an expired password", "hello:1", "stale", "pw"},
	} {
		var terr *transport.Error
		if _, err := remote.Head(ref(tc.repo), tr, with(tc.user, tc.pass)); !errors.As(err, &terr) || terr.StatusCode != 401 {
			t.Errorf("%s: %v; want 401", tc.what, err)
		}
	}
	img, _ := random.Image(64, 1)
	if err := remote.Write(ref("hello:2"), img, tr, with("reader", "pw")); err == nil {
		t.Errorf("a read-only token pushed")
	}
}
