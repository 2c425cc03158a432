package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// finding is one rule's vote for a cause, with the evidence it rests on.
type finding struct {
	cause    string
	weight   int // 4 decisive, 3 strong, 2 medium, 1 a hint among others
	evidence string
}

// rule looks at the facts and votes for causes.
type rule func(f *Facts) []finding

// rules run in order; each sees all facts, none sees another's votes. adjust (below) then applies what
// only the whole picture can tell.
var rules = []rule{ownLineRule, phraseRule, entraRule, codeRule, nameRule, statusRule, grantRule, networkRule, dnsAnswerRule, afterLoginRule}

// ownLine is the line acrdiag's credential helper (and its kubelet provider) prints when it gives no
// credentials: "acrdiag: no credentials for HOST: ... [cause.id]". Docker passes it on inside its own
// "error getting credentials - err: exit status 1, out: `...`".
var ownLine = lazyre.New(`acrdiag: no credentials for (\S+?): [^\n]*\[([a-z]+\.[a-z_]+)\]`)

// ownLineRule takes acrdiag's own diagnosis from its line: the helper saw more than the text shows.
func ownLineRule(f *Facts) []finding {
	if !strings.Contains(f.Text, "acrdiag: no credentials for ") {
		return nil
	}
	var out []finding
	for _, m := range ownLine().FindAllStringSubmatch(f.Text, -1) {
		if _, ok := cause.Lookup(m[2]); ok {
			out = append(out, finding{m[2], 4, "acrdiag's credential helper found it for " + m[1]})
		}
	}
	return out
}

func phraseRule(f *Facts) []finding {
	var out []finding
	for _, p := range f.Phrases {
		out = append(out, finding{p.cause, p.weight, fmt.Sprintf("the text says %q", clipQuote(p.text))})
	}
	return out
}

func entraRule(f *Facts) []finding {
	var out []finding
	for _, code := range f.Entra {
		if id, ok := cause.ForEntraCode(code); ok {
			out = append(out, finding{id, 4, "Entra ID answered AADSTS" + code})
		}
	}
	return out
}

// errorCodes are ACR's error codes, the Azure CLI's error names and ARM's codes that tell a cause.
var errorCodes = map[string]finding{
	"TOOMANYREQUESTS":                    {cause.RegistryThrottled, 4, ""},
	"CONNECTIVITY_TOOMANYREQUESTS_ERROR": {cause.RegistryThrottled, 4, ""},
	"MANIFEST_UNKNOWN":                   {cause.RegistryManifestUnknown, 3, ""},
	"NAME_UNKNOWN":                       {cause.RegistryManifestUnknown, 3, ""},
	"CONNECTIVITY_DNS_ERROR":             {cause.RegistryNotFound, 2, ""},
	"LOGIN_SERVER_ERROR":                 {cause.RegistryNotFound, 3, ""},
	"RESOURCENOTFOUND":                   {cause.RegistryNotFound, 2, ""},
	"PARENTRESOURCENOTFOUND":             {cause.RegistryNotFound, 3, ""},
	"RESOURCEGROUPNOTFOUND":              {cause.RegistryNotFound, 2, ""}, // az acr -g names a group the registry is not in
	"CONNECTIVITY_FORBIDDEN_ERROR":       {cause.NetworkFirewallDenied, 3, ""},
	"CONNECTIVITY_CHALLENGE_ERROR":       {cause.NetworkFirewallDenied, 2, ""},
	"CONNECTIVITY_SSL_ERROR":             {cause.NetworkTLSError, 3, ""},
	"CONNECTIVITY_ACCESS_TOKEN_ERROR":    {cause.AuthzPullDenied, 3, ""},
	"CONNECTIVITY_REFRESH_TOKEN_ERROR":   {cause.AuthzPullDenied, 2, ""},
	"DOCKER_DAEMON_ERROR":                {cause.DockerDaemonUnreachable, 3, ""},
	"DOCKER_COMMAND_ERROR":               {cause.DockerCLIMissing, 2, ""}, // "client couldn't be found"; with the daemon's own text when docker ps failed
	"INVALIDAUTHENTICATIONINFO":          {cause.NetworkDataEndpoint, 3, ""},
	"AUTHORIZATIONFAILED":                {cause.AuthzARMPermission, 3, ""}, // ARM's: a control-plane action, not a registry role
}

