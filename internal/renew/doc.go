// Package renew gets a fresh ACR refresh token from the machine's Entra identity: the azidentity credential
// chain, the exchange (ACR audience first, ARM audience as fallback), and the naming of what went wrong.
//
// It runs in the acrdiag engine (`acrdiag renew HOST`), which the credential helper
// executes on a cache miss: the helper itself links neither azidentity nor net/http, so that answering from
// its cache costs little more than starting a process.
package renew
