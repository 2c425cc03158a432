package acrtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
)

// EmptyGUID is the username that marks an ACR token as the password.
const EmptyGUID = "00000000-0000-0000-0000-000000000000"

const (
	acrIssuer            = "Azure Container Registry"
	refreshTokenLifetime = 11700 * time.Second // 3 h 15 min, as measured on real tokens
	accessTokenLifetime  = 75 * time.Minute
	msgAuthRequired      = "authentication required, visit https://aka.ms/acr/authorization for more information."
	msgThrottled         = "Too many requests. Please visit https://aka.ms/acr/skus#sku-feature-matrix to view limits of all service tiers."
)

// Registry configures one emulated registry.
type Registry struct {
	Name     string // the login server's first label: "myregistry" serves myregistry.azurecr.io
	Suffix   string // login-server suffix, default azurecr.io
	Scenario Scenario
	Roles    map[string]Role // identity name -> role; absent identities get the scenario's default role
	Region   string          // default eastus

	// DataEndpoint turns on dedicated data endpoints: blob downloads redirect to
	// <name>.<region>.data.<suffix>; otherwise they redirect to a storage account under blob.core.windows.net.
	DataEndpoint bool
	// BlockedDataHosts are data endpoint hosts the proxy refuses, as a firewall that allows some replicas only.
	BlockedDataHosts []string
	// AdminPassword enables the admin user (username = Name) with this password.
	AdminPassword string
	// ABAC puts the registry in "RBAC Registry + ABAC Repository Permissions" mode: AcrPull and AcrPush do not
	// apply, the exchange succeeds for any known identity (its token carries aad_identity), and only
	// RepositoryRoles (identity -> repository -> role) grant data-plane actions.
	ABAC            bool
	RepositoryRoles map[string]map[string]Role
	// Latency is added to every response of this registry.
	Latency time.Duration
	// ARM is the registry's resource in Azure Resource Manager.
	ARM ARMConfig
}

// Host is the registry's login server.
func (r Registry) Host() string { return r.Name + "." + r.Suffix }

// DataHost is where blob downloads are redirected.
func (r Registry) DataHost() string {
	if r.DataEndpoint {
		return r.Name + "." + r.Region + ".data." + r.Suffix
	}
	return "acr" + strings.ReplaceAll(r.Name, "-", "") + r.Region + ".blob.core.windows.net"
}

// DefaultRegistries is the set the demo and most tests use.
func DefaultRegistries() []Registry {
	return []Registry{
		{Name: "myregistry", Scenario: Healthy, DataEndpoint: true},
		{Name: "firewalled", Scenario: Firewall},
		{Name: "pullonly", Scenario: PullOnly},
	}
}

// registry is a running emulated registry.
type registry struct {
	kit     *Kit
	backend http.Handler

	mu       sync.Mutex
	cfg      Registry
	throttle time.Time // start of the current throttling window
}

func (reg *registry) config() Registry {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.cfg
}

func newRegistry(k *Kit, cfg Registry) *registry {
	if cfg.Suffix == "" {
		cfg.Suffix = "azurecr.io"
	}
	if cfg.Region == "" {
		cfg.Region = "eastus"
	}
	if cfg.Scenario == "" {
		cfg.Scenario = Healthy
	}
	return &registry{kit: k, cfg: cfg, backend: ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))}
}

func (reg *registry) roleOf(identity string) Role {
	cfg := reg.config()
	if r, ok := cfg.Roles[identity]; ok {
		return r
	}
	switch cfg.Scenario {
	case PullOnly:
		return RoleAcrPull
	case NoRole:
		return RoleNone
	}
	return RoleAcrPush
}

// acrHeaders are on every data-plane response of ACR.
func acrHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Docker-Distribution-Api-Version", "registry/2.0")
	h.Set("X-Ms-Correlation-Request-Id", randomID())
	h.Set("Access-Control-Expose-Headers", "Docker-Content-Digest, WWW-Authenticate, Link, X-Ms-Correlation-Request-Id")
	h.Set("Server", "openresty")
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	h.Set("X-Content-Type-Options", "nosniff")
}

