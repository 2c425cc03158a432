package loginserver

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// EmptyGUID is the only username ACR accepts with a token as the password; any other makes ACR take the
// token for a password and refuse it.
const EmptyGUID = "00000000-0000-0000-0000-000000000000"

// Cloud is an Azure cloud and the login-server suffix of its registries.
type Cloud struct {
	Name   string // as azure-cli names it: AzureCloud, AzureChinaCloud...
	Suffix string // login-server suffix without the leading dot
}

// Clouds is the built-in suffix table (acr-protocol reference 4.1). Azure Germany (azurecr.de) closed in
// 2021: its suffix is no longer ACR.
var Clouds = []Cloud{
	{"AzureCloud", "azurecr.io"},
	{"AzureChinaCloud", "azurecr.cn"},
	{"AzureUSGovernment", "azurecr.us"},
	{"USNat", "azurecr.eaglex.ic.gov"},
	{"USSec", "azurecr.microsoft.scloud"},
}

// LoginServer is a parsed, validated ACR login server.
type LoginServer struct {
	Host     string // lower case, no port: the key Docker stores credentials under and the token audience
	Registry string // the registry's label, e.g. myregistry or myregistry-e7ggejfuhzhgedc8
	Region   string // set for a regional endpoint: myregistry.eastus.geo.azurecr.io
	Cloud    Cloud
}

// ErrNotACR means the input is not an ACR login server at all: the helper answers "not found" for it
// without any network call.
var ErrNotACR = errors.New("not an Azure Container Registry login server")

// NameError is an input that is meant as an ACR login server but cannot work as one.
type NameError struct {
	Input      string
	Reason     string
	Suggestion string // the login server to use instead, when one can be guessed
}

func (e *NameError) Error() string {
	msg := fmt.Sprintf("%q is not a usable registry login server: %s", e.Input, e.Reason)
	if e.Suggestion != "" {
		msg += fmt.Sprintf("; use %s", e.Suggestion)
	}
	return msg
}

// alnum reports whether s is min to max lower-case letters and digits. (Hand-written rather than a regular
// expression: the credential helper parses a host on every call, and compiling patterns costs start-up time.)
func alnum(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// validRegistryLabel accepts a registry name, or one with the hash that domain name label scopes add:
// contosoacrregistry-e7ggejfuhzhgedc8.azurecr.io.
func validRegistryLabel(s string) bool {
	name, hash, dnl := strings.Cut(s, "-")
	if !dnl {
		return alnum(s, 5, 50)
	}
	return alnum(name, 5, 50) && alnum(hash, 6, 32)
}

// ParseLoginServer extracts and validates the login server from what a client passes to a credential
// helper: a bare host, https://host, host/v2/, host/repository, host:443. extraSuffixes are login-server
// suffixes an administrator added (private clouds). It returns ErrNotACR for anything that is not meant
// as ACR, and a *NameError for an ACR name that cannot work.
func ParseLoginServer(input string, extraSuffixes ...string) (LoginServer, error) {
	raw := strings.TrimSpace(input)
	if raw == "" || len(raw) > 1024 || strings.ContainsFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return LoginServer{}, ErrNotACR
	}
	s := raw
	plainHTTP := false
	if i := strings.Index(s, "://"); i >= 0 {
		scheme := strings.ToLower(s[:i])
		if scheme != "https" && scheme != "http" {
			return LoginServer{}, ErrNotACR
		}
		plainHTTP = scheme == "http"
		s = s[i+3:]
	}
	hostport, _, _ := strings.Cut(s, "/")
	if !isASCII(hostport) {
		// Unicode case folding would turn healthy.azurecr.\u0130o or a Kelvin sign into an ASCII registry's
		// name while a client using IDNA contacts another host: only ASCII names are ever ACR.
		return LoginServer{}, ErrNotACR
	}
	if strings.Contains(hostport, "@") {
		// user info: never send a token to a host written with credentials in it
		return LoginServer{}, ErrNotACR
	}
	host := hostport
	if i := strings.LastIndex(hostport, ":"); i >= 0 {
		// net.SplitHostPort would pull in the net package's start-up cost; ACR hosts are never IPv6 literals.
		if hostport[i+1:] != "443" || strings.ContainsAny(hostport[:i], ":[]") {
			return LoginServer{}, ErrNotACR
		}
		host = hostport[:i]
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if _, err := url.Parse("https://" + host); err != nil || host == "" {
		return LoginServer{}, ErrNotACR
	}
	cloud, label, ok := matchSuffix(host, extraSuffixes)
	if !ok {
		return LoginServer{}, ErrNotACR
	}
	ls := LoginServer{Host: host, Cloud: cloud}
	nameErr := func(reason, suggestion string) (LoginServer, error) {
		return LoginServer{}, &NameError{Input: raw, Reason: reason, Suggestion: suggestion}
	}
	if label == "" {
		return nameErr("the registry name is missing before ."+cloud.Suffix, "")
	}
	parts := strings.Split(label, ".")
	switch {
	case len(parts) == 2 && parts[1] == "privatelink":
		return nameErr("the privatelink name is resolved by DNS only; Docker and the registry's certificate use the public name",
			parts[0]+"."+cloud.Suffix)
	case len(parts) == 3 && parts[2] == "data":
		return nameErr("this is a data endpoint, which serves layer downloads, not logins", parts[0]+"."+cloud.Suffix)
	case len(parts) == 3 && parts[2] == "geo" && alnum(parts[1], 2, 40):
		ls.Region = parts[1]
	case len(parts) != 1:
		return nameErr("a login server is <registry>."+cloud.Suffix, "")
	}
	ls.Registry = parts[0]
	if strings.HasPrefix(ls.Registry, "xn--") || !validRegistryLabel(ls.Registry) {
		return nameErr("registry names are 5 to 50 letters and digits (plus a -hash suffix for domain name label scopes)", "")
	}
	if plainHTTP {
		// a client that asks for http:// would send the token unencrypted: ACR serves HTTPS only
		return nameErr("ACR serves HTTPS only; a client configured with http:// would send its credentials unencrypted", ls.Host)
	}
	return ls, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ValidSuffix is an administrator's suffix that can only name registries: at least two labels of
// letters, digits and hyphens (a suffix such as "io" would make every *.io host "ACR").
func ValidSuffix(s string) bool {
	s = strings.Trim(strings.ToLower(strings.TrimSpace(s)), ".")
	labels := strings.Split(s, ".")
	if len(labels) < 2 || !isASCII(s) {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

// matchSuffix finds the cloud whose suffix ends host, anchored at a label boundary, and returns the labels
// before it. evilazurecr.io and azurecr.io.evil.example do not match.
func matchSuffix(host string, extra []string) (Cloud, string, bool) {
	clouds := Clouds
	for _, s := range extra {
		s = strings.Trim(strings.ToLower(strings.TrimSpace(s)), ".")
		if ValidSuffix(s) {
			clouds = append(clouds[:len(clouds):len(clouds)], Cloud{Name: "custom", Suffix: s})
		}
	}
	for _, c := range clouds {
		if host == c.Suffix {
			return c, "", true
		}
		if label, ok := strings.CutSuffix(host, "."+c.Suffix); ok {
			return c, label, true
		}
	}
	return Cloud{}, "", false
}