func codeRule(f *Facts) []finding {
	var out []finding
	for _, code := range f.Codes {
		if v, ok := errorCodes[strings.ToUpper(code)]; ok {
			v.evidence = "the error code " + code
			out = append(out, v)
		}
	}
	return out
}

func nameRule(f *Facts) []finding {
	var out []finding
	dockerHub := f.contains("registry-1.docker.io", "docker.io/library/", "index.docker.io", "repository does not exist or may require 'docker login'")
	for _, r := range f.Refs {
		weight := 0
		switch r.Problem {
		case "":
			continue
		case probPrivatelink, probSuffixTypo, probDataEndpoint:
			weight = 4
		case probUpperCase:
			weight = 3
			if authFailure(f) {
				weight = 4 // ACR issues tokens for the lower-case name: the refusal follows from the case
			}
		case probBareName, probIPAddress, probPort:
			weight = 3
		case probDockerHub:
			if !f.namesACR() && authFailure(f) {
				weight = 3 // Docker Hub refused it: the image was never tagged for the registry
			}
		case probNoRegistry:
			if dockerHub {
				weight = 4 // Docker Hub answered for an image that names no registry: it never reached ACR
			}
		case probLoginAsName:
			weight = 1
			if f.contains("could not be found in subscription", "resourcenotfound", "was not found") {
				weight = 4 // the lookup failed because of the suffix
			}
		default: // the login-server checks' own reasons
			weight = 3
		}
		if weight == 0 {
			continue
		}
		ev := fmt.Sprintf("%q: %s", r.Text, r.Problem)
		if r.Suggestion != "" {
			ev += "; the login server is " + r.Suggestion
		}
		out = append(out, finding{cause.RegistryNameInvalid, weight, ev})
	}
	return out
}

