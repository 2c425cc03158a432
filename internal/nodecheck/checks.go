package nodecheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/azurejson"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/kubelet"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/nodeidentity"
)

// Checks are the node's checks, in the order a report lists them.
func (s *Setup) Checks() []check.Check {
	local := func(f func() check.Result) func(context.Context, *check.Env) check.Result {
		return func(context.Context, *check.Env) check.Result { return f() }
	}
	return []check.Check{
		{ID: "kubelet_config", Run: local(s.configCheck)},
		{ID: "provider_match", Run: local(s.matchCheck)},
		{ID: "provider_binary", Run: local(s.binaryCheck)},
		{ID: "token_attributes", Run: local(s.tokenAttributesCheck)},
		{ID: "azure_json", Run: local(s.azureJSONCheck)},
		{ID: "node_identity", Run: local(s.identityCheck)},
		{ID: "provider_failure", Run: local(s.failureCheck)},
	}
}

// DockerOnly are the registry checks that look at Docker, which a node's kubelet does not use.
var DockerOnly = []string{"docker_client", "docker_daemon", "docker_credentials", "docker_sides", "stored_user"}

func (s *Setup) fail(id, summary, detail string) check.Result {
	return check.Result{Status: check.Fail, Summary: summary, Detail: detail, Cause: id, Fix: cause.FixWithEvidence(id, s.Opts.Host, detail)}
}

func (s *Setup) configFix(fix string) check.Result {
	r := s.fail(cause.KubeletProviderConfig, "", "")
	r.Fix = fix + "; then restart the kubelet (systemctl restart kubelet)"
	return r
}

func (s *Setup) configCheck() check.Result {
	if s.ConfigErr != nil {
		r := s.configFix(fmt.Sprintf("Write a CredentialProviderConfig for acrdiag (see acrdiag's README, Kubernetes nodes) and start the kubelet with %s=FILE and %s=DIR", flagProviderConfig, flagBinDir))
		r.Summary = fmt.Sprintf("the kubelet's credential provider config %s (%s) cannot be used", s.ConfigPath, s.ConfigFrom)
		r.Detail = cause.Summarize(s.ConfigErr.Error())
		if errors.Is(s.ConfigErr, os.ErrNotExist) {
			r.Detail = "it does not exist: the kubelet runs no credential provider and pulls from the registry without credentials"
		}
		return r
	}
	if p := s.Config.Problems(); len(p) > 0 {
		r := s.configFix("Fix " + s.ConfigPath + ": " + strings.Join(p, "; "))
		r.Summary = fmt.Sprintf("the kubelet refuses %s (%s): %d problem(s)", s.ConfigPath, s.ConfigFrom, len(p))
		r.Detail = strings.Join(p, "; ")
		return r
	}
	names := make([]string, len(s.Config.Providers))
	for i, p := range s.Config.Providers {
		names[i] = p.Name
	}
	return check.Result{Status: check.Pass, Summary: fmt.Sprintf("%s (%s): providers %s", s.ConfigPath, s.ConfigFrom, strings.Join(names, ", "))}
}

func (s *Setup) matchCheck() check.Result {
	if s.ConfigErr != nil {
		return check.Result{Status: check.Skip, Summary: "no usable credential provider config"}
	}
	if s.Provider == nil {
		var patterns []string
		for _, p := range s.Config.Providers {
			patterns = append(patterns, p.Name+": "+strings.Join(p.MatchImages, " "))
		}
		r := s.configFix(fmt.Sprintf("Add %q (or the login server itself) to the acrdiag provider's matchImages", "*."+cloudSuffix(s.Opts.Host)))
		r.Summary = fmt.Sprintf("no provider's matchImages match %s: the kubelet pulls it without credentials", s.Opts.Image)
		r.Detail = "a pattern matches when it has as many host labels (a * never spans a dot), the same port, and a path that prefixes the image's; patterns: " +
			strings.Join(patterns, "; ")
		return r
	}
	p := s.Provider
	summary := fmt.Sprintf("%s matches %s of provider %s", s.Opts.Image, matchedPattern(*p, s.Opts.Image), p.Name)
	var detail string
	if len(s.Matching) > 1 {
		var others []string
		for _, o := range s.Matching[1:] {
			others = append(others, o.Name)
		}
		detail = "the kubelet runs " + strings.Join(others, ", ") + " too and merges the answers; for the same key the earlier provider's wins"
	}
	if !s.IsAcrdiag() {
		return check.Result{Status: check.Warn, Summary: summary + ", which is not acrdiag's kubelet-credential-provider",
			Detail: strings.TrimPrefix(detail+"; acr-credential-provider asks the ACR audience only (no ARM fallback), hands a service principal's secret to the registry, takes the tenant from azure.json for service account tokens and says nothing about failures", "; ")}
	}
	return check.Result{Status: check.Pass, Summary: summary + " (acrdiag " + strings.Join(p.Args, " ") + ")", Detail: detail}
}