func acrError(w http.ResponseWriter, status int, code, message string, detail any) {
	e := map[string]any{"code": code, "message": message}
	if detail != nil {
		e["detail"] = detail
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}

func (reg *registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cfg := reg.config()
	entry := &Request{Service: "registry", Host: cfg.Host(), Method: r.Method, Path: r.URL.Path, UserAgent: r.UserAgent()}
	entry.ClientIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		if rec.wrote {
			entry.Status = rec.status
		}
		reg.kit.log.add(*entry)
	}()
	if strings.HasPrefix(r.URL.Path, "/oauth2/") && r.Body != nil {
		// The token forms are small: read first, so that the server sees a client that goes away during the
		// latency (net/http watches the connection only once the body is read) and logs no exchange for it.
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if !sleepCtx(r, cfg.Latency) {
		entry.Error = "client gave up"
		return
	}
	acrHeaders(rec)
	switch cfg.Scenario {
	case Slow:
		sleepCtx(r, 2*time.Minute)
		entry.Error = "slow: no answer"
		return
	case ConnectionReset:
		entry.Error = "connection reset"
		resetConnection(w)
		return
	case Firewall, PublicAccessDisabled, PrivateEndpointOnly:
		entry.Error = "DENIED"
		acrError(rec, 403, "DENIED", fmt.Sprintf("client with IP '%s' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.", entry.ClientIP), nil)
		return
	case Throttled:
		entry.Error = "TOOMANYREQUESTS"
		rec.Header().Set("Retry-After", strconv.Itoa(reg.retryAfter()))
		acrError(rec, 429, "TOOMANYREQUESTS", msgThrottled, nil)
		return
	}
	switch {
	case r.URL.Path == "/oauth2/exchange":
		reg.exchange(rec, r, entry)
	case r.URL.Path == "/oauth2/token":
		reg.token(rec, r, entry)
	case r.URL.Path == "/v2/" || r.URL.Path == "/v2":
		reg.base(rec, r, entry)
	case strings.HasPrefix(r.URL.Path, "/v2/"):
		reg.resource(rec, r, entry)
	default:
		entry.Error = "NOT_FOUND"
		acrError(rec, 404, "NOT_FOUND", "not found", nil)
	}
}

// retryAfter counts down the seconds left in a 60-second throttling window, as ACR does.
func (reg *registry) retryAfter() int {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if time.Since(reg.throttle) >= time.Minute {
		reg.throttle = time.Now()
	}
	return max(1, int((time.Minute-time.Since(reg.throttle)).Seconds()+0.999))
}

func (reg *registry) challenge(w http.ResponseWriter, scope, errAttr string) {
	host := reg.config().Host()
	v := fmt.Sprintf(`Bearer realm="https://%s/oauth2/token",service="%s"`, host, host)
	if scope != "" {
		v += fmt.Sprintf(`,scope="%s"`, scope)
	}
	if errAttr != "" {
		v += fmt.Sprintf(`,error="%s"`, errAttr)
	}
	w.Header().Set("Www-Authenticate", v)
}

// base answers GET /v2/: the challenge, or 200 for a valid token.
func (reg *registry) base(w http.ResponseWriter, r *http.Request, entry *Request) {
	if tok, ok := bearer(r); ok {
		entry.Grant = "bearer"
		claims, err := reg.verifyACRToken(tok, "")
		if err == nil {
			entry.Identity = reg.kit.identityNameBySub(claimString(claims, "sub"))
			writeJSON(w, 200, map[string]any{})
			return
		}
		entry.Error = "invalid_token"
		reg.challenge(w, "", "invalid_token")
	} else {
		reg.challenge(w, "", "")
	}
	acrError(w, 401, "UNAUTHORIZED", msgAuthRequired, nil)
}

var resourcePath = regexp.MustCompile(`^/v2/(.+?)/(manifests|blobs|tags|referrers)/(.*)$`)

// resource authorizes a repository request against the bearer token's access claim, then hands it to the
// real registry, except blob downloads, which redirect to the data endpoint like ACR's.
func (reg *registry) resource(w http.ResponseWriter, r *http.Request, entry *Request) {
	typ, name, action := "registry", "catalog", "*"
	m := resourcePath.FindStringSubmatch(r.URL.Path)
	if r.URL.Path != "/v2/_catalog" {
		if m == nil {
			entry.Error = "NAME_INVALID"
			acrError(w, 404, "NAME_INVALID", "invalid repository name", nil)
			return
		}
		typ, name = "repository", m[1]
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			action = "pull"
		case http.MethodDelete:
			action = "delete"
		default:
			action = "push"
		}
	}
	entry.Scope = typ + ":" + name + ":" + action
	detail := []any{map[string]any{"Type": typ, "Name": name, "Action": action}}
	tok, ok := bearer(r)
	if !ok {
		reg.challenge(w, entry.Scope, "")
		entry.Error = "UNAUTHORIZED"
		acrError(w, 401, "UNAUTHORIZED", msgAuthRequired, detail)
		return
	}
	entry.Grant = "bearer"
	claims, err := reg.verifyACRToken(tok, "")
	if err != nil {
		reg.challenge(w, entry.Scope, "invalid_token")
		entry.Error = "invalid_token"
		acrError(w, 401, "UNAUTHORIZED", msgAuthRequired, detail)
		return
	}
	entry.Identity = reg.kit.identityNameBySub(claimString(claims, "sub"))
	if !granted(claims, typ, name, action) {
		reg.challenge(w, entry.Scope, "insufficient_scope")
		entry.Error = "insufficient_scope"
		acrError(w, 401, "UNAUTHORIZED", msgAuthRequired, detail)
		return
	}
	if m != nil && m[2] == "blobs" && r.Method == http.MethodGet && strings.HasPrefix(m[3], "sha256:") {
		http.Redirect(w, r, reg.signedBlobURL(name, m[3]), http.StatusTemporaryRedirect)
		return
	}
	reg.backend.ServeHTTP(w, r)
}