func statusRule(f *Facts) []finding {
	var out []finding
	for _, s := range f.Statuses {
		ev := fmt.Sprintf("HTTP %d", s.Code)
		if s.Request != "" {
			ev += " from the " + describeRequest(s.Request)
		}
		switch {
		case s.Code == 429:
			out = append(out, finding{cause.RegistryThrottled, 4, ev})
		case s.Code == 407:
			out = append(out, finding{cause.NetworkProxyError, 4, ev})
		case s.Code == 404 && (s.Request == reqManifest || s.Request == reqBlob):
			out = append(out, finding{cause.RegistryManifestUnknown, 3, ev})
		case s.Code == 404 && s.Request == reqChallenge:
			out = append(out, finding{cause.RegistryNameInvalid, 2, ev + ": the host is not a registry"})
		case s.Code == 403 && s.Request == reqBlob && f.Action != "push":
			// the registry gave the manifest, so its firewall let the client in; a layer's download is
			// redirected to the data endpoint or storage, which refused it (or a proxy on the way did)
			out = append(out, finding{cause.NetworkDataEndpoint, 3, ev + ": a layer's download goes to the data endpoint or storage"})
		case s.Code == 403 && (s.Request == reqData || s.Request == "" && f.Action != "push" && f.contains(blobPhase...)):
			// a 403 while the image configuration or a layer downloads: those requests go to the data endpoint
			out = append(out, finding{cause.NetworkDataEndpoint, 3, ev + " while a layer or the image configuration downloaded: those come from the data endpoint or storage"})
		case s.Code == 403 && (s.Request == reqChallenge || s.Request == reqToken || s.Request == reqExchange || s.Request == reqLogin || s.Request == ""):
			if !f.contains("requested access to the resource is denied", "insufficient_scope", "insufficient scopes") {
				out = append(out, finding{cause.NetworkFirewallDenied, 2, ev})
				if !f.contains("client with ip", `"code":"denied"`, "aka.ms/acr/firewall") {
					// without ACR's own body the 403 may be a proxy's, which answers a bare 403 for a host it blocks
					out = append(out, finding{cause.NetworkProxyError, 1, ev + " without the registry's own words: a proxy may have answered"})
				}
			}
		case s.Code == 401 && s.Request == reqToken && f.contains("anonymous token") && f.Tool == "kubelet":
			// a kubelet asks anonymously when its node has no credentials for the registry: on AKS, the
			// cluster is not attached (no AcrPull for the kubelet identity)
			out = append(out, finding{cause.AuthzPullDenied, 3, ev + " for an anonymous token: the node has no credentials for this registry"})
			out = append(out, finding{cause.AuthNoIdentity, 1, ev + " for an anonymous token: the node's identity gave no credentials"})
		case s.Code == 401 && s.Request == reqToken && f.contains("anonymous token"):
			// the client asked for an anonymous token: it had no credentials for the registry at all
			out = append(out, finding{cause.AuthNoIdentity, 3, ev + " for an anonymous token: the client sent no credentials (not logged in)"})
			out = append(out, finding{authzFor(f.Action), 1, ev + ": the registry allows no anonymous pull"})
		case s.Code == 401 && s.Request == reqToken && f.Action == "login":
			// a login's token request names no repository: the registry refused the credentials themselves
			out = append(out, finding{cause.AuthInvalidCredentials, 2, ev + " during a login: the registry refused the credentials themselves"})
			out = append(out, finding{cause.AuthTokenExpired, 1, ev + ": a token given as the password may have expired"})
		case s.Code == 401 && s.Request == reqToken:
			out = append(out, finding{authzFor(f.Action), 2, ev + ": the registry gives this identity no token for the repository"})
		case s.Code == 401 && (s.Request == reqChallenge || s.Request == reqLogin):
			// docker login's own check: it asks for no repository, so no role can be missing; the registry
			// refused the credentials themselves (or a token passed as the password had expired)
			out = append(out, finding{cause.AuthInvalidCredentials, 2, ev + ": the registry refused the credentials themselves (a login asks for no repository)"})
			out = append(out, finding{cause.AuthTokenExpired, 1, ev + ": a token given as the password may have expired"})
		case s.Code == 401 && s.Request == reqManifest && f.Action == "push" && f.contains("put request", `put "http`, "put http"):
			// only a push PUTs a manifest, with a token asked for push: the token it got does not allow it
			out = append(out, finding{cause.AuthzPushDenied, 2, ev + ": the registry refused to store the manifest"})
		case s.Code == 401 && f.Tool == "azure-sdk":
			// the Azure SDKs' registry clients: an identity without a role, or a client built without a credential
			// (anonymous) for a registry that allows no anonymous pull
			out = append(out, finding{cause.AuthNoIdentity, 1, ev + " to an Azure SDK client: it may have been created without a credential"})
		case s.Code == 401 && s.Request == reqUpload:
			// the upload of a push was refused: the identity's token may pull but not push (AcrPull only)
			out = append(out, finding{cause.AuthzPushDenied, 2, ev + ": the registry refused the upload"})
		case s.Code == 401 && s.Request == reqExchange:
			out = append(out, finding{cause.AuthzPullDenied, 2, ev + ": the registry refuses the Entra token"})
		case (s.Code == 502 || s.Code == 503 || s.Code == 504) && f.Proxy:
			out = append(out, finding{cause.NetworkProxyError, 3, ev + " through a proxy"})
		case s.Code == 502:
			// ACR does not answer Bad Gateway itself: a proxy or gateway on the way does
			out = append(out, finding{cause.NetworkProxyError, 2, ev + ": a gateway or proxy on the way answered"})
		case s.Code == 404 && strings.Contains(s.URL, "/v2/") && s.Request != reqChallenge:
			out = append(out, finding{cause.RegistryManifestUnknown, 2, ev + ": the repository or tag is not there"})
		}
	}
	return out
}

// unauthorized reports whether the text shows a 401: the registry wants (other) credentials.
func unauthorized(f *Facts) bool {
	return f.contains("unauthorized", "authentication required") ||
		slices.ContainsFunc(f.Statuses, func(s Status) bool { return s.Code == 401 })
}

// authFailure reports whether the text shows the registry refusing credentials or a token (a 401 or a 403).
func authFailure(f *Facts) bool {
	return unauthorized(f) || f.contains("denied", "access_token_error", "refresh_token_error") ||
		slices.ContainsFunc(f.Statuses, func(s Status) bool { return s.Code == 403 })
}

