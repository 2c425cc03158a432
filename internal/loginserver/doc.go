// Package loginserver knows what an Azure Container Registry login server looks like: parsing and validation
// of what clients pass to a credential helper, per cloud, with the suffixes an administrator adds, and the
// login server a mistyped name meant. It has no network code, so the credential helper can link it
// without paying for net/http.
package loginserver
