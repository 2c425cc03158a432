package acrtest

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const entraHost = "login.microsoftonline.com"

// azureCLIAppID is the Azure CLI's public client id, which Entra writes as appid in user tokens it issues.
const azureCLIAppID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// entraError is an Entra ID OAuth error, in the shape Entra ID answers with.
type entraError struct {
	status int
	code   string // OAuth error, e.g. invalid_client
	aadsts string // e.g. AADSTS7000215
	text   string
}

func (e *entraError) write(w http.ResponseWriter) {
	code := strings.TrimPrefix(e.aadsts, "AADSTS")
	var n int
	_, _ = fmt.Sscan(code, &n)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error":             e.code,
		"error_description": e.aadsts + ": " + e.text + "\r\nTrace ID: " + randomID() + "\r\nCorrelation ID: " + randomID() + "\r\nTimestamp: " + time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		"error_codes":       []int{n},
		"timestamp":         time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		"trace_id":          randomID(),
		"correlation_id":    randomID(),
	})
}

// audienceFor turns an OAuth scope or v1 resource into the aud claim Entra ID would issue, and whether the
// fake knows the resource.
func audienceFor(scope string) (string, bool) {
	for _, s := range strings.Fields(scope) {
		res := strings.TrimSuffix(s, "/.default")
		switch res {
		case "openid", "offline_access", "profile":
			continue
		case AudienceACR, AudienceACR + "/":
			return AudienceACR, true
		case "https://management.core.windows.net", "https://management.core.windows.net/":
			return AudienceARM, true
		case "https://management.azure.com", "https://management.azure.com/":
			return "https://management.azure.com", true
		case audienceLogs, audienceLogs + "/":
			return audienceLogs, true
		default:
			return res, false
		}
	}
	return "", false
}

func isARMAudience(aud string) bool {
	return strings.HasPrefix(aud, "https://management.")
}

// mintEntraToken issues an Entra access token for id with the given audience.
func (k *Kit) mintEntraToken(id *Identity, aud string, ttl time.Duration) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"aud": aud, "iss": "https://sts.windows.net/" + id.TenantID + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
		"tid": id.TenantID, "oid": id.ObjectID, "sub": id.ObjectID, "ver": "1.0",
		"appid": id.ClientID, "idtyp": "app", "uti": randomID(),
	}
	if id.Kind == UserIdentity || id.Kind == DeveloperCLIUser {
		claims["appid"] = azureCLIAppID
		claims["idtyp"] = "user"
		claims["upn"] = id.Name + "@contoso.example"
		claims["name"] = id.Name
	}
	if id.Kind == ManagedIdentity {
		claims["xms_mirid"] = id.ResourceID()
	}
	return k.signer.sign(k.entraKey, claims)
}

// EntraToken mints an Entra access token for the named identity, as Entra ID would issue it, for tests that
// need one without a round trip. A negative ttl gives an expired token.
func (k *Kit) EntraToken(identity, audience string, ttl time.Duration) string {
	id := k.identity(identity)
	if id == nil {
		panic("acrtest: unknown identity " + identity)
	}
	tok, err := k.mintEntraToken(id, audience, ttl)
	if err != nil {
		panic(err)
	}
	return tok
}

func (k *Kit) entraHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := "https://" + r.Host + "/" + r.PathValue("tenant")
		k.log.add(Request{Service: "entra", Host: r.Host, Method: r.Method, Path: r.URL.Path, Status: 200})
		writeJSON(w, 200, map[string]any{
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
			"issuer":                                "https://" + r.Host + "/{tenantid}/v2.0",
			"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
			"jwks_uri":                              "https://" + r.Host + "/" + r.PathValue("tenant") + "/discovery/v2.0/keys",
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		})
	})
	mux.HandleFunc("GET /common/discovery/instance", func(w http.ResponseWriter, r *http.Request) {
		k.log.add(Request{Service: "entra", Host: r.Host, Method: r.Method, Path: r.URL.Path, Status: 200})
		writeJSON(w, 200, map[string]any{
			"tenant_discovery_endpoint": "https://" + r.Host + "/common/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []any{map[string]any{"preferred_network": r.Host, "preferred_cache": r.Host, "aliases": []string{r.Host}}},
		})
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", k.entraToken)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		k.log.add(Request{Service: "entra", Host: r.Host, Method: r.Method, Path: r.URL.Path, Status: 404})
		http.NotFound(w, r)
	})
	return mux
}

func (k *Kit) entraToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	entry := Request{Service: "entra", Host: r.Host, Method: r.Method, Path: r.URL.Path, Grant: r.PostForm.Get("grant_type")}
	id, aud, eerr := k.authenticateClient(r.PathValue("tenant"), r.PostForm)
	if id != nil {
		entry.Identity = id.Name
	}
	entry.Audience = aud
	if eerr != nil {
		entry.Status, entry.Error = eerr.status, eerr.aadsts
		k.log.add(entry)
		eerr.write(w)
		return
	}
	tok, err := k.mintEntraToken(id, aud, time.Hour)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	entry.Status = 200
	k.log.add(entry)
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
}