// grantRule: what the registry's token endpoint refused tells by the grant it was sent. A password grant
// is a username and password (admin user, token, service principal); a refresh_token grant is the ACR
// refresh token az acr login or a credential helper stored, which lives three hours.
func grantRule(f *Facts) []finding {
	refused := slices.ContainsFunc(f.Statuses, func(s Status) bool { return s.Code == 401 && s.Request == reqToken }) ||
		f.contains("unauthorized", "invalid_grant")
	if !refused || len(f.Grants) != 1 {
		return nil // none, or several: the text does not tell which one was refused
	}
	switch f.Grants[0] {
	case "password":
		return []finding{{cause.AuthInvalidCredentials, 2, "the registry refused a password grant: the username or password is wrong"}}
	case "refresh_token":
		return []finding{{cause.AuthTokenExpired, 2, "the registry refused a refresh_token grant: the stored ACR refresh token expired (it lives three hours)"}}
	}
	return nil
}

// authzFor is the authorization cause of an action: a push needs push rights; a pull and a build (which
// pulls its base images first) need pull rights.
func authzFor(action string) string {
	if action == "push" {
		return cause.AuthzPushDenied
	}
	return cause.AuthzPullDenied
}

// dataHostParts mark the hosts layer downloads go to: ACR's data endpoints, the storage behind them, MCR's.
var dataHostParts = []string{".data.azurecr.", ".blob.core.windows.net", ".blob.core.chinacloudapi.cn", ".blob.core.usgovcloudapi.net",
	".blob.storage.azure.net", ".data.mcr.microsoft.com"}

// blobPhase marks a failure while layers or the image configuration download, after the manifest came:
// those requests are redirected to the data endpoint or storage, so a network failure there is the data
// path's.
var blobPhase = append([]string{"error pulling image configuration", "httpreadseeker", "download failed after attempts"}, blobFailure...)

// blobFailure are the words of a failed layer download.
var blobFailure = []string{"error initiating layer download", "failed to fetch blob", "error downloading layer", "failed to download layer"}

// layerProgress marks the docker CLI's progress lines of layers being downloaded.
var layerProgress = []string{": downloading", ": retrying in ", ": verifying checksum", ": download complete", "/blobs/sha256:"}

// wellKnownDomains are domains whose names exist for everyone: when one does not resolve, the resolver is
// at fault, not the name.
var wellKnownDomains = []string{"docker.io", "docker.com", "microsoft.com", "azure.com", "microsoftonline.com", "windows.net",
	"azureedge.net", "github.com", "githubusercontent.com", "ghcr.io", "quay.io", "gcr.io", "k8s.io", "googleapis.com"}

func wellKnownHost(name string) bool {
	return slices.ContainsFunc(wellKnownDomains, func(d string) bool { return name == d || strings.HasSuffix(name, "."+d) }) &&
		!mentions(name, dataHostParts...) // a storage account's or data endpoint's name may well not exist
}

// privateResolver matches a DNS server on a private network (not a loopback stub such as systemd-resolved's).
var privateResolver = lazyre.New(`^(?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.)`)

// azureDNS is the resolver of every Azure virtual network (168.63.129.16). When it says a registry's name
// does not exist, the name is usually wrong, as anywhere; but where a private DNS zone privatelink.azurecr.io
// is linked to the network, a record missing from that zone gives the same answer.
const azureDNS = "168.63.129.16"

