package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/renew"
)

// entraResult is the Entra token the identity gave, and for which audience.
type entraResult struct {
	Claims jwt.Claims
	Scope  string
	ACRErr error // the ACR audience failed and the ARM audience was used
}

func (e *Env) getEntra() (entraResult, error) {
	ctx, cancel := context.WithTimeout(e.ctx, e.timeout)
	defer cancel()
	tok, scope, acrErr, err := renew.EntraToken(ctx, e.Source, e.LS)
	if err != nil {
		return entraResult{}, err
	}
	c, err := jwt.Inspect(tok)
	if err != nil {
		return entraResult{}, fmt.Errorf("the Entra token is unreadable: %w", err)
	}
	return entraResult{Claims: c, Scope: scope, ACRErr: acrErr}, nil
}

// answeredBy names the credential of the chain that gave the token, as azidentity reported it; a token
// without a user from the Azure CLI is a service principal or managed identity signed in to az.
func (e *Env) answeredBy(c jwt.Claims) string {
	a, _ := e.Source.(renew.Answerer)
	if a == nil || a.Answered() == "" {
		return "the credential chain (which credential answered was not reported)"
	}
	name := a.Answered()
	if strings.HasPrefix(name, "AzureCLICredential") && c.UPN == "" {
		name = strings.TrimSuffix(name, ")") + ", signed in as an application: az login --service-principal or --identity)"
	}
	return name
}

// identityCheck: which Entra identity this machine has.
func identityCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	got, err := e.entra()
	if err != nil {
		cause, detail := renew.Classify(err)
		return e.fail(cause, "no Entra ID token for this machine's identity", detail)
	}
	c := got.Claims
	summary := fmt.Sprintf("%s from %s, tenant %s, app %s, token valid until %s", c.Identity(), e.answeredBy(c), c.Tenant, c.AppID,
		c.Expiry.Local().Format("15:04 MST"))
	if got.ACRErr != nil {
		return warn(summary+", ARM audience only", "no token for the ACR audience: "+cause.Summarize(got.ACRErr.Error())+
			"; registries with authentication-as-arm disabled will refuse it")
	}
	return pass(summary + ", ACR audience")
}

// exchangeCheck: the Entra token traded for an ACR refresh token.
func exchangeCheck(_ context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	r, err := e.refresh()
	if err != nil {
		var ee *renew.EntraError
		if errors.As(err, &ee) {
			return skip("no Entra token to exchange (see the identity check)")
		}
		if r, ok := e.unreachable("the exchange failed"); ok {
			return r
		}
		cause, detail := renew.Classify(err)
		return e.fail(cause, "the registry refuses this identity's token exchange", detail)
	}
	c := r.Claims
	if c.ExpiredBy(time.Now(), 0) {
		return e.fail(cause.AuthTokenExpired, "the registry issued a refresh token that expired at "+c.Expiry.UTC().Format(time.RFC3339),
			"check this machine's clock, and the registry's token lifetime")
	}
	summary := fmt.Sprintf("refresh token for %s, permissions %v, valid until %s", r.Entra.Identity(), c.Actions, c.Expiry.Local().Format("15:04 MST"))
	detail := ""
	if c.ABAC {
		detail = "the registry uses ABAC repository permissions: AcrPull and AcrPush do not apply, Container Registry Repository roles do"
	}
	if r.ARMFallback {
		return Result{Status: Pass, Summary: summary + " (with an ARM-audience token)", Detail: detail}
	}
	return Result{Status: Pass, Summary: summary, Detail: detail}
}

// anonymousCheck: does the registry serve anonymous pulls, and do stored credentials get in the way.
func anonymousCheck(ctx context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	repo := e.Opts.Repository
	if repo == "" {
		repo = "library/hello-world"
	}
	_, anon, err := e.ACR.AnonymousToken(ctx, e.LS, "repository:"+repo+":pull")
	if err != nil {
		return skip("could not ask: " + cause.Summarize(err.Error()))
	}
	if !anon {
		return pass("anonymous pull is disabled: pulls need credentials")
	}
	if e.Docker != nil {
		if a, err := e.Docker.StoredAuth(e.LS.Host); err == nil && a.Secret != "" && a.Helper != "acrdiag" {
			if c, err := jwt.Inspect(a.Secret); err == nil && c.ExpiredBy(time.Now(), 0) {
				return e.fail(cause.AuthAnonymousPullBlocked, "anonymous pull is enabled, but Docker holds an expired token for "+e.LS.Host+" ("+a.Source+")",
					"Docker sends stored credentials when it has them and does not fall back to anonymous")
			}
		}
	}
	return pass("anonymous pull is enabled: pulls work without credentials")
}

// accessResult is an access token for the repository and what it grants.
type accessResult struct {
	Token   string
	Granted []string
	Claims  jwt.Claims
}

func (e *Env) wantedActions() []string {
	if e.Opts.Action == "push" {
		return []string{"pull", "push"}
	}
	return []string{"pull"}
}

func (e *Env) getAccess() (accessResult, error) {
	r, err := e.refresh()
	if err != nil {
		return accessResult{}, err
	}
	ctx, cancel := context.WithTimeout(e.ctx, e.timeout)
	defer cancel()
	tok, err := e.ACR.AccessToken(ctx, e.LS, r.RefreshToken, "repository:"+e.Opts.Repository+":"+strings.Join(e.wantedActions(), ","))
	if err != nil {
		return accessResult{}, err
	}
	c, err := jwt.Inspect(tok)
	if err != nil {
		return accessResult{}, fmt.Errorf("the access token is unreadable: %w", err)
	}
	res := accessResult{Token: tok, Claims: c}
	for _, a := range c.Access {
		if a.Type == "repository" && a.Name == e.Opts.Repository {
			res.Granted = append(res.Granted, a.Actions...)
		}
	}
	return res, nil
}

// permissionsCheck: the access token for the repository, decoded: does it grant what --action needs.
func permissionsCheck(_ context.Context, e *Env) Result {
	if e.Name != nil || e.Opts.Repository == "" {
		return skip("no --repository given")
	}
	a, err := e.access()
	if err != nil {
		if _, rerr := e.refresh(); rerr != nil {
			return skip("no refresh token (see the exchange check)")
		}
		id, detail := renew.Classify(err)
		return e.fail(id, "the registry refuses an access token for "+e.Opts.Repository, detail)
	}
	for _, want := range e.wantedActions() {
		if !slices.Contains(a.Granted, want) && !slices.Contains(a.Granted, "*") {
			id := cause.AuthzPullDenied
			if want == "push" {
				id = cause.AuthzPushDenied
			}
			r, _ := e.refresh()
			detail := fmt.Sprintf("granted: %v; the identity's registry permissions: %v", a.Granted, r.Claims.Actions)
			if r.Claims.ABAC {
				detail += "; the registry uses ABAC: grant a Container Registry Repository role on this repository"
			}
			return e.fail(id, fmt.Sprintf("the identity may not %s %s", want, e.Opts.Repository), detail)
		}
	}
	return pass(fmt.Sprintf("the identity may %s %s (granted %v)", strings.Join(e.wantedActions(), " and "), e.Opts.Repository, a.Granted))
}
