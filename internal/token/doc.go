// Package token turns an Entra ID identity into ACR refresh tokens: the Entra token source (azidentity),
// the exchange with the ACR audience first and the ARM audience as fallback, JWT inspection without
// verification (expiry, tenant, permissions), and the on-disk token cache shared by concurrent helpers.
package token
