package explain

import (
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// Facts is what a text says, before any cause is named: the first step of an explanation.
type Facts struct {
	Text  string // normalised text
	lower string

	Refs       []Ref      // registry references, in order of appearance
	Statuses   []Status   // HTTP statuses and the requests they answered
	Tool       string     // the program that printed the text, "" when it cannot be told
	Entra      []string   // AADSTS codes, e.g. "700016"
	Codes      []string   // ACR error codes and the Azure CLI's error names, upper case
	Network    []string   // network error forms: the net* constants
	Unresolved []string   // host names the text says did not resolve, lower case
	Resolver   string     // the DNS server that answered a failed lookup ("168.63.129.16"), "" when not said
	Action     string     // what the failing command did: pull, push, build, login, or ""
	Proxy      bool       // the text shows a proxy on the path
	Scopes     []Scope    // token scopes the text names (repository:app:pull,push), URL-encoded ones too
	DNS        *DNSAnswer // what a pasted nslookup, dig or ping output shows, nil when there is none
	Grants     []string   // OAuth grant types the text shows sent to the registry: password, refresh_token, access_token
	Phrases    []phraseOn // phrase-table signals that matched
}

// Network error forms, as Go, Python and Node spell them.
const (
	netNXDomain   = "dns-no-such-host"  // the resolver answered that the name does not exist
	netDNSServer  = "dns-server"        // the resolver itself failed (misbehaving, timeout, EAI_AGAIN)
	netTimeout    = "timeout"           // connect or headers timed out
	netReset      = "reset"             // connection reset or closed mid-way (EOF)
	netRefused    = "refused"           // connection refused
	netTLSCA      = "tls-unknown-ca"    // certificate signed by an unknown authority
	netTLSName    = "tls-name-mismatch" // certificate valid for other names
	netTLSExpired = "tls-expired"       // certificate expired or not yet valid
	netTLSOther   = "tls"               // another TLS failure
	netProxy      = "proxy"             // proxyconnect, tunnel or proxy errors
	netProxyAuth  = "proxy-auth"        // 407 Proxy Authentication Required
	netPrivateIP  = "private-ip"        // a connection to a private address failed
	netNoRoute    = "no-route"          // no route to host, network unreachable
)

// Extract turns text into facts. It never fails: text it does not understand yields empty facts.
func Extract(text string) *Facts {
	text = Normalize(text)
	f := &Facts{Text: text, lower: strings.ToLower(text)}
	f.Refs = findRefs(text, f.lower)
	f.Statuses = findStatuses(text, f.lower)
	f.Tool = findTool(f.lower)
	if strings.Contains(text, "AADSTS") {
		f.Entra = findEntraCodes(text)
	}
	if mentions(f.lower, `"code"`, "code=", "connectivity_", "docker_", "login_server", "manifest_unknown", "name_unknown",
		"blob_unknown", "toomanyrequests", "authorizationfailed", "resourcenotfound", "resourcegroupnotfound",
		"invalidauthenticationinfo", "subscriptionnotfound", "invalidclienttokenid") {
		f.Codes = findCodes(text)
	}
	f.Network = findNetwork(f.lower)
	if f.has(netNXDomain) || f.has(netDNSServer) {
		f.Unresolved, f.Resolver = findUnresolved(f.lower)
	}
	if mentions(f.lower, "repository") {
		f.Scopes = findScopes(text)
	}
	f.DNS = findDNSAnswer(text, f.lower)
	if strings.Contains(f.lower, "grant_type") {
		f.Grants = findGrants(f.lower)
	}
	f.Action = findAction(f.lower)
	for _, sc := range f.Scopes {
		if f.Action == "" || f.Action == "login" {
			f.Action = "pull"
			if slices.Contains(sc.Actions, "push") {
				f.Action = "push"
			}
		}
	}
	if f.Action == "" && slices.ContainsFunc(f.Statuses, func(s Status) bool { return s.Request == reqChallenge }) {
		f.Action = "login" // only the /v2/ check failed: docker login's own request
	}
	f.Proxy = f.has(netProxy) || f.has(netProxyAuth) || strings.Contains(f.lower, "proxyconnect")
	joined := unwrap(text)
	f.Phrases = matchPhrases(joined, strings.ToLower(joined))
	return f
}

// wrapped is a line break inside a sentence, as terminals, CI logs and forum posts wrap long messages:
// "authentication required, visit https://aka.ms/acr/authorization for\nmore information".
var wrapped = lazyre.New(`([a-z,;])[ \t]*\n[ \t]*([a-z])`)

// unwrap joins wrapped lines and runs of blanks, so that a phrase matches however the text was wrapped.
func unwrap(text string) string {
	if !strings.Contains(text, "\n") && !strings.Contains(text, "  ") {
		return text
	}
	text = wrapped().ReplaceAllString(text, "$1 $2")
	return strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
}

// mentions is true when lower contains one of the literals: a cheap test before a regular expression is
// compiled and run (the hook explains in a few milliseconds, most of them compiling patterns otherwise).
func mentions(lower string, literals ...string) bool {
	for _, l := range literals {
		if strings.Contains(lower, l) {
			return true
		}
	}
	return false
}

func (f *Facts) has(network string) bool { return slices.Contains(f.Network, network) }

// contains reports whether the text (in lower case) holds one of s.
func (f *Facts) contains(s ...string) bool { return mentions(f.lower, s...) }

// Host is the first usable ACR login server the facts name, "" when none.
func (f *Facts) Host() string {
	for _, r := range f.Refs {
		if r.Host != "" && r.Problem == "" && !r.Placeholder {
			return r.Host
		}
	}
	for _, r := range f.Refs {
		if r.Suggestion != "" && !r.Placeholder {
			return r.Suggestion
		}
	}
	return ""
}

// namesACR reports whether the text names an ACR login server, a redacted one (<acr-name>.azurecr.io)
// included: enough to tell that a failed lookup was the registry's.
func (f *Facts) namesACR() bool {
	return slices.ContainsFunc(f.Refs, func(r Ref) bool { return r.Host != "" && r.Problem == "" })
}

// Repository is the first repository the text names in a token scope or an image reference on Host, ""
// when none.
func (f *Facts) Repository() string {
	for _, sc := range f.Scopes {
		return sc.Repository
	}
	host := f.Host()
	for _, r := range f.Refs {
		if r.Repository != "" && (r.Host == host || r.Suggestion == host) {
			return r.Repository
		}
	}
	return ""
}

// Scope is a registry token scope: the repository and the actions asked for.
type Scope struct {
	Repository string   `json:"repository"`
	Actions    []string `json:"actions"`
}

// grantForm is a grant type in a form body, a URL (grant_type%3Drefresh_token) or JSON.
var grantForm = lazyre.New(`grant_type(?:=|%3d|"\s*:\s*")(password|refresh_token|access_token|authorization_code|client_credentials)`)

func findGrants(lower string) []string {
	var out []string
	for _, m := range grantForm().FindAllStringSubmatch(lower, -1) {
		out = appendOnce(out, m[1])
	}
	return out
}

var scopeForm = lazyre.New(`repository:([a-z0-9][a-z0-9._/-]*):([a-z_*]+(?:,[a-z_*]+)*)`)

// findScopes reads the scopes of token requests and challenges, decoding URL-encoded ones
// (scope=repository%3Aapp%3Apull%2Cpush).
func findScopes(text string) []Scope {
	decoded := strings.NewReplacer("%3A", ":", "%3a", ":", "%2C", ",", "%2c", ",", "%2F", "/", "%2f", "/").Replace(text)
	var out []Scope
	for _, m := range scopeForm().FindAllStringSubmatch(decoded, -1) {
		sc := Scope{Repository: m[1], Actions: strings.Split(m[2], ",")}
		if !slices.ContainsFunc(out, func(o Scope) bool { return o.Repository == sc.Repository && slices.Equal(o.Actions, sc.Actions) }) {
			out = append(out, sc)
		}
	}
	return out
}