func networkRule(f *Facts) []finding {
	var out []finding
	// a layer's download (GET .../blobs/sha256:..., progress lines) is redirected to the data endpoint or
	// storage; a push's blob requests stay on the login server
	dataPath := f.contains(dataHostParts...) || f.contains(blobPhase...) ||
		f.Action != "push" && (slices.ContainsFunc(f.Statuses, func(s Status) bool { return s.Request == reqBlob }) || f.contains(layerProgress...))
	loginUnresolved := len(f.Unresolved) == 0
	for _, name := range f.Unresolved {
		switch {
		case mentions(name, dataHostParts...):
			out = append(out, finding{cause.NetworkDataEndpoint, 4, name + " (a data endpoint or the storage behind it) does not resolve"})
		case strings.Contains(name, ".privatelink."):
			out = append(out, finding{cause.NetworkPrivateEndpoint, 3, name + " (a private endpoint's name) does not resolve"})
		case wellKnownHost(name):
			// the name surely exists: this machine's resolver fails (or filters it)
			out = append(out, finding{cause.NetworkDNSFailure, 3, name + " exists, yet does not resolve here: this machine's DNS fails"})
		case !strings.Contains(name, ".") && name != "localhost" && !f.namesACR():
			// a name of one label is a registry's resource name given where its login server belongs
			out = append(out, finding{cause.RegistryNameInvalid, 2, name + " has no domain: a login server is " + name + ".azurecr.io (or the cloud's suffix)"})
			loginUnresolved = true
		default:
			loginUnresolved = true
		}
	}
	acrHost := f.namesACR()
	switch {
	case f.has(netPrivateIP) && (f.has(netTimeout) || f.has(netNoRoute) || f.has(netRefused)):
		out = append(out, finding{cause.NetworkPrivateEndpoint, 3, "a connection to a private address failed"})
	case dataPath && (f.has(netTimeout) || f.has(netReset) || f.has(netRefused) || f.has(netNoRoute) || f.has(netNXDomain) && !loginUnresolved):
		out = append(out, finding{cause.NetworkDataEndpoint, 3, "the connection to the data endpoint or storage host failed"})
	}
	if len(f.Network) == 0 && len(f.Statuses) == 0 && f.contains(dataHostParts...) && f.contains(blobFailure...) {
		// a layer's download from a data host failed, and the text says no more
		out = append(out, finding{cause.NetworkDataEndpoint, 2, "a layer's download from the data endpoint or storage failed"})
	}
	if f.has(netNXDomain) && !f.has(netDNSServer) && loginUnresolved {
		switch {
		case acrHost:
			out = append(out, finding{cause.RegistryNotFound, 3, "the login server's name does not resolve"})
			switch {
			case f.Resolver == azureDNS:
				out = append(out, finding{cause.NetworkPrivateEndpoint, 2, "Azure DNS (" + azureDNS + ") answered: on a network with a private DNS zone privatelink.azurecr.io, a missing record there looks the same"})
			case privateResolver().MatchString(f.Resolver):
				// a network's own DNS server: without a forwarder for privatelink.azurecr.io to Azure DNS, a
				// registry behind a private endpoint does not resolve there
				out = append(out, finding{cause.NetworkPrivateEndpoint, 1, "a private DNS server (" + f.Resolver + ") answered: without a forwarder for privatelink.azurecr.io, a registry behind a private endpoint does not resolve there"})
			}
		default:
			out = append(out, finding{cause.NetworkDNSFailure, 1, "a name does not resolve"})
		}
	}
	if f.has(netDNSServer) {
		out = append(out, finding{cause.NetworkDNSFailure, 3, "the resolver itself fails"})
	}
	if f.has(netProxy) {
		out = append(out, finding{cause.NetworkProxyError, 3, "the failure is in the proxy connection"})
	}
	if f.has(netRefused) && f.Proxy {
		out = append(out, finding{cause.NetworkProxyError, 2, "the connection to the proxy is refused"})
	}
	if f.has(netTLSCA) || f.has(netTLSName) || f.has(netTLSExpired) {
		out = append(out, finding{cause.NetworkTLSError, 3, "the certificate is not trusted"})
	} else if f.has(netTLSOther) {
		out = append(out, finding{cause.NetworkTLSError, 2, "the TLS connection fails"})
	}
	if f.has(netReset) {
		out = append(out, finding{cause.NetworkConnectionReset, 2, "the connection is reset"})
	}
	if f.has(netTimeout) || f.has(netNoRoute) {
		out = append(out, finding{cause.NetworkTimeout, 2, "the connection times out"})
	}
	return out
}

// dnsAnswerRule reads a pasted resolver output. A registry with a private endpoint has a public CNAME to
// <name>.privatelink.azurecr.io; a network whose DNS uses the private zone gets the endpoint's private address
// there. A public address in that chain means this network's DNS does not use the zone: it is missing, not
// linked to the network, or a custom DNS server does not forward privatelink.azurecr.io to Azure DNS.
func dnsAnswerRule(f *Facts) []finding {
	if f.DNS == nil {
		return nil
	}
	public := ""
	for _, a := range f.DNS.Addresses {
		if publicAddress(a) {
			public = a
			break
		}
	}
	switch {
	case public != "" && f.DNS.Privatelink:
		return []finding{{cause.NetworkPrivateEndpoint, 3, "the name resolves through privatelink.azurecr.io to the public address " + public + ": this network's DNS does not use the private zone"}}
	case public != "" && f.contains("private endpoint", "private link", "privatelink"):
		return []finding{{cause.NetworkPrivateEndpoint, 3, "the registry has a private endpoint, yet its name resolves to the public address " + public}}
	}
	return nil
}

