package explain

import (
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// tools tells the program that printed a text by what only it prints; the first that matches wins, so
// wrappers (CI tasks, az) come before what they wrap.
var tools = []struct{ name, marker string }{
	{"azure-pipelines", "##[error]"},
	{"github-actions", "##[group]"},
	{"github-actions", "docker/login-action"},
	{"github-actions", "process completed with exit code"},
	{"github-actions", "azure/docker-login"},
	{"vscode-docker", "vscode"},
	{"az", "az acr "},
	{"az", "an error occurred: "},
	{"az", "azure-cli"},
	{"az", "traceback (most recent call last)"},
	{"az", "msrest"},
	{"az", "please run 'az login'"},
	{"app-service", "dockerapiexception"},
	{"app-service", "docker api responded with status code"},
	{"container-apps", "imagepullunauthorized"},
	{"container-apps", "container app '"},
	{"container-apps", "containerapp"},
	{"container-instances", "in container group '"},
	{"container-instances", "containergroup"},
	{"azure-ml", "azuremlcompute"},
	{"azure-ml", "failedpullingimage"},
	{"azure-sdk", "azure.requestfailedexception"},
	{"azure-sdk", "com.azure.core.exception"},
	{"azure-sdk", "azure.core.exceptions"},
	{"azure-sdk", "resterror:"},
	{"kubelet", "failed to pull image"},
	{"kubelet", "errimagepull"},
	{"kubelet", "imagepullbackoff"},
	{"containerd", "failed to pull and unpack image"},
	{"containerd", "rpc error: code ="},
	{"buildx", "moby.buildkit"},
	{"buildx", "failed to solve"},
	{"buildx", "error: failed to"},
	{"buildx", "load metadata for"},
	{"helm", "helm "},
	{"oras", "oras "},
	{"crane", "crane "},
	{"podman", "podman"},
	{"skopeo", "skopeo"},
	{"skopeo", "trying to pull"},
	{"kaniko", "kaniko"},
	{"terraform", "terraform"},
	{"docker-desktop", "docker desktop"},
	{"credential-helper", "docker-credential-"},
	{"docker", "error response from daemon"},
	{"docker", "docker login"},
	{"docker", "docker push"},
	{"docker", "docker pull"},
	{"azidentity", "defaultazurecredential"},
	{"azidentity", "credential: "},
}

// hostedServices are Azure's services that pull from the registry for the user, with the credentials or the
// managed identity configured on them: they hold no token of their own that could expire.
var hostedServices = []string{"app-service", "container-apps", "container-instances", "azure-ml"}

// reportsOnly are the messages that say only that something failed before them, with where that earlier
// failure says why: a user who pastes one needs to be sent there, not told a guess.
var reportsOnly = []struct{ marker, where string }{
	{"back-off pulling image", kubeletEvents},
	{"imagepullbackoff", kubeletEvents},
	{"errimagepull", kubeletEvents},
	{"process completed with exit code", "the step's log lines above this one hold what the command printed"},
	{"##[error]the process '", "the task's log lines above this one hold what the command printed"},
	{"please list deployment operations for details", `Azure Resource Manager holds the failed resource's own error: az deployment operation group list -g <group> -n <deployment> --query "[?properties.provisioningState=='Failed'].properties.statusMessage"`},
}

const kubeletEvents = `the kubelet retries a pull that failed before; the reason is in the pod's "Failed to pull image" event: kubectl describe pod <pod>`

func findEarlier(lower string) string {
	for _, r := range reportsOnly {
		if strings.Contains(lower, r.marker) {
			return r.where
		}
	}
	return ""
}

func findTool(lower string) string {
	for _, t := range tools {
		if strings.Contains(lower, t.marker) {
			return t.name
		}
	}
	return ""
}

var (
	aadstsCode = lazyre.New(`AADSTS(\d{5,7})`)
	// ACR error codes in JSON bodies and the Azure CLI's error names
	errorCode = lazyre.New(`(?:"code"\s*:\s*"|\bCode=")([A-Za-z_]+)"|\b(CONNECTIVITY_[A-Z_]+|DOCKER_[A-Z_]+|LOGIN_SERVER_ERROR|MANIFEST_UNKNOWN|NAME_UNKNOWN|BLOB_UNKNOWN|TOOMANYREQUESTS|UNAUTHORIZED|DENIED|UNSUPPORTED|AuthorizationFailed|ResourceNotFound|ParentResourceNotFound|ResourceGroupNotFound|InvalidAuthenticationInfo|AuthenticationFailed|SubscriptionNotFound|InvalidClientTokenId)\b`)
)

func findEntraCodes(text string) []string {
	var out []string
	for _, m := range aadstsCode().FindAllStringSubmatch(text, -1) {
		out = appendOnce(out, m[1])
	}
	return out
}

func findCodes(text string) []string {
	var out []string
	for _, m := range errorCode().FindAllStringSubmatch(text, -1) {
		out = appendOnce(out, strings.ToUpper(m[1]+m[2]))
	}
	return out
}

// networkForms are the spellings of network failures in Go, Python (requests, urllib3), Node and .NET.
var networkForms = []struct{ form, marker string }{
	{netNXDomain, "no such host"},
	{netNXDomain, "getaddrinfo enotfound"},
	{netNXDomain, "name or service not known"},
	{netNXDomain, "nodename nor servname provided"},
	{netNXDomain, "no address associated with hostname"},
	{netNXDomain, "could not resolve host"},
	{netNXDomain, "nxdomain"},
	{netNXDomain, "failed to resolve '"},
	{netNXDomain, "nameresolutionerror"},
	{netNXDomain, "no such host is known"},
	{netDNSServer, "server misbehaving"},
	{netDNSServer, "temporary failure in name resolution"},
	{netDNSServer, "getaddrinfo eai_again"},
	{netDNSServer, "dns lookup failed"},
	{netTimeout, "i/o timeout"},
	{netTimeout, "winerror 10060"},
	{netTimeout, "did not properly respond"},
	{netRefused, "winerror 10061"},
	{netNXDomain, "getaddrinfo failed"},
	{netNXDomain, "errno -2]"},
	{netDNSServer, "errno -3]"},
	{netTimeout, "timed out"},
	{netTimeout, "timeout exceeded"},
	{netTimeout, "context deadline exceeded"},
	{netTimeout, "tls handshake timeout"},
	{netTimeout, "etimedout"},
	{netTimeout, "connecttimeouterror"},
	{netTimeout, "request canceled while waiting for connection"},
	{netTimeout, "awaiting headers"},
	{netReset, "connection reset"},
	{netReset, "econnreset"},
	{netReset, "forcibly closed"},
	{netReset, "unexpected eof"},
	{netReset, "remote end closed connection"},
	{netReset, "remotedisconnected"},
	{netReset, "eof occurred in violation of protocol"},
	{netReset, "broken pipe"},
	{netRefused, "connection refused"},
	{netRefused, "econnrefused"},
	{netRefused, "actively refused"},
	{netNoRoute, "no route to host"},
	{netNoRoute, "network is unreachable"},
	{netNoRoute, "ehostunreach"},
	{netTLSCA, "certificate signed by unknown authority"},
	{netTLSCA, "unable to get local issuer certificate"},
	{netTLSCA, "self signed certificate"},
	{netTLSCA, "self-signed certificate"},
	{netTLSCA, "unknown certificate authority"},
	{netTLSCA, "certificate_verify_failed"},
	{netTLSCA, "unable_to_verify_leaf_signature"},
	{netTLSCA, "the remote certificate is invalid"},
	{netTLSName, "certificate is valid for"},
	{netTLSName, "hostname mismatch"},
	{netTLSName, "doesn't match"},
	{netTLSName, "err_tls_cert_altname_invalid"},
	{netTLSExpired, "certificate has expired"},
	{netTLSExpired, "certificate is not yet valid"},
	{netTLSExpired, "cert_has_expired"},
	{netTLSOther, "x509:"},
	{netTLSOther, "tls:"},
	{netTLSOther, "sslerror"},
	{netTLSOther, "ssl: "},
	{netProxyAuth, "proxy authentication required"},
	{netProxyAuth, " 407"},
	{netProxy, "proxyconnect"},
	{netProxy, "proxyerror"},
	{netProxy, "tunnel connection failed"},
	{netProxy, "unable to connect to proxy"},
	{netProxy, "cannot connect to proxy"},
	{netProxy, "proxy error"},
}

// dnsServerDown is Go's failed lookup whose resolver did not answer: it timed out, refused or is unreachable
// (with "on SERVER" or, from the cgo resolver, without).
var dnsServerDown = lazyre.New(`lookup \S+(?: on \S+)?: (?:(?:read|dial|write) (?:udp|tcp)[^\n]*?)?(?:i/o timeout|connection refused|network is unreachable)`)

var privateDial = lazyre.New(`(?:dial tcp|connect to|connecting to|connect econnrefused|connect etimedout) (?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.)[0-9.]+:\d+`)

// unresolvedName is the host of a failed lookup as Go (lookup NAME on SERVER:53), Node (getaddrinfo
// ENOTFOUND NAME), Python (Failed to resolve 'NAME') and curl (Could not resolve host: NAME) print it.
var unresolvedName = lazyre.New(`(?:\blookup ([a-z0-9._-]+\.[a-z]{2,})(?: on (?:\[([0-9a-f:]+)\]|([0-9.]+))(?::\d+)?)?:|getaddrinfo (?:enotfound|eai_again) ([a-z0-9._-]+\.[a-z]{2,})|failed to resolve '([a-z0-9._-]+\.[a-z]{2,})'|could not resolve host: ([a-z0-9._-]+\.[a-z]{2,}))`)

// singleLabelLookup is Go's failed lookup of a name without a domain (a registry's resource name given as
// its login server), told from other words by the resolver it names.
var singleLabelLookup = lazyre.New(`\blookup ([a-z0-9-]{1,63}) on (?:\[([0-9a-f:]+)\]|([0-9.]+))(?::\d+)?:`)

// findUnresolved lists the names whose lookup failed and the resolver that said so, if the text names it.
func findUnresolved(lower string) (names []string, resolver string) {
	for _, m := range unresolvedName().FindAllStringSubmatch(lower, -1) {
		names = appendOnce(names, m[1]+m[4]+m[5]+m[6])
		if resolver == "" {
			resolver = m[2] + m[3]
		}
	}
	for _, m := range singleLabelLookup().FindAllStringSubmatch(lower, -1) {
		names = appendOnce(names, m[1])
		if resolver == "" {
			resolver = m[2] + m[3]
		}
	}
	return names, resolver
}

func findNetwork(lower string) []string {
	var out []string
	for _, n := range networkForms {
		if strings.Contains(lower, n.marker) {
			out = appendOnce(out, n.form)
		}
	}
	if mentions(lower, "lookup ") && dnsServerDown().MatchString(lower) {
		out = appendOnce(out, netDNSServer)
	}
	if mentions(lower, "dial tcp", "connect") && privateDial().MatchString(lower) {
		out = appendOnce(out, netPrivateIP)
	}
	return out
}

var (
	pushAction  = lazyre.New(`\bpush(ing|ed)?\b|\bput |\bpatch |blobs/uploads|:push\b|%3apush\b|metadata_write|failed to copy:.*\bto\b`)
	buildAction = lazyre.New(`failed to solve|load metadata for|\bfrom [a-z0-9.-]+/|docker build|buildx|step \d+/\d+ : from|dockerfile`)
	pullAction  = lazyre.New(`\bpull(ing|ed)?\b|:pull\b|%3apull\b|errimagepull|imagepullbackoff|failed to resolve reference|manifests/|reading manifest|initializing source docker://`)
	loginAction = lazyre.New(`\blogin\b|log in|authenticate|authenticating creds for|az acr login|/oauth2/exchange|get-login-password`)
)

// findAction tells what the failing command did. A build pulls its base images before it pushes, so
// "build" is its own action.
func findAction(lower string) string {
	switch {
	case mentions(lower, "solve", "metadata for", "from ", "build", "dockerfile") && buildAction().MatchString(lower):
		if strings.Contains(lower, "failed to push") || strings.Contains(lower, "exporting to image") && strings.Contains(lower, "push") {
			return "push"
		}
		return "build"
	case mentions(lower, "push", "put ", "patch ", "uploads", "metadata_write", "copy") && pushAction().MatchString(lower):
		return "push"
	case mentions(lower, "pull", "manifests/", "reference", "reading manifest", "initializing source") && pullAction().MatchString(lower):
		return "pull"
	case mentions(lower, "login", "log in", "authenticat", "exchange") && loginAction().MatchString(lower):
		return "login"
	}
	return ""
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
