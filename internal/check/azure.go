package check

import (
	"context"
	"errors"
	"fmt"

	"net/netip"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/acrdiag/acrdiag/internal/azure"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// The checks in this file read the registry's own configuration from Azure Resource Manager, when the
// identity may (Reader on the registry or above), and turn the data plane's guesses into facts.

// armContext bounds every ARM read of the diagnosis by one deadline just inside the checks' own, so a
// throttled or slow ARM ends in a finding about ARM, not in a check timeout.
func (e *Env) armContext() (context.Context, context.CancelFunc) {
	return context.WithDeadline(e.ctx, e.armDeadline)
}

func (e *Env) getRegistry() (azure.Registry, error) {
	if _, err := e.entra(); err != nil {
		return azure.Registry{}, errNoEntraToken
	}
	ctx, cancel := e.armContext()
	defer cancel()
	ref, err := e.ARM.Find(ctx, e.LS.Host, e.Opts.Azure)
	if err != nil {
		return azure.Registry{}, err
	}
	return e.ARM.Registry(ctx, ref)
}

func (e *Env) getRoles() ([]azure.Assignment, error) {
	reg, err := e.registry()
	if err != nil {
		return nil, err
	}
	ent, err := e.entra()
	if err != nil || ent.Claims.ObjectID == "" {
		return nil, errors.New("the Entra token names no object id")
	}
	ctx, cancel := e.armContext()
	defer cancel()
	return e.ARM.RoleAssignments(ctx, reg.Ref, ent.Claims.ObjectID)
}

var errNoEntraToken = errors.New("no Entra token (see the identity check)")

// objectID is the identity's object id for role assignment commands.
func (e *Env) objectID() string {
	if got, err := e.entra(); err == nil && got.Claims.ObjectID != "" {
		return got.Claims.ObjectID
	}
	return "<object id>"
}

// registryOrSkip is the registry's configuration, or the skip every Azure check reports without it.
func (e *Env) registryOrSkip() (azure.Registry, *Result) {
	if e.Name != nil {
		r := skip("the registry name is not usable")
		return azure.Registry{}, &r
	}
	reg, err := e.registry()
	if err != nil {
		r := skip("needs the registry's configuration from Azure (see the azure_registry check)")
		return azure.Registry{}, &r
	}
	return reg, nil
}

// readerHint is the role assignment that lets the identity read what was refused.
func (e *Env) readerHint(scope string) string {
	if scope == "" {
		scope = "$(az acr show -n " + e.LS.Registry + " --query id -o tsv)"
	}
	return "the Reader role lets acrcheck read it: az role assignment create --assignee " + e.objectID() + " --role Reader --scope " + scope
}

// azureRegistryCheck: find the registry in Azure and read its configuration.
func azureRegistryCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	reg, err := e.registry()
	var nf *azure.NotFoundError
	var amb *azure.AmbiguousError
	refusal, refused := azure.Refusal(err)
	switch {
	case refused:
		// Not asked again (a refusal is an answer): the other Azure checks skip with this one at once.
		return skip("Azure Resource Manager cannot be reached from here, so the Azure checks cannot confirm the findings: " + refusal)
	case errors.Is(err, errNoEntraToken):
		return skip("no Entra token to read Azure Resource Manager with (see the identity check)")
	case azure.IsDenied(err) && e.Opts.Azure.ResourceGroup != "":
		return skip(fmt.Sprintf("this identity may not read %s in resource group %s of subscription %s (%s): either --subscription and --resource-group do not name the registry's group (az acr show -n %s --query id), or %s",
			e.LS.Registry, e.Opts.Azure.ResourceGroup, e.Opts.Azure.Subscription, err.Error(), e.LS.Registry, e.readerHint("")))
	case azure.IsDenied(err):
		return skip("this identity may not read the registry in Azure Resource Manager (" + err.Error() + "); " + e.readerHint(""))
	case errors.As(err, &nf) && len(nf.Similar) > 0:
		return warn("not found in Azure: "+nf.Error(), "the login server may be mistyped, or belong to a registry this identity cannot read")
	case errors.As(err, &nf):
		return skip(nf.Error() + "; without read access (the Reader role on the registry) the Azure checks cannot confirm the findings; --subscription and --resource-group search one place")
	case errors.As(err, &amb):
		return warn(amb.Error(), "")
	case azure.IsNotFound(err):
		return warn("Azure Resource Manager: "+err.Error(), "check --subscription and --resource-group: az acr show -n "+e.LS.Registry+" --query id")
	case err != nil:
		return skip("could not read the registry from Azure Resource Manager: " + cause.Summarize(err.Error()))
	}
	summary := fmt.Sprintf("%s (%s, %s)", reg.ID, reg.SKU, strings.Join(reg.Replicas, ", "))
	detail := describeRegistry(reg)
	if reg.ARMAudience == "disabled" {
		if got, err := e.entra(); err == nil && got.ACRErr != nil {
			return e.fail(cause.AuthAudienceRejected, "the registry accepts only ACR-audience tokens (authentication-as-arm disabled), and this identity could get an ARM-audience token only", detail)
		}
	}
	return Result{Status: Pass, Summary: summary, Detail: detail}
}