// privatelinkUsed is a privatelink name the client itself was given: in a URL, a login or an image, or
// the name a certificate did not match.
var privatelinkUsed = lazyre.New(`(?:https?://|login\s+|\bnot\s+|(?:pull|push|tag)\s+)[a-z0-9-]+\.privatelink\.`)

// afterLoginRule: a login that succeeded before a pull or push was refused means the registry accepted the
// identity, which then lacks the right (a role, or a token's scope map), more likely than wrong credentials.
func afterLoginRule(f *Facts) []finding {
	at := strings.LastIndex(f.lower, "login succeeded")
	if at < 0 || f.Action == "" || f.Action == "login" {
		return nil
	}
	rest := f.lower[at:]
	if !mentions(rest, "unauthorized", "401", "denied", "insufficient_scope") {
		return nil
	}
	ev := "the login succeeded, then the registry refused the " + f.Action + ": it knows the identity"
	return []finding{{authzFor(f.Action), 2, ev}, {cause.AuthzRepoScopedToken, 1, ev + " (a token's scope map may not cover the repository)"}}
}

func describeRequest(kind string) string {
	switch kind {
	case reqChallenge:
		return "registry's /v2/ challenge"
	case reqToken:
		return "registry's token endpoint (/oauth2/token)"
	case reqExchange:
		return "registry's token exchange (/oauth2/exchange)"
	case reqManifest:
		return "manifest request"
	case reqBlob:
		return "layer download"
	case reqUpload:
		return "layer upload"
	case reqData:
		return "data endpoint or storage"
	case reqEntra:
		return "Entra ID token endpoint"
	case reqARM:
		return "Azure Resource Manager"
	case reqLogin:
		return "login check"
	}
	return kind
}

