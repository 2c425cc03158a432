// Package acr calls a registry's token service over HTTP: the /oauth2/exchange of an Entra token for an ACR
// refresh token, the anonymous-pull probe, and ACR's error bodies. Tokens go only to a login server that
// passed loginserver.ParseLoginServer, over HTTPS, never through a redirect.
package acr
