package renew

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// Exchanger trades an Entra token for an ACR refresh token; acr.Client is one.
type Exchanger interface {
	Exchange(ctx context.Context, ls loginserver.LoginServer, tenant, entraToken string) (string, error)
}

// Renewer gets a fresh ACR refresh token for a registry from the machine's Entra identity.
type Renewer struct {
	Source Source
	ACR    Exchanger
}

// Renewed is a fresh refresh token and what it says.
type Renewed struct {
	RefreshToken string
	Claims       jwt.Claims // of the refresh token
	Entra        jwt.Claims // of the Entra token that was exchanged
	Audience     string     // the Entra scope that worked
	ARMFallback  bool       // the ACR audience failed and the ARM audience worked
}

// EntraError is a failure to get an Entra token for any audience.
type EntraError struct {
	Err error
}

func (e *EntraError) Error() string { return "get an Entra ID token: " + e.Err.Error() }
func (e *EntraError) Unwrap() error { return e.Err }

// FallbackError is the failure of the ARM-audience attempt after the ACR audience failed.
type FallbackError struct {
	Err            error // the ARM-audience attempt's failure
	ACRErr         error // the ACR-audience attempt's failure
	ACREntraFailed bool  // Entra ID gave no ACR-audience token at all
}

func (e *FallbackError) Error() string { return e.Err.Error() }
func (e *FallbackError) Unwrap() error { return e.Err }

// EntraToken gets an Entra token for a registry by the one audience policy: the ACR audience, else the ARM
// audience of the registry's cloud. acrErr is the ACR audience's failure when the ARM audience answered;
// err (an *EntraError) says that neither did, with the ACR audience's reason.
func EntraToken(ctx context.Context, src Source, ls loginserver.LoginServer) (tok, scope string, acrErr, err error) {
	tok, acrErr = src.Token(ctx, ScopeACR)
	if acrErr == nil {
		return tok, ScopeACR, nil, nil
	}
	scope = ARMScope(ls.Cloud.Name)
	if tok, err = src.Token(ctx, scope); err != nil {
		return "", "", acrErr, &EntraError{Err: acrErr}
	}
	return tok, scope, acrErr, nil
}

// Renew asks Entra ID for an ACR-audience token and exchanges it; when the ACR audience cannot be had (Azure
// Local, some SSO setups) or the exchange answers 401 for it, it tries the ARM audience of the registry's cloud.
func (r *Renewer) Renew(ctx context.Context, ls loginserver.LoginServer) (Renewed, error) {
	first, err := r.try(ctx, ls, ScopeACR)
	if err == nil {
		return first, nil
	}
	var re *acr.ResponseError
	var ee *EntraError
	entraFailed := errors.As(err, &ee)
	exchangeRefused := errors.As(err, &re) && re.Status == http.StatusUnauthorized
	if !entraFailed && !exchangeRefused {
		return Renewed{}, err
	}
	second, err2 := r.try(ctx, ls, ARMScope(ls.Cloud.Name))
	if err2 != nil {
		// The ACR-audience failure is the one to report, unless Entra gave no token for it at all.
		if errors.As(err, &ee) {
			return Renewed{}, &FallbackError{Err: err2, ACRErr: err, ACREntraFailed: true}
		}
		return Renewed{}, err
	}
	second.ARMFallback = true
	return second, nil
}

func (r *Renewer) try(ctx context.Context, ls loginserver.LoginServer, scope string) (Renewed, error) {
	entra, err := r.Source.Token(ctx, scope)
	if err != nil {
		return Renewed{}, &EntraError{Err: err}
	}
	ec, err := jwt.Inspect(entra)
	if err != nil {
		return Renewed{}, &EntraError{Err: fmt.Errorf("the Entra token is unreadable: %w", err)}
	}
	rt, err := r.ACR.Exchange(ctx, ls, ec.Tenant, entra)
	if err != nil {
		return Renewed{}, err
	}
	rc, err := jwt.Inspect(rt)
	if err != nil {
		return Renewed{}, fmt.Errorf("exchange with %s: the refresh token is unreadable: %w", ls.Host, err)
	}
	return Renewed{RefreshToken: rt, Claims: rc, Entra: ec, Audience: scope}, nil
}