// granted reports whether an access token's access claim allows action on type:name.
func granted(claims jwt.MapClaims, typ, name, action string) bool {
	list, _ := claims["access"].([]any)
	for _, a := range list {
		m, _ := a.(map[string]any)
		if m["type"] != typ || m["name"] != name {
			continue
		}
		acts, _ := m["actions"].([]any)
		for _, x := range acts {
			if x == action || x == "*" {
				return true
			}
		}
	}
	return false
}

// signedBlobURL is the redirect target of a blob download: a time-limited, signed URL on the data host.
func (reg *registry) signedBlobURL(repo, digest string) string {
	cfg := reg.config()
	hexDigest := strings.TrimPrefix(digest, "sha256:")
	path := "/docker/registry/v2/blobs/sha256/" + hexDigest[:2] + "/" + hexDigest + "/data"
	se := time.Now().Add(20 * time.Minute).UTC().Format(time.RFC3339)
	q := url.Values{"sv": {"2018-03-28"}, "sr": {"b"}, "sp": {"r"}, "se": {se}, "repo": {repo}}
	q.Set("sig", reg.kit.sign(cfg.DataHost()+path+se+repo))
	return "https://" + cfg.DataHost() + path + "?" + q.Encode()
}

// serveData serves a signed blob download on the data host, as a storage account would.
func (reg *registry) serveData(w http.ResponseWriter, r *http.Request) {
	cfg := reg.config()
	entry := Request{Service: "data", Host: cfg.DataHost(), Method: r.Method, Path: r.URL.Path}
	q := r.URL.Query()
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/docker/registry/v2/blobs/sha256/"), "/")
	se, err := time.Parse(time.RFC3339, q.Get("se"))
	switch {
	case r.Header.Get("Authorization") != "":
		entry.Status, entry.Error = 400, "InvalidAuthenticationInfo"
		reg.kit.log.add(entry)
		storageError(w, 400, "InvalidAuthenticationInfo", "Authentication information is not given in the correct format. Check the value of Authorization header.")
		return
	case len(parts) != 3 || err != nil || time.Now().After(se) ||
		!hmac.Equal([]byte(q.Get("sig")), []byte(reg.kit.sign(cfg.DataHost()+r.URL.Path+q.Get("se")+q.Get("repo")))):
		entry.Status, entry.Error = 403, "AuthenticationFailed"
		reg.kit.log.add(entry)
		storageError(w, 403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
		return
	}
	inner := r.Clone(r.Context())
	inner.URL = &url.URL{Path: "/v2/" + q.Get("repo") + "/blobs/sha256:" + parts[1]}
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	reg.backend.ServeHTTP(rec, inner)
	entry.Status = rec.status
	reg.kit.log.add(entry)
}

func storageError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>%s</Code><Message>%s\nRequestId:%s\nTime:%s</Message></Error>",
		code, msg, randomID(), time.Now().UTC().Format(time.RFC3339Nano))
}