func clipQuote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// adjust applies what only the whole picture tells: which right an authorization failure is about, and
// which messages merely trail the real cause.
func adjust(f *Facts, votes []finding) []finding {
	strongOther := func(except ...string) bool {
		for _, v := range votes {
			if v.weight >= 3 && !slices.Contains(except, v.cause) {
				return true
			}
		}
		return false
	}
	mediumOther := func(except string) bool {
		return slices.ContainsFunc(votes, func(v finding) bool { return v.weight >= 2 && v.cause != except })
	}
	explicitPull := f.contains(`"action":"pull"`, "action:pull") && !f.contains("push")
	resolvesPublic := slices.ContainsFunc(votes, func(v finding) bool {
		return v.cause == cause.NetworkPrivateEndpoint && strings.Contains(v.evidence, "public address")
	})
	for i, v := range votes {
		switch {
		case v.cause == cause.RegistryNameInvalid && f.DNS != nil && f.DNS.Privatelink && strings.Contains(v.evidence, "privatelink") &&
			!privatelinkUsed().MatchString(f.lower):
			// the privatelink name appears in a resolver's answer, as the CNAME of the login server: no one typed it
			votes[i].weight = 0
		case v.cause == cause.NetworkFirewallDenied && resolvesPublic && v.weight > 2:
			// the client meant to use the private endpoint reached the public one, whose firewall refused it:
			// the DNS is the cause, the refusal its consequence
			votes[i].weight = 2
		case v.cause == cause.AuthzPullDenied && f.Action == "push" && !explicitPull:
			votes[i].cause = cause.AuthzPushDenied
			votes[i].evidence += " during a push"
		case v.cause == cause.AuthzPushDenied && v.weight <= 2 && (f.Action == "pull" || f.Action == "build"):
			// a build pulls its base images before it pushes anything
			votes[i].cause = cause.AuthzPullDenied
			votes[i].evidence += " during a " + f.Action
		case (v.cause == cause.AuthInvalidCredentials || v.cause == cause.AuthNoIdentity) && v.weight <= 1 && f.contains("login succeeded"):
			// the registry accepted the credentials a moment before
			votes[i].weight = 0
		case v.cause == cause.AuthInvalidCredentials && v.weight == 1 && (f.Action == "pull" || f.Action == "build" || f.Action == "push") &&
			!f.contains("login failed", "docker login", "az acr login") && !slices.Contains(hostedServices, f.Tool):
			// (Azure's hosted services pull with the registry credentials configured on them: those may well be wrong)
			// a pull's (or push's) 401 with no login in sight: a wrong password fails at docker login, where the
			// user would have seen it; there the client most often has no credentials for this name at all
			votes[i].cause = cause.AuthNoIdentity
			votes[i].evidence += " during a " + f.Action + " with no login in the text: the client may hold no credentials for this registry"
			if f.Tool == "kubelet" {
				// a node without credentials for the registry is a node whose identity has no AcrPull on it
				votes[i].cause = cause.AuthzPullDenied
				votes[i].evidence = v.evidence + " on a node: the kubelet identity may have no AcrPull on this registry"
			}
		case v.cause == cause.AuthInvalidCredentials && strings.Contains(v.evidence, "invalid username/password") &&
			f.contains("unable to retrieve auth token: invalid username/password"):
			// containers/image (podman, skopeo, buildah) says this of any 401 from the token endpoint: no
			// credentials at all, an expired token and a missing role read alike
			votes[i].weight = 1
		case v.cause == cause.AuthTokenExpired && v.weight == 1 && slices.Contains(hostedServices, f.Tool):
			// a hosted service holds no token of its own: it pulls with the credentials configured on it or gets a
			// fresh token for its managed identity; a refusal with neither configured is the missing identity
			votes[i].cause = cause.AuthNoIdentity
			votes[i].evidence += " in " + f.Tool + ": neither registry credentials nor a managed identity may be configured for this registry"
		case v.cause == cause.AuthzPullDenied && strings.Contains(v.evidence, "anonymous token") && f.contains("code = notfound"):
			// the kubelet tries the registry with its credentials and then anonymously, and reports both:
			// the credentialed attempt's NotFound is the answer, the anonymous 401 only trails it
			votes[i].weight = 1
		case v.cause == cause.DockerCredentialStore && strings.Contains(v.evidence, "err: exit status") &&
			(f.contains("acrdiag: no credentials for ") || mediumOther(cause.DockerCredentialStore)):
			// Docker's wrapper around a helper's own answer: what the helper said (its cause id, a network
			// failure, an Entra code) is why it failed
			votes[i].weight = 1
		case v.cause == cause.AuthNoIdentity && v.weight == 1 && strings.Contains(v.evidence, "interactive login from a non") &&
			(f.Tool == "github-actions" || f.Tool == "azure-pipelines"):
			// a CI step passes the password; docker login asks for one only when it came out empty: the
			// secret did not reach the job (a fork's pull request, a misnamed variable)
			votes[i].weight = 3
			votes[i].evidence += " in a CI job: docker login asks only when the password it was given is empty"
		case v.cause == cause.DockerNonTTYLogin && strongOther(cause.DockerNonTTYLogin, cause.AuthAdminUserDisabled):
			// az asks for a password only after the Entra login failed: that failure is the cause
			votes[i].weight = 1
		case v.cause == cause.AuthzARMPermission && strings.Contains(strings.ToLower(v.evidence), "listcredentials") &&
			f.contains("unable to get aad authorization tokens"):
			// az acr login reads the admin credentials (listCredentials) only after the Entra login failed:
			// that failure is the cause, the missing admin read trails it
			votes[i].weight = 1
		case v.cause == cause.AuthAdminUserDisabled && strongOther(cause.AuthAdminUserDisabled, cause.DockerNonTTYLogin):
			// az falls back to the admin user after an Entra failure, so "admin user is disabled" trails it
			votes[i].weight = 1
		}
	}
	return append(votes, privateEndpointAlternative(votes)...)
}

// privateEndpointAlternative: ACR's public endpoint refuses a client it does not allow with the same 403,
// whether an IP rule, disabled public access or a private endpoint's name resolving to the public address
// sent the client there. When the text names the refusal but not the network path, the private endpoint's
// DNS stays a candidate.
func privateEndpointAlternative(votes []finding) []finding {
	refused, pathKnown := false, false
	for _, v := range votes {
		switch {
		case v.cause == cause.NetworkFirewallDenied && v.weight >= 2:
			refused = true
		case v.cause == cause.NetworkPrivateEndpoint || v.cause == cause.NetworkPrivateOnly || v.cause == cause.NetworkPublicDisabled:
			pathKnown = true
		}
	}
	if !refused || pathKnown {
		return nil
	}
	return []finding{{cause.NetworkPrivateEndpoint, 1, "the public endpoint refused the client: if the registry has a private endpoint, its name may resolve to the public address here"}}
}
