// Package jwt reads the claims of Entra ID and ACR tokens without verifying them (expiry, tenant, issuer,
// the registry permissions): acrdiag only shows a token, checks when it expires and hands it back to the
// service that issued it.
package jwt
