// Package registry knows what an Azure Container Registry login server looks like and how to talk to its
// token service: login-server parsing and validation per cloud, the Www-Authenticate challenge, the
// /oauth2/exchange and /oauth2/token calls, and ACR's error bodies.
package registry
