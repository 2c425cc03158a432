// Package tokencache keeps ACR refresh tokens on disk for the credential helper: one locked file per
// registry and identity, shared by concurrent helpers, so that one exchange serves them all; short-lived
// failures are shared the same way. NullCache keeps nothing.
package tokencache