func (k *Kit) sign(s string) string {
	mac := hmac.New(sha256.New, k.dataKey)
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// verifyACRToken checks an ACR token this registry issued; wantGrant, when set, is the grant_type it must carry.
func (reg *registry) verifyACRToken(raw, wantGrant string) (jwt.MapClaims, error) {
	claims, err := reg.kit.signer.verify(raw, &reg.kit.acrKey.PublicKey)
	if err != nil {
		return nil, err
	}
	if claimString(claims, "iss") != acrIssuer || claimString(claims, "aud") != reg.config().Host() {
		return nil, fmt.Errorf("token issued for another registry")
	}
	if wantGrant != "" && claimString(claims, "grant_type") != wantGrant {
		return nil, fmt.Errorf("not a %s", wantGrant)
	}
	return claims, nil
}

// principal is who an ACR token is for.
type principal struct {
	name    string // kit identity name, registry name for the admin user, "" for anonymous
	sub     string
	tenant  string
	appID   string
	actions []string // refresh-token permissions: read, write, delete...
	abac    bool     // rights come from repository roles, looked up when an access token is asked for
	token   string   // a repository-scoped token: rights come from its scope map
}

func (reg *registry) mintRefreshToken(p principal, lifetime time.Duration) (string, error) {
	issued := time.Now()
	if reg.config().Scenario == ExpiredTokens {
		issued = issued.Add(-lifetime - time.Minute)
	}
	return reg.signRefreshToken(p, issued, lifetime)
}

// signRefreshToken issues an ACR refresh token with ACR's claims.
func (reg *registry) signRefreshToken(p principal, issued time.Time, lifetime time.Duration) (string, error) {
	claims := map[string]any{
		"jti": randomID(), "sub": p.sub, "nbf": issued.Unix(), "iat": issued.Unix(), "exp": issued.Add(lifetime).Unix(),
		"iss": acrIssuer, "aud": reg.config().Host(), "version": "1.0", "rid": stableUUID("rid:" + reg.config().Name)[:32],
		"grant_type": "refresh_token", "appid": p.appID, "tenant": p.tenant,
		"permissions": map[string]any{"Actions": p.actions, "NotActions": nil}, "roles": []any{},
	}
	if p.abac {
		claims["aad_identity"] = p.sub // its presence marks an ABAC registry
	}
	if p.token != "" {
		claims["token_name"] = p.token
	}
	return reg.kit.signer.sign(reg.kit.acrKey, claims)
}

// mintAccessToken grants the requested scopes intersected with the principal's permissions, as ACR does.
func (reg *registry) mintAccessToken(p principal, scopes []string, anonymous bool) (string, error) {
	var access []any
	for _, s := range scopes {
		i, j := strings.Index(s, ":"), strings.LastIndex(s, ":")
		if i < 0 || i == j {
			continue
		}
		typ, name, want := s[:i], s[i+1:j], strings.Split(s[j+1:], ",")
		perms := p.actions
		switch {
		case p.abac:
			perms = reg.config().RepositoryRoles[p.name][name].actions()
		case p.token != "" && typ == "repository":
			perms = reg.config().token(p.token).repositoryActions(name)
		case p.token != "":
			perms = nil
		}
		var got []string
		for _, a := range want {
			if allowed(perms, typ, a, anonymous) {
				got = append(got, a)
			}
		}
		access = append(access, map[string]any{"type": typ, "name": name, "actions": append([]string{}, got...)})
	}
	now := time.Now()
	if reg.config().Scenario == ExpiredTokens {
		now = now.Add(-accessTokenLifetime - time.Minute)
	}
	claims := map[string]any{
		"jti": randomID(), "sub": p.sub, "nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(accessTokenLifetime).Unix(),
		"iss": acrIssuer, "aud": reg.config().Host(), "version": "1.0", "grant_type": "access_token",
		"access": access, "roles": []any{},
	}
	return reg.kit.signer.sign(reg.kit.acrKey, claims)
}

func allowed(perms []string, typ, action string, anonymous bool) bool {
	if anonymous {
		return typ == "repository" && (action == "pull" || action == "metadata_read")
	}
	need := map[string]string{"pull": "read", "metadata_read": "read", "push": "write", "metadata_write": "write", "delete": "delete", "*": "read"}[action]
	if typ == "registry" && action != "*" {
		return false
	}
	return need != "" && (slices.Contains(perms, need) || slices.Contains(perms, "*"))
}

func (reg *registry) principalFor(id *Identity) principal {
	sub := id.ObjectID
	if id.Kind == UserIdentity || id.Kind == DeveloperCLIUser {
		sub = id.Name + "@contoso.example"
	}
	if reg.config().ABAC {
		return principal{name: id.Name, sub: sub, tenant: id.TenantID, appID: id.ClientID, abac: true}
	}
	actions := reg.roleOf(id.Name).actions()
	for _, r := range reg.config().ARM.Roles[id.Name] {
		for _, a := range r.actions() {
			if !slices.Contains(actions, a) {
				actions = append(actions, a)
			}
		}
	}
	return principal{name: id.Name, sub: sub, tenant: id.TenantID, appID: id.ClientID, actions: actions}
}

// exchange is POST /oauth2/exchange: an Entra access token for an ACR refresh token.
func (reg *registry) exchange(w http.ResponseWriter, r *http.Request, entry *Request) {
	if r.Method != http.MethodPost {
		entry.Error = "NOT_FOUND"
		acrError(w, 404, "NOT_FOUND", "the /oauth2/exchange endpoint only supports POST", nil)
		return
	}
	_ = r.ParseForm()
	entry.Grant = r.PostForm.Get("grant_type")
	if g := entry.Grant; g != "access_token" && g != "access_token_refresh_token" {
		entry.Error = "UNSUPPORTED_GRANT_TYPE"
		acrError(w, 400, "UNSUPPORTED_GRANT_TYPE", "grant_type must be access_token", nil)
		return
	}
	claims, err := reg.kit.signer.verify(r.PostForm.Get("access_token"), &reg.kit.entraKey.PublicKey)
	if err != nil {
		entry.Error = "UNAUTHORIZED"
		acrError(w, 401, "UNAUTHORIZED", "token validation failed", nil)
		return
	}
	aud := claimString(claims, "aud")
	entry.Audience = aud
	entry.Tenant = r.PostForm.Get("tenant")
	id := reg.kit.identityByObjectID(claimString(claims, "oid"))
	if id != nil {
		entry.Identity = id.Name
	}
	if t := entry.Tenant; t != "" && t != claimString(claims, "tid") {
		// ACR validates the token against the tenant the client names: another tenant's token is refused.
		entry.Error = "UNAUTHORIZED"
		acrError(w, 401, "UNAUTHORIZED", "token validation failed", nil)
		return
	}
	if id == nil || (isARMAudience(aud) && reg.config().Scenario == ARMAudienceDisabled) || (aud != AudienceACR && !isARMAudience(aud)) {
		entry.Error = "UNAUTHORIZED"
		acrError(w, 401, "UNAUTHORIZED", "token validation failed", nil)
		return
	}
	p := reg.principalFor(id)
	if len(p.actions) == 0 && !p.abac {
		entry.Error = "UNAUTHORIZED"
		acrError(w, 401, "UNAUTHORIZED", msgAuthRequired, nil)
		return
	}
	rt, err := reg.mintRefreshToken(p, refreshTokenLifetime)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	writeJSON(w, 200, map[string]any{"refresh_token": rt})
}

// token is /oauth2/token: GET with Basic auth (docker login), or POST with a refresh_token or password grant.
func (reg *registry) token(w http.ResponseWriter, r *http.Request, entry *Request) {
	_ = r.ParseForm()
	scopes := scopesOf(r)
	entry.Scope = strings.Join(scopes, " ")
	var (
		p       principal
		anon    bool
		offline = r.Form.Get("offline_token") == "true"
		failMsg = msgAuthRequired
		ok      bool
	)
	switch {
	case r.Method == http.MethodPost && r.PostForm.Get("grant_type") == "refresh_token":
		entry.Grant = "refresh_token"
		p, ok = reg.principalFromToken(r.PostForm.Get("refresh_token"))
	case r.Method == http.MethodPost && r.PostForm.Get("grant_type") == "password":
		entry.Grant = "password"
		user, pass := r.PostForm.Get("username"), r.PostForm.Get("password")
		if user == "" && pass == "" {
			entry.Grant, anon, ok = "anonymous", true, reg.config().Scenario == AnonymousPull
		} else {
			p, ok, failMsg = reg.principalFromBasic(user, pass)
		}
	case r.Method == http.MethodGet:
		user, pass, hasBasic := r.BasicAuth()
		if !hasBasic {
			entry.Grant, anon, ok = "anonymous", true, reg.config().Scenario == AnonymousPull
			break
		}
		entry.Grant = "basic"
		p, ok, failMsg = reg.principalFromBasic(user, pass)
		if !ok {
			entry.Identity = user
		}
	default:
		entry.Error = "UNSUPPORTED_GRANT_TYPE"
		acrError(w, 400, "UNSUPPORTED_GRANT_TYPE", "unsupported grant_type", nil)
		return
	}
	if !ok {
		entry.Error = "UNAUTHORIZED"
		acrError(w, 401, "UNAUTHORIZED", failMsg, nil)
		return
	}
	if entry.Identity == "" {
		entry.Identity = p.name
	}
	at, err := reg.mintAccessToken(p, scopes, anon)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	body := map[string]any{"access_token": at}
	if offline && !anon {
		rt, err := reg.mintRefreshToken(p, refreshTokenLifetime)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		body["refresh_token"] = rt
	}
	writeJSON(w, 200, body)
}

func scopesOf(r *http.Request) []string {
	var out []string
	for _, s := range r.Form["scope"] {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

func (reg *registry) principalFromToken(raw string) (principal, bool) {
	claims, err := reg.verifyACRToken(raw, "refresh_token")
	if err != nil {
		return principal{}, false
	}
	if name := claimString(claims, "token_name"); name != "" {
		return reg.tokenPrincipal(name) // a disabled token's refresh tokens stop working too
	}
	var actions []string
	if perms, ok := claims["permissions"].(map[string]any); ok {
		for k, v := range perms {
			if strings.EqualFold(k, "actions") {
				list, _ := v.([]any)
				for _, a := range list {
					if s, ok := a.(string); ok {
						actions = append(actions, s)
					}
				}
			}
		}
	}
	sub := claimString(claims, "sub")
	_, abac := claims["aad_identity"]
	return principal{name: reg.kit.identityNameBySub(sub), sub: sub, tenant: claimString(claims, "tenant"),
		appID: claimString(claims, "appid"), actions: actions, abac: abac}, true
}

// principalFromBasic accepts what ACR accepts as a username and password: the empty GUID with an ACR
// refresh token, the admin user, or a service principal's app id and secret.
func (reg *registry) principalFromBasic(user, pass string) (principal, bool, string) {
	cfg := reg.config()
	switch {
	case user == EmptyGUID:
		p, ok := reg.principalFromToken(pass)
		return p, ok, msgAuthRequired
	case cfg.AdminPassword != "" && user == cfg.Name:
		ok := pass == cfg.AdminPassword
		return principal{name: cfg.Name, sub: cfg.Name, actions: RoleOwner.actions()}, ok, msgAuthRequired
	case cfg.token(user) != nil:
		p, ok := reg.tokenPrincipal(user)
		return p, ok && pass == cfg.token(user).Password, msgAuthRequired
	}
	if id := reg.kit.identityByClientID(user); id != nil && id.Kind == ServicePrincipal {
		if pass != id.Secret || id.SecretExpired {
			return principal{}, false, msgAuthRequired
		}
		p := reg.principalFor(id)
		return p, len(p.actions) > 0, msgAuthRequired
	}
	return principal{}, false, "Application not registered with AAD."
}

// tokenPrincipal is a repository-scoped token that may log in now: enabled, its password not expired.
func (reg *registry) tokenPrincipal(name string) (principal, bool) {
	t := reg.config().token(name)
	if t == nil || t.Disabled || (!t.PasswordExpiry.IsZero() && time.Now().After(t.PasswordExpiry)) {
		return principal{}, false
	}
	return principal{name: t.Name, sub: t.Name, token: t.Name}, true
}

// repositoryActions are the refresh-token permissions a scope map gives on repo: read, write, delete.
func (t *ScopedToken) repositoryActions(repo string) []string {
	var out []string
	if t == nil {
		return nil
	}
	for _, a := range t.Actions {
		rest, ok := strings.CutPrefix(a, "repositories/")
		if !ok {
			continue
		}
		i := strings.Index(rest, "/content/")
		if i < 0 {
			i = strings.Index(rest, "/metadata/")
		}
		if i < 0 {
			continue
		}
		pattern, verb := rest[:i], rest[strings.LastIndexByte(rest, '/')+1:]
		if pattern == repo || pattern == "*" || (strings.HasSuffix(pattern, "/*") && strings.HasPrefix(repo, strings.TrimSuffix(pattern, "*"))) {
			out = append(out, verb)
		}
	}
	return out
}

// RefreshToken mints an ACR refresh token of the named registry for an identity, as the exchange would,
// valid for ttl from now (negative: already expired). Tests use it to store stale or foreign tokens.
func (k *Kit) RefreshToken(registryName, identity string, ttl time.Duration) string {
	reg := k.registries[registryName]
	id := k.identity(identity)
	if reg == nil || id == nil {
		panic("acrtest: unknown registry or identity")
	}
	tok, err := reg.signRefreshToken(reg.principalFor(id), time.Now().Add(ttl-refreshTokenLifetime), refreshTokenLifetime)
	if err != nil {
		panic(err)
	}
	return tok
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool // an answer went out (slow and reset scenarios send none)
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status, s.wrote = code, true
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// sleepCtx waits d unless the client goes away first; it reports whether the wait completed.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// resetConnection closes the client's connection with a TCP RST.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	raw := conn
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		raw = nc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}
