package acrtest

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The fake Azure Resource Manager answers the reads acrcheck makes (the ACR protocol reference, 4):
// the registry resource, its replications, tokens and scope maps, role assignments and definitions,
// diagnostic settings, subscriptions and Resource Graph; and the generic resource list the Azure CLI reads.
// Responses have the shape of the real API: resource ids, properties, `value` lists with nextLink paging,
// and ARM's error body.
const armHost = "management.azure.com"

// DefaultSubscriptionID is the subscription of registries that name none, and the fake az's account.
var DefaultSubscriptionID = stableUUID("sub")

// armPageSize is small so that every list is paged, as real lists of a large tenant are.
const armPageSize = 2

// ARMConfig is a registry's resource in Azure Resource Manager. The zero value is a Premium registry in
// DefaultSubscriptionID, resource group "rg-<name>", with the network settings its scenario implies.
type ARMConfig struct {
	Subscription  string
	ResourceGroup string
	SKU           string   // default Premium
	Replicas      []string // regions besides the home region; each has a data endpoint when DataEndpoint is set
	// IPRules are the allowed addresses of the Firewall scenario (default 203.0.113.0/24: not this machine).
	IPRules          []string
	TrustedServices  bool              // networkRuleBypassOptions AzureServices
	PrivateEndpoints []PrivateEndpoint // the PrivateEndpointOnly scenario defaults to one Approved connection
	// Roles are more role assignments, at the resource group: identity name -> roles. A control-plane role
	// (Reader, Contributor, Owner) lets the identity read the registry's configuration.
	Roles  map[string][]Role
	Tokens []ScopedToken
	// LoginEvents sends ContainerRegistryLoginEvents to a Log Analytics workspace (a diagnostic setting).
	LoginEvents bool
}

// PrivateEndpoint is a private endpoint connection of a registry.
type PrivateEndpoint struct {
	Name  string
	State string // Approved, Pending, Rejected, Disconnected
}

// ScopedToken is a repository-scoped token of a registry: `docker login -u <Name> -p <Password>`.
type ScopedToken struct {
	Name, Password string
	Disabled       bool
	ScopeMap       string    // default "<name>-scope-map"
	Actions        []string  // scope map actions, e.g. repositories/hello/content/read
	PasswordExpiry time.Time // zero: never
}

// resourceName is the ARM name behind the login server: a domain-name-label login server
// (myregistry-h4shabcd.azurecr.io) belongs to a registry named myregistry.
func (r Registry) resourceName() string {
	name, _, _ := strings.Cut(r.Name, "-")
	return name
}

func (r Registry) subscription() string {
	if r.ARM.Subscription != "" {
		return r.ARM.Subscription
	}
	return DefaultSubscriptionID
}

func (r Registry) resourceGroup() string {
	if r.ARM.ResourceGroup != "" {
		return r.ARM.ResourceGroup
	}
	return "rg-" + r.resourceName()
}

// ResourceID is the registry's Azure resource id.
func (r Registry) ResourceID() string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s", r.subscription(), r.resourceGroup(), r.resourceName())
}

func (r Registry) ipRules() []string {
	if r.ARM.IPRules == nil && r.Scenario == Firewall {
		return []string{"203.0.113.0/24"}
	}
	return r.ARM.IPRules
}

func (r Registry) privateEndpoints() []PrivateEndpoint {
	if r.ARM.PrivateEndpoints == nil && r.Scenario == PrivateEndpointOnly {
		return []PrivateEndpoint{{Name: "pe-" + r.resourceName() + "-vnet", State: "Approved"}}
	}
	return r.ARM.PrivateEndpoints
}

func (r Registry) token(name string) *ScopedToken {
	for i := range r.ARM.Tokens {
		if strings.EqualFold(r.ARM.Tokens[i].Name, name) {
			t := r.ARM.Tokens[i]
			if t.ScopeMap == "" {
				t.ScopeMap = t.Name + "-scope-map"
			}
			return &t
		}
	}
	return nil
}