// authenticateClient applies Entra ID's checks to a client credentials request, in the order Entra ID
// reports them: the app, the credential, then the resource.
func (k *Kit) authenticateClient(tenant string, form url.Values) (*Identity, string, *entraError) {
	clientID := form.Get("client_id")
	id := k.identityByClientID(clientID)
	if id == nil || (tenant != id.TenantID && tenant != "organizations") {
		return nil, "", &entraError{400, "unauthorized_client", "AADSTS700016", fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant)}
	}
	if form.Get("grant_type") != "client_credentials" {
		return id, "", &entraError{400, "unsupported_grant_type", "AADSTS70003", "The app requested an unsupported grant type."}
	}
	switch {
	case form.Get("client_secret") != "":
		if id.Kind != ServicePrincipal || form.Get("client_secret") != id.Secret {
			return id, "", &entraError{401, "invalid_client", "AADSTS7000215", fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", id.ClientID)}
		}
		if id.SecretExpired {
			return id, "", &entraError{401, "invalid_client", "AADSTS7000222", fmt.Sprintf("The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", id.ClientID)}
		}
	case form.Get("client_assertion") != "":
		if err := k.verifyAssertion(id, form.Get("client_assertion")); err != nil {
			return id, "", err
		}
	default:
		return id, "", &entraError{401, "invalid_client", "AADSTS7000218", "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	aud, known := audienceFor(form.Get("scope"))
	if !known || (aud == AudienceACR && id.NoACRAudience) {
		res := strings.TrimSuffix(strings.Fields(form.Get("scope") + " ?")[0], "/.default")
		return id, aud, &entraError{400, "invalid_resource", "AADSTS500011", fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", res, id.TenantID)}
	}
	return id, aud, nil
}

func (k *Kit) verifyAssertion(id *Identity, assertion string) *entraError {
	var key *rsa.PublicKey
	switch id.Kind {
	case CertificatePrincipal:
		cert, err := parseCertificate(id.certDER)
		if err != nil {
			return &entraError{500, "server_error", "AADSTS90000", err.Error()}
		}
		key, _ = cert.PublicKey.(*rsa.PublicKey)
	case WorkloadIdentity:
		key = &k.federationKey.PublicKey
	default:
		return &entraError{401, "invalid_client", "AADSTS700027", "Client assertion contains an invalid signature."}
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"RS256", "PS256"}))
	if err != nil {
		if id.Kind == WorkloadIdentity && strings.Contains(err.Error(), "expired") {
			return &entraError{400, "invalid_client", "AADSTS700024", "Client assertion is not within its valid time range."}
		}
		return &entraError{401, "invalid_client", "AADSTS700027", "Client assertion contains an invalid signature. [Reason - The key was not found.]"}
	}
	if id.Kind == WorkloadIdentity {
		return checkFederatedCredential(id, claims)
	}
	return nil
}

// checkFederatedCredential matches a federated assertion (a workload identity token file, a service
// account token the kubelet passed) against the identity's federated credential: issuer, subject and
// audience, each refused with the code Entra ID answers.
func checkFederatedCredential(id *Identity, claims jwt.MapClaims) *entraError {
	if iss := claimString(claims, "iss"); iss != FederationIssuer {
		return &entraError{400, "invalid_request", "AADSTS700211", fmt.Sprintf("No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", iss)}
	}
	if sub := claimString(claims, "sub"); sub != id.FederatedSubject {
		return &entraError{400, "invalid_request", "AADSTS70021", fmt.Sprintf("No matching federated identity record found for presented assertion subject '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", sub)}
	}
	auds, _ := claims.GetAudience()
	if !slices.Contains(auds, FederationAudience) {
		return &entraError{400, "invalid_request", "AADSTS700212", fmt.Sprintf("No matching federated identity record found for presented assertion audience '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", strings.Join(auds, ","))}
	}
	return nil
}

// managedIdentityHandler serves the App Service style managed identity endpoint (IDENTITY_ENDPOINT).
func (k *Kit) managedIdentityHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	entry := Request{Service: "managed-identity", Host: r.Host, Method: r.Method, Path: r.URL.Path, Grant: "managed_identity"}
	fail := func(status int, msg string) {
		entry.Status, entry.Error = status, msg
		k.log.add(entry)
		writeJSON(w, status, map[string]any{"statusCode": status, "message": msg})
	}
	if r.Header.Get("X-IDENTITY-HEADER") != k.identityHeader {
		fail(401, "missing or wrong X-IDENTITY-HEADER")
		return
	}
	// A request naming no identity gets the system-assigned one: the first managed identity of the kit.
	clientID, resourceID := q.Get("client_id"), q.Get("mi_res_id")+q.Get("msi_res_id")
	var id *Identity
	for i := range k.identities {
		c := &k.identities[i]
		if c.Kind == ManagedIdentity && (clientID == "" || clientID == c.ClientID) &&
			(resourceID == "" || strings.EqualFold(resourceID, c.ResourceID())) {
			id = c
			break
		}
	}
	if id == nil {
		fail(400, "No managed identity matches client_id "+clientID+" or resource id "+resourceID)
		return
	}
	entry.Identity = id.Name
	aud, known := audienceFor(q.Get("resource"))
	entry.Audience = aud
	if !known || (aud == AudienceACR && id.NoACRAudience) {
		fail(400, "AADSTS500011: The resource principal named "+q.Get("resource")+" was not found in the tenant")
		return
	}
	tok, err := k.mintEntraToken(id, aud, time.Hour)
	if err != nil {
		fail(500, err.Error())
		return
	}
	entry.Status = 200
	k.log.add(entry)
	writeJSON(w, 200, map[string]any{"access_token": tok, "expires_on": fmt.Sprint(time.Now().Add(time.Hour).Unix()),
		"resource": q.Get("resource"), "token_type": "Bearer", "client_id": id.ClientID})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