func matchedPattern(p kubelet.Provider, image string) string {
	for _, m := range p.MatchImages {
		if kubelet.MatchImage(m, image) {
			return fmt.Sprintf("%q", m)
		}
	}
	return ""
}

func cloudSuffix(host string) string {
	_, suffix, _ := strings.Cut(host, ".")
	return suffix
}

func (s *Setup) binaryCheck() check.Result {
	if s.Provider == nil {
		return check.Result{Status: check.Skip, Summary: "no provider runs for " + s.Opts.Image}
	}
	path := filepath.Join(s.BinDir, s.Provider.Name)
	fix := fmt.Sprintf("Install it there: install -m 0755 $(command -v acrdiag) %s (the kubelet runs the file named like the provider, from %s)", path, flagBinDir)
	st, err := os.Stat(path)
	switch {
	case err != nil:
		r := s.configFix(fix)
		r.Summary = fmt.Sprintf("the kubelet cannot run provider %s: %s is missing (bin dir: %s)", s.Provider.Name, path, s.BinDirFrom)
		r.Detail = cause.Summarize(err.Error())
		return r
	case !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0:
		r := s.configFix(fix)
		r.Summary = fmt.Sprintf("the kubelet cannot run %s: it is not an executable file (%s)", path, st.Mode())
		return r
	}
	summary := fmt.Sprintf("%s (%s, %s)", path, s.BinDirFrom, st.Mode().Perm())
	if target, err := filepath.EvalSymlinks(path); err == nil && target != path {
		summary += " -> " + target
	}
	return check.Result{Status: check.Pass, Summary: summary}
}

// audienceRBAC is what ServiceAccountNodeAudienceRestriction needs, which the node cannot see.
func audienceRBAC(aud string) string {
	return fmt.Sprintf("the kubelet may ask for audience %s only when pods on this node already use it, or when RBAC grants the group system:nodes the verb request-serviceaccounts-token-audience on the resource %q (ServiceAccountNodeAudienceRestriction; not visible from the node: kubectl auth can-i request-serviceaccounts-token-audience %q --as=system:node:$(hostname) --as-group=system:nodes)",
		aud, aud, aud)
}

