// Package engineproc is the contract between the light binaries and the acrdiag engine: where the engine
// is (Find), how the credential helper runs `acrdiag renew HOST` so that it and what it starts end with the
// helper (Renew), the one-line JSON answer they exchange (RenewResult), and the engine's side of that
// lifetime (EndWithParent).
package engineproc
