// Package e2e holds black-box tests of the built acrdiag binaries, driven by the real docker CLI, dockerd and
// crane against the acrtest kit on loopback. A test whose tool is missing skips with the reason; with
// ACRDIAG_E2E=require (set by CI) it fails instead.
package e2e
