// Package helper is docker-credential-acrdiag: a credentials.Helper that answers ACR hosts from the
// machine's Entra identity (through the token cache), keeps what `docker login` stores in a backing store,
// guards stored credentials against the known traps, and records every failure for `docker acrcheck`.
package helper