// regions is the home region then the replicas.
func (r Registry) regions() []string { return append([]string{r.Region}, r.ARM.Replicas...) }

// dataHosts are the dedicated data endpoints of every region.
func (r Registry) dataHosts() []string {
	if !r.DataEndpoint {
		return nil
	}
	var out []string
	for _, region := range r.regions() {
		out = append(out, r.Name+"."+region+".data."+r.Suffix)
	}
	return out
}

// isDataHost says whether host serves the registry's blob downloads: its storage account or the data
// endpoint of any of its replicas.
func (r Registry) isDataHost(host string) bool {
	return host == r.DataHost() || slices.Contains(r.dataHosts(), host)
}

// Built-in role definition ids (Azure's). The ABAC repository roles get the kit's own stable ids.
var roleDefinitionIDs = map[Role]string{
	RoleAcrPull:     "7f951dda-4ed3-4680-a7ca-43fe172d538d",
	RoleAcrPush:     "8311e382-0749-4cb8-b61a-304f252e45ec",
	RoleReader:      "acdd72a7-3385-48ef-bd42-f606fba81ae7",
	RoleContributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
	RoleOwner:       "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
}

func roleDefinitionID(role string) string {
	if id, ok := roleDefinitionIDs[Role(role)]; ok {
		return id
	}
	return stableUUID("role:" + role)
}

func roleByDefinitionID(id string) (string, bool) {
	for _, r := range []string{string(RoleAcrPull), string(RoleAcrPush), string(RoleReader), string(RoleContributor), string(RoleOwner),
		string(RoleConfigReader), repoRoleReader, repoRoleWriter, repoRoleContributor} {
		if strings.EqualFold(roleDefinitionID(r), id) {
			return r, true
		}
	}
	return "", false
}

const (
	repoRoleReader      = "Container Registry Repository Reader"
	repoRoleWriter      = "Container Registry Repository Writer"
	repoRoleContributor = "Container Registry Repository Contributor"
)

// assignment is a role assignment as ARM lists it.
type assignment struct {
	role, scope, condition string
}

// assignmentsOf lists the identity's role assignments that reach the registry: its data-plane role at the
// registry, ABAC repository roles at the registry with a repository condition, ARMConfig.Roles at the group.
func (reg *registry) assignmentsOf(name string) []assignment {
	cfg := reg.config()
	var out []assignment
	if r := reg.roleOf(name); r != RoleNone && r != "" {
		out = append(out, assignment{role: string(r), scope: cfg.ResourceID()})
	}
	repos := cfg.RepositoryRoles[name]
	for _, repo := range slices.Sorted(maps.Keys(repos)) {
		role := repoRoleReader
		switch acts := repos[repo].actions(); {
		case slices.Contains(acts, "delete"):
			role = repoRoleContributor
		case slices.Contains(acts, "write"):
			role = repoRoleWriter
		}
		out = append(out, assignment{role: role, scope: cfg.ResourceID(), condition: fmt.Sprintf(
			"((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase '%s'))", repo)})
	}
	rg := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", cfg.subscription(), cfg.resourceGroup())
	for _, r := range cfg.ARM.Roles[name] {
		out = append(out, assignment{role: string(r), scope: rg})
	}
	return out
}

// mayRead says whether the identity's roles allow an ARM read action on the registry: Reader, Contributor
// and Owner read everything; the configuration reader reads the registry's own resources only.
func (reg *registry) mayRead(name, action string) bool {
	for _, a := range reg.assignmentsOf(name) {
		switch Role(a.role) {
		case RoleReader, RoleContributor, RoleOwner:
			return true
		case RoleConfigReader:
			if strings.HasPrefix(action, "Microsoft.ContainerRegistry/") {
				return true
			}
		}
	}
	return false
}

// armError writes ARM's error body.
func armError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("x-ms-failure-cause", "gateway")
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func authorizationFailed(w http.ResponseWriter, id *Identity, action, scope string) {
	armError(w, http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
		id.Name+"@contoso.example", id.ObjectID, action, scope))
}