func describeRegistry(reg azure.Registry) string {
	var parts []string
	parts = append(parts, "public network access "+reg.PublicNetworkAccess)
	if strings.EqualFold(reg.DefaultAction, "Deny") {
		parts = append(parts, fmt.Sprintf("selected networks with %d IP rule(s)", len(reg.IPRules)))
	}
	if len(reg.PrivateEndpoints) > 0 {
		parts = append(parts, fmt.Sprintf("%d private endpoint(s), %d approved", len(reg.PrivateEndpoints), reg.ApprovedPrivateEndpoints()))
	}
	parts = append(parts, "admin user "+onOff(reg.AdminUserEnabled))
	if reg.AnonymousPullEnabled != nil {
		parts = append(parts, "anonymous pull "+onOff(*reg.AnonymousPullEnabled))
	}
	if reg.ARMAudience != "" {
		parts = append(parts, "ARM-audience tokens "+reg.ARMAudience)
	}
	switch {
	case reg.ABAC():
		parts = append(parts, "role assignment mode RBAC + ABAC repository permissions")
	case reg.RoleAssignmentMode != "":
		parts = append(parts, "role assignment mode RBAC registry permissions")
	default:
		parts = append(parts, "anonymous pull, ARM-audience policy and role assignment mode not reported by this cloud's API")
	}
	if reg.DataEndpointEnabled {
		parts = append(parts, "dedicated data endpoints "+strings.Join(reg.DataEndpointHosts, ", "))
	}
	return strings.Join(parts, "; ")
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

var deniedIP = regexp.MustCompile(`client with IP '([^']+)'`)

// deniedClientIP is the IP the registry's 403 names, when the registry refused this machine.
func (e *Env) deniedClientIP() (ip string, denied bool) {
	c, err := e.challenge()
	if err != nil || c.Status != 403 {
		return "", false
	}
	if m := deniedIP.FindStringSubmatch(c.Body); m != nil {
		return m[1], true
	}
	return "", true
}

// ruleMatching is the IP rule that allows ip, or "".
func ruleMatching(rules []string, ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	for _, r := range rules {
		if p, err := netip.ParsePrefix(r); err == nil && p.Contains(addr) {
			return r
		}
		if a, err := netip.ParseAddr(r); err == nil && a == addr {
			return r
		}
	}
	return ""
}

// networkRulesCheck: which of the registry's network settings lets this machine in or keeps it out.
func networkRulesCheck(_ context.Context, e *Env) Result {
	reg, skipped := e.registryOrSkip()
	if skipped != nil {
		return *skipped
	}
	ip, denied := e.deniedClientIP()
	shownIP := ip
	if shownIP == "" {
		shownIP = "<client IP>"
	}
	pes := reg.ApprovedPrivateEndpoints()
	switch {
	case reg.PublicDisabled() && pes > 0 && denied:
		r := e.fail(cause.NetworkPrivateOnly, fmt.Sprintf("public network access is disabled: %s accepts clients only through its %d private endpoint(s), and this machine (%s) reached the public endpoint", reg.Name, pes, shownIP),
			"private endpoints: "+describeEndpoints(reg.PrivateEndpoints))
		return r
	case reg.PublicDisabled() && denied:
		detail := "no private endpoint connection"
		if len(reg.PrivateEndpoints) > 0 {
			detail = "no approved private endpoint: " + describeEndpoints(reg.PrivateEndpoints) + " (approve it: az network private-endpoint-connection approve --id <connection id>)"
		}
		r := e.fail(cause.NetworkPublicDisabled, "public network access is disabled and "+reg.Name+" has no approved private endpoint: no client can reach it", detail)
		r.Fix = strings.ReplaceAll(r.Fix, "<client IP>", shownIP)
		return r
	case reg.PublicDisabled():
		return pass(fmt.Sprintf("public network access is disabled; this machine reaches %s through a private endpoint (%s)", reg.Name, describeEndpoints(reg.PrivateEndpoints)))
	case strings.EqualFold(reg.DefaultAction, "Deny") && denied:
		if rule := ruleMatching(reg.IPRules, ip); rule != "" {
			return e.fail(cause.NetworkFirewallDenied, fmt.Sprintf("the registry refused %s although IP rule %s allows it", ip, rule),
				"rule changes take a few minutes to apply; or the registry sees another address than the one it names (a proxy or NAT)")
		}
		r := e.fail(cause.NetworkIPNotAllowed, fmt.Sprintf("%s allows selected networks only, and this machine's IP %s is in none of its %d IP rule(s)", reg.Name, shownIP, len(reg.IPRules)),
			"IP rules: "+strings.Join(reg.IPRules, ", ")+"; IP rules do not apply to private endpoints")
		r.Fix = fmt.Sprintf("Add the IP: az acr network-rule add --name %s --resource-group %s --subscription %s --ip-address %s (takes a few minutes to apply)", reg.Name, reg.ResourceGroup, reg.Subscription, shownIP)
		return r
	case strings.EqualFold(reg.DefaultAction, "Deny"):
		return pass(fmt.Sprintf("%s allows selected networks only, and lets this machine in (IP rules: %s)", reg.Name, strings.Join(reg.IPRules, ", ")))
	case denied:
		return e.fail(cause.NetworkFirewallDenied, "the registry allows all networks in Azure, yet refused this machine ("+shownIP+")",
			"a network rule changed in the last minutes, or a firewall between this machine and Azure answers for the registry")
	}
	return pass("public network access from all networks")
}

func describeEndpoints(pes []azure.PrivateEndpoint) string {
	var s []string
	for _, pe := range pes {
		s = append(s, pe.Name+" "+pe.State)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// trustedServicesCheck: when the registry is network-restricted, which Azure services can still reach it.
func trustedServicesCheck(_ context.Context, e *Env) Result {
	reg, skipped := e.registryOrSkip()
	if skipped != nil {
		return *skipped
	}
	if !reg.Restricted() {
		return pass("not network-restricted: Azure services reach it over the public endpoint")
	}
	const untrusted = "services outside the trusted list (App Service, Container Apps, Azure DevOps hosted agents, GitHub runners) need a network path: VNet integration with the private endpoint, or an IP rule for their outbound addresses"
	if reg.TrustedServices {
		return Result{Status: Pass, Summary: "network-restricted; trusted Azure services bypass the rules (Defender for Cloud scanning, ACR Tasks and Container Instances with a managed identity)",
			Detail: untrusted}
	}
	r := warn("network-restricted and the trusted-services bypass is off: Defender for Cloud cannot scan it, ACR Tasks and Container Instances with a managed identity cannot reach it", untrusted)
	r.Fix = "Allow trusted services: az acr update --name " + reg.Name + " --allow-trusted-services true"
	return r
}

// replicaEndpointsCheck: every replica's dedicated data endpoint must be reachable for pulls, not just the
// one this machine was redirected to.
func replicaEndpointsCheck(ctx context.Context, e *Env) Result {
	reg, skipped := e.registryOrSkip()
	if skipped != nil {
		return *skipped
	}
	if !reg.DataEndpointEnabled || len(reg.DataEndpointHosts) == 0 {
		return pass("no dedicated data endpoints: layers download from " + reg.Name + "'s storage (*.blob.core.windows.net)")
	}
	type outcome struct {
		host string
		err  error
	}
	results := make([]outcome, len(reg.DataEndpointHosts))
	var wg sync.WaitGroup
	for i, h := range reg.DataEndpointHosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, err := e.dial(ctx, h)
			if err == nil {
				_ = c.Close()
			}
			results[i] = outcome{h, err}
		}()
	}
	wg.Wait()
	var bad []string
	for _, r := range results {
		if r.err != nil {
			bad = append(bad, r.host+": "+cause.Summarize(r.err.Error()))
		}
	}
	if len(bad) > 0 {
		return e.fail(cause.NetworkDataEndpoint, fmt.Sprintf("%d of %d replica data endpoints unreachable", len(bad), len(results)),
			strings.Join(bad, "; ")+"; a pull is redirected to the data endpoint of whichever replica serves it, so allow every one")
	}
	if len(results) == 1 {
		return pass("the data endpoint is reachable: " + reg.DataEndpointHosts[0])
	}
	return pass(fmt.Sprintf("all %d replica data endpoints reachable: %s", len(results), strings.Join(reg.DataEndpointHosts, ", ")))
}

// rolesCheck: the identity's role assignments at the registry and above, against what --action needs.
func rolesCheck(_ context.Context, e *Env) Result {
	reg, skipped := e.registryOrSkip()
	if skipped != nil {
		return *skipped
	}
	roles, err := e.roles()
	switch {
	case azure.IsDenied(err):
		return skip("this identity may not list role assignments (" + err.Error() + "); " + e.readerHint(reg.ID))
	case err != nil:
		return skip("could not list role assignments: " + cause.Summarize(err.Error()))
	}
	action := e.Opts.Action
	if action == "" {
		action = "pull"
	}
	held := describeRoles(roles)
	granting, needed := azure.Grants(roles, action, reg.ABAC())
	if len(granting) == 0 {
		id := cause.AuthzPullDenied
		switch {
		case reg.ABAC():
			id = cause.AuthzABACRepositoryRole
		case action == "push":
			id = cause.AuthzPushDenied
		}
		summary := fmt.Sprintf("no role of this identity allows %s on %s; it holds: %s", action, reg.Name, held)
		detail := ""
		if reg.ABAC() {
			detail = "the registry uses ABAC repository permissions: AcrPull, AcrPush and AcrDelete do not apply"
		}
		r := e.fail(id, summary, detail)
		r.Fix = e.grantFix(reg, needed)
		return r
	}
	if reg.ABAC() && e.Opts.Repository != "" {
		limited := true
		for _, a := range granting {
			if conditionAllows(a.Condition, e.Opts.Repository) {
				limited = false
			}
		}
		if limited {
			r := e.fail(cause.AuthzABACRepositoryRole, fmt.Sprintf("this identity's repository roles are limited by conditions that exclude %s", e.Opts.Repository), "held: "+held)
			r.Fix = e.grantFix(reg, needed)
			return r
		}
	}
	return pass(fmt.Sprintf("%s allows %s (%s)", granting[0].Role, action, held))
}

// grantFix is the role assignment that gives the identity what it lacks, at the registry's exact scope and,
// in ABAC mode, limited to the repository.
func (e *Env) grantFix(reg azure.Registry, role string) string {
	fix := fmt.Sprintf("Grant it: az role assignment create --assignee %s --role %q --scope %s", e.objectID(), role, reg.ID)
	if reg.ABAC() && e.Opts.Repository != "" {
		fix += fmt.Sprintf(" --condition-version 2.0 --condition \"((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase '%s'))\"", e.Opts.Repository)
	}
	return fix + " (role changes can take a few minutes; then log in again)"
}

func describeRoles(roles []azure.Assignment) string {
	if len(roles) == 0 {
		return "no role assignment at the registry or above"
	}
	var s []string
	for _, a := range roles {
		d := a.Role + " at " + scopeLevel(a.Scope)
		if a.Condition != "" {
			d += " (with a condition)"
		}
		s = append(s, d)
	}
	return strings.Join(s, ", ")
}

// scopeLevel names a scope the way the portal does: the registry, resource group rg, subscription s.
func scopeLevel(scope string) string {
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	switch {
	case len(parts) >= 8:
		return "the registry"
	case len(parts) >= 4 && strings.EqualFold(parts[2], "resourceGroups"):
		return "resource group " + parts[3]
	case len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions"):
		return "subscription " + parts[1]
	}
	return scope
}

var conditionLiteral = regexp.MustCompile(`(StringEqualsIgnoreCase|StringEquals|StringStartsWithIgnoreCase|StringStartsWith|StringLike)\s+'([^']*)'`)

// conditionAllows says whether an ABAC condition lets the role act on repo: no condition, or one naming
// the repository (equal, prefix or wildcard).
func conditionAllows(cond, repo string) bool {
	if strings.TrimSpace(cond) == "" {
		return true
	}
	for _, m := range conditionLiteral.FindAllStringSubmatch(cond, -1) {
		op, lit := m[1], m[2]
		switch {
		case strings.HasPrefix(op, "StringEquals") && strings.EqualFold(lit, repo):
			return true
		case strings.HasPrefix(op, "StringStartsWith") && strings.HasPrefix(strings.ToLower(repo), strings.ToLower(lit)):
			return true
		case op == "StringLike" && likeMatch(lit, repo):
			return true
		}
	}
	return false
}

func likeMatch(pattern, s string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	ok, _ := regexp.MatchString("(?i)"+re, s)
	return ok
}

// storedUserCheck: the username Docker holds for the registry, as Azure knows it: a repository-scoped token
// (status, scope map, password expiry) or the admin user.
func storedUserCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	if e.Docker == nil {
		return skip("not run by the docker CLI")
	}
	a, err := e.Docker.StoredAuth(e.LS.Host)
	user := a.Username
	// A username with an identity token is what `docker login -u <token name>` leaves: still that token.
	if err != nil || user == "" || user == "<token>" || user == loginserver.EmptyGUID {
		return skip("Docker holds no username and password for " + e.LS.Host)
	}
	if looksLikeGUID(user) {
		return skip("Docker holds a service principal's credentials (app id " + user + "); its roles are what the registry checks")
	}
	reg, skipped := e.registryOrSkip()
	if skipped != nil {
		return *skipped
	}
	if strings.EqualFold(user, reg.Name) {
		if !reg.AdminUserEnabled {
			return e.fail(cause.AuthAdminUserDisabled, "Docker holds admin-user credentials ("+user+"), and "+reg.Name+"'s admin user is disabled", "")
		}
		return pass("Docker holds the admin user's credentials; the admin user is enabled (an Entra identity is safer: docker acrcheck setup " + e.LS.Host + ")")
	}
	ctx, cancel := e.armContext()
	defer cancel()
	tok, err := e.ARM.Token(ctx, reg.Ref, user)
	switch {
	case azure.IsNotFound(err):
		return e.fail(cause.AuthInvalidCredentials, fmt.Sprintf("Docker holds credentials for user %q, which is neither a token of %s nor its admin user", user, reg.Name),
			"log in with an Entra identity (docker acrcheck setup "+e.LS.Host+") or with a token: az acr token list -r "+reg.Name+" -o table")
	case azure.IsDenied(err):
		return skip("this identity may not read token " + user + " (" + err.Error() + "); " + e.readerHint(reg.ID))
	case err != nil:
		return skip("could not read token " + user + ": " + cause.Summarize(err.Error()))
	}
	fixCred := fmt.Sprintf("az acr token credential generate --name %s --registry %s --password1; then docker login %s -u %s --password-stdin", user, reg.Name, e.LS.Host, user)
	if !tok.Enabled {
		r := e.fail(cause.AuthzRepoScopedToken, "Docker logs in with token "+user+", which is disabled", "scope map "+tok.ScopeMap)
		r.Fix = fmt.Sprintf("Enable it: az acr token update --name %s --registry %s --status enabled", user, reg.Name)
		return r
	}
	if tok.ValidPasswords(time.Now()) == 0 {
		var exp []string
		for _, p := range tok.Passwords {
			exp = append(exp, p.UTC().Format(time.RFC3339))
		}
		r := e.fail(cause.AuthzRepoScopedToken, "every password of token "+user+" has expired", "expired: "+strings.Join(exp, ", "))
		r.Fix = "New password: " + fixCred
		return r
	}
	if e.Opts.Repository != "" {
		if ok, want := tok.Allows(e.Opts.Repository, e.Opts.Action); !ok {
			r := e.fail(cause.AuthzRepoScopedToken, fmt.Sprintf("token %s's scope map %s does not allow %s on %s", user, tok.ScopeMap, e.Opts.Action, e.Opts.Repository),
				"scope map actions: "+strings.Join(tok.Actions, ", "))
			r.Fix = fmt.Sprintf("Add the action: az acr scope-map update --name %s --registry %s --add-repository %s %s", tok.ScopeMap, reg.Name, e.Opts.Repository, strings.TrimPrefix(want, "repositories/"+e.Opts.Repository+"/"))
			return r
		}
	}
	return pass(fmt.Sprintf("Docker logs in with token %s: enabled, scope map %s (%s)", user, tok.ScopeMap, strings.Join(tok.Actions, ", ")))
}

func looksLikeGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// loginEventsCheck: does the registry record login attempts where `docker acrcheck logs` can read them.
func loginEventsCheck(_ context.Context, e *Env) Result {
	reg, skipped := e.registryOrSkip()
	if skipped != nil {
		return *skipped
	}
	ctx, cancel := e.armContext()
	defer cancel()
	settings, err := e.ARM.LoginEventSettings(ctx, reg.Ref)
	switch {
	case azure.IsDenied(err):
		return skip("this identity may not read the registry's diagnostic settings (" + err.Error() + "); " + e.readerHint(reg.ID))
	case err != nil:
		return skip("could not read diagnostic settings: " + cause.Summarize(err.Error()))
	}
	for _, s := range settings {
		if s.Workspace != "" {
			return pass(fmt.Sprintf("login events go to Log Analytics (%s, setting %s): docker acrcheck logs %s", lastSegment(s.Workspace), s.Name, e.LS.Host))
		}
	}
	r := pass("login events are not sent to Log Analytics: failed logins are not recorded")
	r.Detail = EnableLoginEventsCommand(reg.ID)
	return r
}

// EnableLoginEventsCommand is the command that sends a registry's login events to a workspace.
func EnableLoginEventsCommand(registryID string) string {
	return "enable them: az monitor diagnostic-settings create --name acr-login-events --resource " + registryID +
		" --workspace <Log Analytics workspace id> --logs '[{\"category\":\"ContainerRegistryLoginEvents\",\"enabled\":true}]'"
}

func lastSegment(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}
