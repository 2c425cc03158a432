// Package check diagnoses one registry end to end: the Docker environment, the login-server name, the
// proxy, DNS, TCP, TLS, the /v2/ challenge, the Entra identity, the exchange, permissions and data endpoints.
//
// Checks run in parallel, each with its own deadline. What several need (an Entra token, a refresh token, an
// access token) is computed once and shared, so the diagnosis takes about as long as its slowest check.
// Every finding names a cause of the catalogue (package cause) with its fix.
package check