// armCaller is the identity an ARM-audience bearer token names, or nil after answering 401 as ARM does.
func (k *Kit) armCaller(w http.ResponseWriter, r *http.Request, audienceOK func(string) bool) *Identity {
	tok, ok := bearer(r)
	if !ok {
		armError(w, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return nil
	}
	claims, err := k.signer.verify(tok, &k.entraKey.PublicKey)
	if err != nil {
		armError(w, 401, "InvalidAuthenticationToken", "The access token is invalid or has expired.")
		return nil
	}
	id := k.identityByObjectID(claimString(claims, "oid"))
	if id == nil || !audienceOK(claimString(claims, "aud")) {
		armError(w, 401, "InvalidAuthenticationToken", fmt.Sprintf("The access token has an invalid audience %q.", claimString(claims, "aud")))
		return nil
	}
	return id
}

// SetARMThrottle makes the next n requests to ARM and Log Analytics answer 429 with Retry-After (1 s unless
// SetARMRetryAfter says otherwise; n < 0: every request, until SetARMThrottle(0)).
func (k *Kit) SetARMThrottle(n int) { k.armThrottle.Store(int64(n)) }

// SetARMRetryAfter sets the Retry-After of ARM's 429s (d <= 0: the default, 1 s), rounded up to seconds.
func (k *Kit) SetARMRetryAfter(d time.Duration) { k.armRetryAfter.Store(int64(d)) }

// SetARMUnavailable makes the next n requests to ARM and Log Analytics answer 503 Service Unavailable, without
// Retry-After (n < 0: every request, until SetARMUnavailable(0)).
func (k *Kit) SetARMUnavailable(n int) { k.armUnavailable.Store(int64(n)) }

// SetARMLatency adds d to every response of ARM and Log Analytics from now on.
func (k *Kit) SetARMLatency(d time.Duration) { k.armLatency.Store(int64(d)) }

// throttled takes one throttled answer, if any are due.
func (k *Kit) throttled() bool { return take(&k.armThrottle) }

// take takes one of a counter's faults: n > 0 left, n < 0 all, 0 none.
func take(c *atomic.Int64) bool {
	for {
		n := c.Load()
		switch {
		case n < 0:
			return true
		case n == 0:
			return false
		case c.CompareAndSwap(n, n-1):
			return true
		}
	}
}

func (k *Kit) retryAfter() string {
	d := time.Duration(k.armRetryAfter.Load())
	if d <= 0 {
		return "1"
	}
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

var (
	registryPath = regexp.MustCompile(`^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.containerregistry/registries/([^/]+)(/.*)?$`)
	listPath     = regexp.MustCompile(`^/subscriptions/([^/]+)/providers/microsoft\.containerregistry/registries$`)
	roleDefPath  = regexp.MustCompile(`^(?:/subscriptions/[^/]+)?/providers/microsoft\.authorization/roledefinitions/([^/]+)$`)
)

// azureAPI is one of the fake Azure APIs behind the proxy: how it authenticates and throttles.
type azureAPI struct {
	service, host string
	audienceOK    func(aud string) bool
	throttle      [2]string // the error code and message of its 429
}

var (
	armAPI = azureAPI{service: "arm", host: armHost, audienceOK: isARMAudience,
		throttle: [2]string{"TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits"}}
	logsAPI = azureAPI{service: "logs", host: logsHost, audienceOK: func(aud string) bool { return strings.TrimSuffix(aud, "/") == audienceLogs },
		throttle: [2]string{"ThrottledError", "Your request was throttled. Please retry after 1 second."}}
)

// serveAzure runs an API's handler with what the APIs share: the request log, the latency and throttling
// switches, and the caller named by its bearer token.
func (k *Kit) serveAzure(w http.ResponseWriter, r *http.Request, api azureAPI, serve func(http.ResponseWriter, *http.Request, *Identity, *Request)) {
	entry := Request{Service: api.service, Host: api.host, Method: r.Method, Path: r.URL.Path}
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		entry.Status = rec.status
		if rec.status >= 400 && entry.Error == "" {
			entry.Error = strconv.Itoa(rec.status)
		}
		k.log.add(entry)
	}()
	if !sleepCtx(r, time.Duration(k.armLatency.Load())) {
		entry.Error = "client gave up"
		return
	}
	rec.Header().Set("x-ms-request-id", randomID())
	if k.throttled() {
		entry.Error = api.throttle[0]
		rec.Header().Set("Retry-After", k.retryAfter())
		armError(rec, 429, api.throttle[0], api.throttle[1])
		return
	}
	if take(&k.armUnavailable) {
		entry.Error = "ServiceUnavailable"
		armError(rec, 503, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later.")
		return
	}
	id := k.armCaller(rec, r, api.audienceOK)
	if id == nil {
		entry.Error = "InvalidAuthenticationToken"
		return
	}
	entry.Identity = id.Name
	serve(rec, r, id, &entry)
}

// serveARM answers Azure Resource Manager's reads.
func (k *Kit) serveARM(w http.ResponseWriter, r *http.Request, id *Identity, entry *Request) {
	apiVersion := r.URL.Query().Get("api-version")
	if apiVersion == "" {
		entry.Error = "MissingApiVersionParameter"
		armError(w, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	p := strings.ToLower(strings.TrimSuffix(r.URL.Path, "/"))
	var m []string
	switch {
	case p == "/subscriptions" && r.Method == http.MethodGet:
		k.listSubscriptions(w, id)
	case p == "/providers/microsoft.resourcegraph/resources" && r.Method == http.MethodPost:
		k.resourceGraph(w, r, id)
	case r.Method != http.MethodGet:
		armError(w, 405, "MethodNotAllowed", "the test kit's ARM is read-only")
	case listPath.MatchString(p):
		k.listRegistries(w, r, id, listPath.FindStringSubmatch(p)[1])
	case resourcesPath.MatchString(p):
		k.listResources(w, r, id, resourcesPath.FindStringSubmatch(p)[1])
	case roleDefPath.MatchString(p):
		k.roleDefinition(w, roleDefPath.FindStringSubmatch(p)[1])
	case func() bool { m = registryPath.FindStringSubmatch(p); return m != nil }():
		k.registryResource(w, r, id, m[1], m[2], m[3], m[4], apiVersion)
	default:
		armError(w, 404, "InvalidResourceType", "The resource type could not be found: "+r.URL.Path)
	}
}

// sortedRegistries is every registry, by name, for stable lists.
func (k *Kit) sortedRegistries() []*registry {
	var out []*registry
	for _, name := range slices.Sorted(maps.Keys(k.registries)) {
		out = append(out, k.registries[name])
	}
	return out
}

func (k *Kit) listSubscriptions(w http.ResponseWriter, id *Identity) {
	var subs []string
	for _, reg := range k.sortedRegistries() {
		if len(reg.assignmentsOf(id.Name)) > 0 && !slices.Contains(subs, reg.config().subscription()) {
			subs = append(subs, reg.config().subscription())
		}
	}
	var value []any
	for _, s := range subs {
		value = append(value, map[string]any{"id": "/subscriptions/" + s, "subscriptionId": s, "tenantId": id.TenantID,
			"displayName": "Subscription " + s[:8], "state": "Enabled", "authorizationSource": "RoleBased"})
	}
	writeJSON(w, 200, map[string]any{"count": map[string]any{"type": "Total", "value": len(value)}, "value": orEmpty(value)})
}

// listRegistries lists a subscription's registries the identity may read, page by page.
func (k *Kit) listRegistries(w http.ResponseWriter, r *http.Request, id *Identity, sub string) {
	k.listInSubscription(w, r, sub, func(reg *registry) any {
		if !reg.mayRead(id.Name, "Microsoft.ContainerRegistry/registries/read") {
			return nil
		}
		return reg.armResource(r.URL.Query().Get("api-version"))
	})
}

// listInSubscription answers a list of what item makes of each registry of the subscription (nil: left
// out), page by page, or ARM's SubscriptionNotFound for a subscription no registry is in.
func (k *Kit) listInSubscription(w http.ResponseWriter, r *http.Request, sub string, item func(*registry) any) {
	var value []any
	known := false
	for _, reg := range k.sortedRegistries() {
		if !strings.EqualFold(reg.config().subscription(), sub) {
			continue
		}
		known = true
		if v := item(reg); v != nil {
			value = append(value, v)
		}
	}
	if !known {
		armError(w, 404, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", sub))
		return
	}
	writePage(w, r, value)
}

// writePage answers a list with armPageSize items and a nextLink to the rest, as ARM does.
func writePage(w http.ResponseWriter, r *http.Request, value []any) {
	start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	start = min(max(start, 0), len(value))
	end := min(start+armPageSize, len(value))
	body := map[string]any{"value": orEmpty(value[start:end])}
	if end < len(value) {
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		body["nextLink"] = "https://" + armHost + r.URL.Path + "?" + q.Encode()
	}
	writeJSON(w, 200, body)
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

var graphLiteral = regexp.MustCompile(`(?i)(properties\.loginServer|name)\s*=~\s*'((?:[^'\\]|\\.)*)'`)

// resourceGraph answers a Resource Graph query for registries by login server or name, with the rows the
// identity may read, paged by $skipToken.
func (k *Kit) resourceGraph(w http.ResponseWriter, r *http.Request, id *Identity) {
	var req struct {
		Query   string `json:"query"`
		Options struct {
			SkipToken string `json:"$skipToken"`
		} `json:"options"`
	}
	if err := decodeJSON(r, &req); err != nil || req.Query == "" {
		armError(w, 400, "BadRequest", "Please provide below info when asking for support: the query is missing or not JSON")
		return
	}
	want := map[string][]string{}
	for _, m := range graphLiteral.FindAllStringSubmatch(req.Query, -1) {
		field := strings.ToLower(m[1])
		want[field] = append(want[field], strings.ToLower(strings.ReplaceAll(m[2], `\'`, `'`)))
	}
	var rows []any
	for _, reg := range k.sortedRegistries() {
		cfg := reg.config()
		if !reg.mayRead(id.Name, "Microsoft.ContainerRegistry/registries/read") {
			continue // Resource Graph shows only what the caller may read
		}
		if len(want) > 0 && !slices.Contains(want["properties.loginserver"], strings.ToLower(cfg.Host())) &&
			!slices.Contains(want["name"], strings.ToLower(cfg.resourceName())) {
			continue
		}
		rows = append(rows, map[string]any{"id": cfg.ResourceID(), "name": cfg.resourceName(), "resourceGroup": strings.ToLower(cfg.resourceGroup()),
			"subscriptionId": cfg.subscription(), "location": cfg.Region, "loginServer": cfg.Host()})
	}
	start, _ := strconv.Atoi(req.Options.SkipToken)
	start = min(max(start, 0), len(rows))
	end := min(start+armPageSize, len(rows))
	body := map[string]any{"totalRecords": len(rows), "count": end - start, "data": orEmpty(rows[start:end]), "facets": []any{}, "resultTruncated": "false"}
	if end < len(rows) {
		body["$skipToken"] = strconv.Itoa(end)
	}
	writeJSON(w, 200, body)
}

func (k *Kit) roleDefinition(w http.ResponseWriter, guid string) {
	name, ok := roleByDefinitionID(guid)
	if !ok {
		armError(w, 404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '"+guid+"' does not exist.")
		return
	}
	writeJSON(w, 200, map[string]any{"id": "/providers/Microsoft.Authorization/roleDefinitions/" + roleDefinitionID(name), "name": roleDefinitionID(name),
		"type": "Microsoft.Authorization/roleDefinitions", "properties": map[string]any{"roleName": name, "type": "BuiltInRole", "assignableScopes": []string{"/"}}})
}

// findResource resolves a registry path, answering ARM's 403 or 404 when it cannot: a caller who may not
// read the scope learns nothing about what is in it.
func (k *Kit) findResource(w http.ResponseWriter, id *Identity, sub, rg, name, action string) *registry {
	var inGroup []*registry
	for _, reg := range k.sortedRegistries() {
		cfg := reg.config()
		if strings.EqualFold(cfg.subscription(), sub) && strings.EqualFold(cfg.resourceGroup(), rg) {
			inGroup = append(inGroup, reg)
			if strings.EqualFold(cfg.resourceName(), name) {
				if !reg.mayRead(id.Name, action) {
					authorizationFailed(w, id, action, cfg.ResourceID())
					return nil
				}
				return reg
			}
		}
	}
	scope := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s", sub, rg, name)
	readsGroup := slices.ContainsFunc(inGroup, func(reg *registry) bool { return reg.mayRead(id.Name, action) })
	switch {
	case !readsGroup:
		authorizationFailed(w, id, action, scope)
	case len(inGroup) == 0:
		armError(w, 404, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", rg))
	default:
		armError(w, 404, "ResourceNotFound", fmt.Sprintf("The Resource 'Microsoft.ContainerRegistry/registries/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", name, rg))
	}
	return nil
}

var registryChild = regexp.MustCompile(`^/(tokens|scopemaps)/([^/]+)$`)

// registryResource serves the registry and what hangs off it.
func (k *Kit) registryResource(w http.ResponseWriter, r *http.Request, id *Identity, sub, rg, name, rest, apiVersion string) {
	const ns = "Microsoft.ContainerRegistry/registries/"
	action := map[string]string{
		"":              ns + "read",
		"/replications": ns + "replications/read",
		"/providers/microsoft.authorization/roleassignments": "Microsoft.Authorization/roleAssignments/read",
		"/providers/microsoft.insights/diagnosticsettings":   "Microsoft.Insights/diagnosticSettings/read",
	}[rest]
	child := registryChild.FindStringSubmatch(rest)
	if child != nil {
		action = ns + map[string]string{"tokens": "tokens/read", "scopemaps": "scopeMaps/read"}[child[1]]
	}
	if action == "" {
		armError(w, 404, "InvalidResourceType", "The resource type could not be found in the namespace 'Microsoft.ContainerRegistry': "+r.URL.Path)
		return
	}
	reg := k.findResource(w, id, sub, rg, name, action)
	if reg == nil {
		return
	}
	cfg := reg.config()
	switch {
	case rest == "":
		if apiVersion < "2019-05-01" {
			armError(w, 400, "InvalidApiVersionParameter", fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '2026-01-01-preview,2025-11-01,2023-07-01,2019-05-01'.", apiVersion))
			return
		}
		writeJSON(w, 200, reg.armResource(apiVersion))
	case rest == "/replications":
		var value []any
		for _, region := range cfg.regions() {
			value = append(value, map[string]any{"id": cfg.ResourceID() + "/replications/" + region, "name": region, "location": region,
				"type": "Microsoft.ContainerRegistry/registries/replications",
				"properties": map[string]any{"provisioningState": "Succeeded", "regionEndpointEnabled": true, "zoneRedundancy": "Disabled",
					"status": map[string]any{"displayStatus": "Ready"}}})
		}
		writePage(w, r, value)
	case child != nil && child[1] == "tokens":
		k.serveToken(w, cfg, child[2])
	case child != nil:
		k.serveScopeMap(w, cfg, child[2])
	case strings.HasSuffix(rest, "roleassignments"):
		k.roleAssignments(w, r, reg)
	default:
		var value []any
		if cfg.ARM.LoginEvents {
			value = append(value, map[string]any{"id": cfg.ResourceID() + "/providers/microsoft.insights/diagnosticSettings/acr-login-events", "name": "acr-login-events",
				"type": "Microsoft.Insights/diagnosticSettings",
				"properties": map[string]any{"workspaceId": fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.OperationalInsights/workspaces/law-%s", cfg.subscription(), cfg.resourceGroup(), cfg.resourceName()),
					"logs":    []any{map[string]any{"category": "ContainerRegistryLoginEvents", "enabled": true}, map[string]any{"category": "ContainerRegistryRepositoryEvents", "enabled": false}},
					"metrics": []any{}}})
		}
		writeJSON(w, 200, map[string]any{"value": orEmpty(value)})
	}
}

// armResource is the registry as ARM returns it; the properties newer API versions added appear only there.
func (reg *registry) armResource(apiVersion string) map[string]any {
	cfg := reg.config()
	public, defaultAction := "Enabled", "Allow"
	switch cfg.Scenario {
	case PublicAccessDisabled, PrivateEndpointOnly:
		public, defaultAction = "Disabled", "Deny" // disabling public access sets Deny too
	case Firewall:
		defaultAction = "Deny"
	}
	var ipRules []any
	for _, ip := range cfg.ipRules() {
		ipRules = append(ipRules, map[string]any{"action": "Allow", "value": ip})
	}
	var pes []any
	for _, pe := range cfg.privateEndpoints() {
		pes = append(pes, map[string]any{"id": cfg.ResourceID() + "/privateEndpointConnections/" + pe.Name, "name": pe.Name,
			"type": "Microsoft.ContainerRegistry/registries/privateEndpointConnections",
			"properties": map[string]any{"provisioningState": "Succeeded",
				"privateEndpoint":                   map[string]any{"id": fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/privateEndpoints/%s", cfg.subscription(), cfg.resourceGroup(), pe.Name)},
				"privateLinkServiceConnectionState": map[string]any{"status": pe.State, "description": "", "actionsRequired": "None"}}})
	}
	bypass := "None"
	if cfg.ARM.TrustedServices {
		bypass = "AzureServices"
	}
	sku := cfg.ARM.SKU
	if sku == "" {
		sku = "Premium"
	}
	props := map[string]any{
		"loginServer": cfg.Host(), "creationDate": "2024-03-01T09:00:00.0000000Z", "provisioningState": "Succeeded",
		"adminUserEnabled": cfg.AdminPassword != "", "publicNetworkAccess": public, "networkRuleBypassOptions": bypass,
		"networkRuleSet":             map[string]any{"defaultAction": defaultAction, "ipRules": orEmpty(ipRules)},
		"privateEndpointConnections": orEmpty(pes), "dataEndpointEnabled": cfg.DataEndpoint, "dataEndpointHostNames": orEmptyStrings(cfg.dataHosts()),
		"zoneRedundancy": "Disabled", "encryption": map[string]any{"status": "disabled"},
		"policies": map[string]any{"quarantinePolicy": map[string]any{"status": "disabled"}, "trustPolicy": map[string]any{"type": "Notary", "status": "disabled"},
			"retentionPolicy": map[string]any{"days": 7, "status": "disabled"}, "exportPolicy": map[string]any{"status": "enabled"}},
	}
	if apiVersion >= "2025" {
		props["anonymousPullEnabled"] = cfg.Scenario == AnonymousPull
		mode := "LegacyRegistryPermissions"
		if cfg.ABAC {
			mode = "AbacRepositoryPermissions"
		}
		props["roleAssignmentMode"] = mode
		armPolicy := "enabled"
		if cfg.Scenario == ARMAudienceDisabled {
			armPolicy = "disabled"
		}
		props["policies"].(map[string]any)["azureADAuthenticationAsArmPolicy"] = map[string]any{"status": armPolicy}
	}
	return map[string]any{"id": cfg.ResourceID(), "name": cfg.resourceName(), "type": "Microsoft.ContainerRegistry/registries",
		"location": cfg.Region, "tags": map[string]any{}, "sku": map[string]any{"name": sku, "tier": sku}, "properties": props}
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func resourceNotFound(w http.ResponseWriter, cfg Registry, typ, name string) {
	armError(w, 404, "ResourceNotFound", fmt.Sprintf("The Resource 'Microsoft.ContainerRegistry/registries/%s/%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		cfg.resourceName(), typ, name, cfg.resourceGroup()))
}

func (k *Kit) serveToken(w http.ResponseWriter, cfg Registry, name string) {
	t := cfg.token(name)
	if t == nil {
		resourceNotFound(w, cfg, "tokens", name)
		return
	}
	status := "enabled"
	if t.Disabled {
		status = "disabled"
	}
	pw := map[string]any{"name": "password1", "creationTime": "2024-03-01T09:00:00Z"}
	if !t.PasswordExpiry.IsZero() {
		pw["expiry"] = t.PasswordExpiry.UTC().Format(time.RFC3339)
	}
	writeJSON(w, 200, map[string]any{"id": cfg.ResourceID() + "/tokens/" + t.Name, "name": t.Name, "type": "Microsoft.ContainerRegistry/registries/tokens",
		"properties": map[string]any{"creationDate": "2024-03-01T09:00:00Z", "provisioningState": "Succeeded", "status": status,
			"scopeMapId": cfg.ResourceID() + "/scopeMaps/" + t.ScopeMap, "credentials": map[string]any{"passwords": []any{pw}}}})
}

func (k *Kit) serveScopeMap(w http.ResponseWriter, cfg Registry, name string) {
	for _, tc := range cfg.ARM.Tokens {
		t := cfg.token(tc.Name)
		if strings.EqualFold(t.ScopeMap, name) {
			writeJSON(w, 200, map[string]any{"id": cfg.ResourceID() + "/scopeMaps/" + t.ScopeMap, "name": t.ScopeMap, "type": "Microsoft.ContainerRegistry/registries/scopeMaps",
				"properties": map[string]any{"type": "UserDefined", "provisioningState": "Succeeded", "actions": orEmptyStrings(t.Actions)}})
			return
		}
	}
	resourceNotFound(w, cfg, "scopeMaps", name)
}

var principalFilter = regexp.MustCompile(`(?i)(?:assignedTo\('([^']*)'\)|principalId\s+eq\s+'([^']*)')`)

// roleAssignments lists the assignments that reach the registry, for every principal or the filtered one.
func (k *Kit) roleAssignments(w http.ResponseWriter, r *http.Request, reg *registry) {
	var who []*Identity
	if m := principalFilter.FindStringSubmatch(r.URL.Query().Get("$filter")); m != nil {
		if id := k.identityByObjectID(m[1] + m[2]); id != nil {
			who = append(who, id)
		}
	} else {
		for i := range k.identities {
			who = append(who, &k.identities[i])
		}
	}
	cfg := reg.config()
	var value []any
	for _, id := range who {
		for _, a := range reg.assignmentsOf(id.Name) {
			props := map[string]any{"roleDefinitionId": "/subscriptions/" + cfg.subscription() + "/providers/Microsoft.Authorization/roleDefinitions/" + roleDefinitionID(a.role),
				"principalId": id.ObjectID, "principalType": principalType(id), "scope": a.scope, "createdOn": "2024-03-01T09:00:00Z"}
			if a.condition != "" {
				props["condition"], props["conditionVersion"] = a.condition, "2.0"
			}
			value = append(value, map[string]any{"id": a.scope + "/providers/Microsoft.Authorization/roleAssignments/" + stableUUID(id.Name+a.role+a.scope+a.condition),
				"name": stableUUID(id.Name + a.role + a.scope + a.condition), "type": "Microsoft.Authorization/roleAssignments", "properties": props})
		}
	}
	writePage(w, r, value)
}

func principalType(id *Identity) string {
	if id.Kind == UserIdentity || id.Kind == DeveloperCLIUser {
		return "User"
	}
	return "ServicePrincipal"
}
