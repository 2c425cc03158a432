// Package acrtest stands in for Azure on loopback so that tests and the demo can drive the real acrdiag
// binaries, the real docker CLI, dockerd and crane without any traffic leaving the machine.
//
// One Kit holds:
//   - a test CA, minting a leaf certificate for whatever name a client asks for (SNI), and a bundle for
//     SSL_CERT_FILE (system roots plus the test CA);
//   - a CONNECT proxy for HTTPS_PROXY and HTTP_PROXY that routes the Azure host names the kit serves to its TLS
//     server, keeps the real names, refuses everything else, and can misbehave on demand;
//   - a fake Entra ID (login.microsoftonline.com) issuing JWTs for configured identities, a managed identity
//     endpoint, and a fake `az` executable;
//   - an ACR emulator per registry (challenge, exchange, token service, data endpoint redirects) in front of a
//     real OCI registry (go-containerregistry's pkg/registry) that serves only requests carrying its tokens;
//   - a request log that tests assert on.
//
// The kit is test code: the acrdiag binaries never import it.
package acrtest