func (s *Setup) tokenAttributesCheck() check.Result {
	if s.Provider == nil {
		return check.Result{Status: check.Skip, Summary: "no provider runs for " + s.Opts.Image}
	}
	t := s.Provider.TokenAttributes
	if t == nil {
		return check.Result{Status: check.Pass, Summary: "no tokenAttributes: every pod's pulls use the node's identity"}
	}
	summary := fmt.Sprintf("service account tokens for audience %s, cacheType %s", t.ServiceAccountTokenAudience, t.CacheType)
	var missing []string
	for _, k := range []string{kubelet.AnnotationClientID, kubelet.AnnotationTenantID} {
		if !t.PassesAnnotation(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 && s.IsAcrdiag() {
		r := s.fail(cause.KubeletSAAnnotations, summary+": the kubelet does not pass "+strings.Join(missing, " and "),
			"acrdiag needs both annotations to exchange a service account token; add them to tokenAttributes.requiredServiceAccountAnnotationKeys")
		return r
	}
	var warnings []string
	if t.ServiceAccountTokenAudience != kubelet.TokenExchangeAudience {
		warnings = append(warnings, fmt.Sprintf("Entra ID federated credentials expect the audience %s; one for %s must list it", kubelet.TokenExchangeAudience, t.ServiceAccountTokenAudience))
	}
	if t.CacheType != "ServiceAccount" {
		warnings = append(warnings, "cacheType ServiceAccount shares a token among the pods of one service account, which have one identity; Token asks again for every pod")
	}
	detail := strings.Join(append(warnings, audienceRBAC(t.ServiceAccountTokenAudience),
		"the checks below use the node's identity; a pod's pulls use its service account's"), "; ")
	if len(warnings) > 0 {
		return check.Result{Status: check.Warn, Summary: summary, Detail: detail}
	}
	return check.Result{Status: check.Pass, Summary: summary, Detail: detail}
}

func (s *Setup) azureJSONCheck() check.Result {
	switch {
	case s.AzureJSONPath == "":
		return check.Result{Status: check.Skip, Summary: "no azure.json given to the provider: it uses " + s.identityText()}
	case s.AzureJSONErr != nil:
		return s.fail(cause.KubeletAzureJSON, fmt.Sprintf("%s (%s) cannot be used", s.AzureJSONPath, s.AzureJSONFrom), cause.Summarize(s.AzureJSONErr.Error()))
	}
	id, err := s.AzureJSON.Identity()
	if err != nil {
		return s.fail(cause.KubeletAzureJSON, fmt.Sprintf("%s (%s) names no usable identity", s.AzureJSONPath, s.AzureJSONFrom), err.Error())
	}
	summary := fmt.Sprintf("%s (%s): %s", s.AzureJSONPath, s.AzureJSONFrom, id)
	if c := s.AzureJSON.CloudName(); c != "" {
		summary += ", " + c
	}
	if s.AzureJSON.Location != "" {
		summary += ", " + s.AzureJSON.Location
	}
	if id.Kind == azurejson.ServicePrincipal {
		return check.Result{Status: check.Pass, Summary: summary, Detail: "acrdiag signs in to Entra ID with the secret and hands the registry only the ACR token (acr-credential-provider would hand it the secret)"}
	}
	return check.Result{Status: check.Pass, Summary: summary}
}

func (s *Setup) identityText() string {
	if s.IdentityErr != nil {
		return "no identity"
	}
	return s.Identity.Description
}

func (s *Setup) identityCheck() check.Result {
	if s.IdentityErr != nil {
		id := cause.KubeletAzureJSON
		var ae *nodeidentity.AnnotationError
		if errors.As(s.IdentityErr, &ae) {
			id = cause.KubeletSAAnnotations
		}
		return s.fail(id, "the provider has no identity to sign in with", s.IdentityErr.Error())
	}
	summary := "the provider signs in as " + s.Identity.Description
	if s.Identity.Mode == nodeidentity.Flags {
		summary += " (its --client-id or --resource-id)"
	}
	return check.Result{Status: check.Pass, Summary: summary,
		Detail: "the identity check below shows the token it gets, the roles check what it may do"}
}

func (s *Setup) failureCheck() check.Result {
	if s.CacheDir == "" {
		return check.Result{Status: check.Skip, Summary: "the provider's failure record has no known place: set ACRDIAG_CACHE_DIR in the provider's env"}
	}
	records, err := lastfailure.Read(s.CacheDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return check.Result{Status: check.Skip, Summary: "the provider's failure record cannot be read", Detail: err.Error()}
	}
	i := slices.IndexFunc(records, func(r lastfailure.Record) bool {
		return r.Action == "kubelet" && (r.Host == s.Opts.Host || r.Host == "")
	})
	if i < 0 {
		return check.Result{Status: check.Pass, Summary: "no failure of the provider recorded for " + s.Opts.Host + " (in " + s.CacheDir + ")"}
	}
	r := records[i]
	return check.Result{Status: check.Warn, Cause: r.Cause, Fix: cause.FixWithEvidence(r.Cause, s.Opts.Host, r.Detail),
		Summary: fmt.Sprintf("the provider failed %s ago: %s", time.Since(r.Time).Round(time.Second), r.Cause), Detail: r.Detail}
}
