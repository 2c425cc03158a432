package explain

import (
	"regexp"
	"strings"
	"sync"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// phraseOn is a phrase of the table that matched: one kind of evidence among the facts.
type phraseOn struct {
	cause  string
	weight int
	text   string // what matched, verbatim
}

func matchPhrases(text, lower string) []phraseOn {
	var out []phraseOn
	for _, s := range signals() {
		if m := s.match(text, lower); m != "" {
			out = append(out, phraseOn{cause: s.cause, weight: s.weight, text: m})
		}
	}
	return out
}

// signal is one pattern of error text and the cause it points to. The table reads like the catalogue: a
// cause, then what its errors look like, verbatim where Azure or Docker fixed the wording.
type signal struct {
	cause  string
	weight int // 3 high: only this cause says it; 2 medium; 1 low: a hint among others
	alts   []alternative
}

// alternative is one branch of a signal's pattern. Most branches start with a literal: the text must
// contain it before the branch is compiled and tried, which keeps the hook's start-up short.
type alternative struct {
	literal string // lower case; "" when the branch starts with a pattern
	re      func() *regexp.Regexp
}

func sig(cause string, weight int, pattern string) signal {
	s := signal{cause: cause, weight: weight}
	for _, alt := range splitAlternatives(pattern) {
		s.alts = append(s.alts, alternative{literal: literalPrefix(alt), re: lazyre.New(`(?i)` + alt)})
	}
	return s
}

// match returns what the signal matched in text, "" when nothing.
func (s signal) match(text, lower string) string {
	for _, a := range s.alts {
		if a.literal == "" || strings.Contains(lower, a.literal) {
			if m := a.re().FindString(text); m != "" {
				return m
			}
		}
	}
	return ""
}

// splitAlternatives splits a pattern at its top-level |, outside groups and classes.
func splitAlternatives(p string) []string {
	var out []string
	depth, class, start := 0, false, 0
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
		case class:
			class = c != ']'
		case c == '[':
			class = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// literalPrefix is the literal text a branch starts with (lower case), or "" when it is shorter than 3.
func literalPrefix(alt string) string {
	var b strings.Builder
	for i := 0; i < len(alt); i++ {
		c := alt[i]
		if c == '\\' && i+1 < len(alt) && strings.IndexByte(`.-/'"()[]?*+|$^{}\\`, alt[i+1]) >= 0 {
			c = alt[i+1]
			i++
		} else if strings.IndexByte(`\\.[](){}*+?^$|`, c) >= 0 {
			break
		}
		if i+1 < len(alt) && strings.IndexByte(`?*{`, alt[i+1]) >= 0 {
			break // the character is optional or repeated
		}
		b.WriteByte(c)
	}
	if b.Len() < 3 {
		return ""
	}
	return strings.ToLower(b.String())
}

// signals is the classifier's table, built on first use (the credential helper links this package and
// never classifies). Order does not matter: every signal is tried and scores add up.
var signals = sync.OnceValue(buildSignals)

func buildSignals() []signal {
	return []signal{
		sig(cause.DockerDaemonUnreachable, 3, `cannot connect to the docker daemon|is the docker daemon running|failed to connect to the docker api|docker daemon is not running|error during connect|requires running the docker daemon|activate the wsl integration|could not be found in this wsl|not supported in azure cloud shell|verify if (the )?docker daemon is running|docker is not running`),
		sig(cause.DockerDaemonUnreachable, 2, `docker\.sock: connect`),
		// the daemon runs, but this user may not use its socket (not in the docker group)
		sig(cause.DockerDaemonUnreachable, 3, `permission denied while trying to connect to the docker (?:daemon|api)`),
		// Node's (VS Code, testcontainers) and Windows' words for a socket or pipe with no daemon behind it
		sig(cause.DockerDaemonUnreachable, 3, `connect enoent [^\s]*docker|open //\./pipe/docker_engine|pipe/docker_engine: the system cannot find`),
		sig(cause.DockerCLIMissing, 3, `docker: command not found|'docker' is not recognized as an internal or external command|the term 'docker' is not recognized|docker: not found|exec: "docker": executable file not found|please verify if docker (client )?is installed\.|docker (cli )?is not installed|no such file or directory: 'docker'|unable to locate executable file: 'docker'`),
		sig(cause.RegistryPlatformMismatch, 4, `no matching manifest for [a-z0-9/]+(?: [0-9.]+)? in the manifest list|image is incompatible with a [0-9.]+ host|no match for platform in manifest|cannot be used on this platform|no image found in manifest list for architecture|image operating system "[a-z]+" cannot be used|no child with platform [a-z0-9/]+ in index`),
		// a container's program built for another architecture (the credential helper's own exec failure is Docker's
		// "error getting credentials - err: fork/exec", the store's)
		sig(cause.RegistryPlatformMismatch, 3, `exec /[^\s:]*: exec format error|exec user process caused:? "?exec format error`),
		sig(cause.DockerClientTooOld, 3, `client version [0-9.]+ is too old|unknown flag: --password-stdin|unrecognized arguments: --expose-token|unknown command "push" for "helm"|missing signature key|accept header does not support oci indexes|unknown command "registry" for "helm"|helm_experimental_oci|only supported on a docker cli with experimental cli features`),
		// az acr login runs docker ps: DOCKER_COMMAND_ERROR's own line names both a missing client and a stopped daemon
		sig(cause.DockerDaemonUnreachable, 1, `verify if docker client is installed and running`),
		// an image index or OCI manifest that the client cannot read; Docker's v1 API, which only old clients fall back to
		sig(cause.DockerClientTooOld, 2, `unsupported manifest media type|mediatype in manifest should be|unsupported media type application/vnd\.oci|/v1/users/|/v1/_ping`),
		sig(cause.DockerCredentialStore, 3, `docker-credential-[a-z.-]+": executable file not found|stub received bad data|error storing credentials|pass not initiali[sz]ed|cannot autolaunch d-bus|credential helper .* not found|The stub received bad data|error getting credentials - err: exec:`),
		// Docker Desktop's helper telling the backend about a change, through a socket or pipe that is not there.
		sig(cause.DockerDesktopUnreachable, 4, `backend\.sock|\\pipe\\docker(Backend|Web)ApiServer|http://ipc/registry/credstore-updated|http://ipc/ping`),
		sig(cause.DockerCredentialStore, 2, `credsStore|docker-credential-(desktop|wincred|osxkeychain|pass|secretservice)`),
		// Docker's words for a credential helper that ran and failed (not "credentials not found", which
		// it passes over in silence), and the stores' own: wincred's lost logon session, the macOS keychain
		// locked for a process without a user interface, pass's GPG key
		sig(cause.DockerCredentialStore, 3, "a specified logon session does not exist|user interaction is not allowed|gpg: decryption failed|the user name or passphrase you entered is not correct|already exists in the keychain|cannot create an item in a locked collection|org.freedesktop.secret|error getting credentials - err: fork/exec"),
		sig(cause.DockerCredentialStore, 3, `error getting credentials - err: exit status \d+, out:`),
		sig(cause.DockerCredentialStore, 1, `error getting credentials`),
		sig(cause.DockerNonTTYLogin, 3, `interactive login from a non[ -]tty device|specify both username and password in non-interactive mode`),
		// docker login asks for a password when the one it was given is empty: in CI, a secret that did not reach
		// the job (a fork's pull request, a misnamed variable)
		sig(cause.AuthNoIdentity, 1, `interactive login from a non[ -]tty device`),
		sig(cause.RegistryNameInvalid, 3, `the push refers to repository \[docker\.io/|an image does not exist locally with the tag|tag does not exist: [a-z0-9]|invalid reference format|uppercase characters are detected in the registry name|repository name must be lowercase|repository name must be canonical|could not parse reference|scheme prefix missing from remote|is not a valid reference|invalid reference: `),
		// az's own check of a registry name (-n): a login server or a typo with other characters fails it
		sig(cause.RegistryNameInvalid, 3, `registry names may contain only alpha ?numeric characters`),
		sig(cause.RegistryNameInvalid, 4, `\.privatelink\.azurecr\.`), // the root cause of the TLS and auth errors it brings
		// Container Instances: the registry credential's server is empty or written with https://
		sig(cause.RegistryNameInvalid, 3, `should be a valid host name without protocol`),
		// skopeo and podman take a host to log in to, not a transport: with docker:// the registry is "docker:"
		sig(cause.RegistryNameInvalid, 4, `login (?:[^\n]*\s)?docker://|pinging docker registry docker:|creds for "docker:"`),
		// az acr import: Docker Hub's official images live under library/ (docker.io/library/nginx), and Docker
		// Hub answers "unauthorized" for a repository that does not exist: the refusal follows from the name
		sig(cause.RegistryManifestUnknown, 4, `--source (?:docker\.io|registry-1\.docker\.io|registry\.hub\.docker\.com)/[a-z0-9._-]+(?:[:@\s]|$)`),
		// a URL with no host: the image's registry part was empty (an unset variable in a pipeline or template)
		sig(cause.RegistryNameInvalid, 4, `get https?://[:/"]|head https?://[:/"]|put https?://[:/"]|post https?://[:/"]|invalid value: "/[a-z0-9]`),
		sig(cause.RegistryNotFound, 3, `could not be found in subscription|no resource with type microsoft\.containerregistry/registries|parent resource [^\n]*containerregistry/registries[^\n]* could not be found|please verify that the registry exists|NXDOMAIN`),
		sig(cause.RegistryNotFound, 2, `Could not connect to the registry login server`),
		sig(cause.RegistryThrottled, 3, `toomanyrequests|too many requests|CONNECTIVITY_TOOMANYREQUESTS_ERROR|response code: 429|status: 429|429 too many`),
		sig(cause.RegistryManifestUnknown, 3, `manifest unknown|MANIFEST_UNKNOWN|manifest tagged by .* is not found|NAME_UNKNOWN|repository name not known to registry|manifest for .* not found`),
		sig(cause.RegistryManifestUnknown, 3, `code = NotFound|name unknown: repository`),
		sig(cause.RegistryManifestUnknown, 1, `: not found\b|failed to resolve reference`),
		// containerd's, ORAS's and helm's resolvers print the reference they found no manifest for; az acr
		// repository prints the registry's 404 in its own words
		sig(cause.RegistryManifestUnknown, 3, `\.azurecr\.[a-z.]+/[^\s:"]+:[^\s:"]+: not found\b`),
		sig(cause.RegistryManifestUnknown, 2, `the requested data does not exist`),
		// helm takes a registry without oci:// for the name of a chart repository added with helm repo add
		sig(cause.RegistryNameInvalid, 3, `repo [a-z0-9.-]+\.azurecr\.[a-z.]+ not found`),
		sig(cause.NetworkDNSFailure, 3, `server misbehaving|temporary failure in name resolution|dns lookup failed|name or service not known`),
		sig(cause.NetworkDNSFailure, 1, `no such host|lookup [^ ]+ on [0-9.:\[\]]+`),
		sig(cause.NetworkProxyError, 3, `proxyconnect|proxy authentication required|407\b|proxy error|tunnel connection failed|HTTPS_PROXY|proxy refused`),
		sig(cause.NetworkTLSError, 3, `x509:|tls: failed to verify|certificate signed by unknown authority|certificate has expired|certificate is valid for|CONNECTIVITY_SSL_ERROR|CERTIFICATE_VERIFY_FAILED|self[- ]signed certificate`),
		sig(cause.NetworkConnectionReset, 1, `: EOF\b`),
		sig(cause.NetworkFirewallDenied, 3, `client with ip '[^'\n]*' is not allowed access|aka\.ms/acr/firewall|looks like you don't have access to registry|public network access is disabled|response code: 403|unexpected status: 403`),
		// a client meant to reach the registry through its private endpoint meets the public firewall when its
		// DNS gives the public address: the private zone is missing, unlinked or not used by this resolver
		sig(cause.NetworkPrivateEndpoint, 2, `public network access is disabled`),
		sig(cause.NetworkFirewallDenied, 3, `did not issue a challenge`),
		sig(cause.NetworkFirewallDenied, 2, `403 forbidden|status: 403|denied: client`),
		sig(cause.NetworkFirewallDenied, 1, `"code":"DENIED"`),
		// Docker's API passing on the registry's 403 DENIED without its message (App Service, Container Instances)
		sig(cause.NetworkFirewallDenied, 2, `"message":"denied"}`),
		sig(cause.AuthzPullDenied, 3, `retrieving permissions failed`),
		sig(cause.NetworkPrivateEndpoint, 3, `dial tcp (10|172\.(1[6-9]|2[0-9]|3[01])|192\.168)\.[0-9.]+:443: (i/o timeout|connect: (connection refused|no route to host))|dial tcp <[^>\n]*private[^>\n]*>:443|DNS routing to registry .* is incorrect|DNS routing verification failed|private endpoint`),
		sig(cause.NetworkDataEndpoint, 3, `\.data\.azurecr\.[a-z]+|\.blob\.core\.windows\.net|\.blob\.core\.chinacloudapi\.cn|data endpoint`),
		sig(cause.AuthNoIdentity, 3, `run 'az login'|azd auth login|defaultazurecredential: failed to acquire a token|no credentials? (?:found|available|in the chain)|executable not found on path|azure cli not found on path|managedidentitycredential: .*(no response|unavailable)|no managed identity|not logged in|managed identity token failed|identity not found|CredentialUnavailable|Connect-AzAccount|to set up account|failed to retrieve a token from the included credentials|authentication unavailable|no default identity is assigned|no managed identity endpoint|managed identity timed out`),
		// the instance metadata endpoint, where a managed identity's tokens come from, does not answer: not an
		// Azure machine, or one with no managed identity
		sig(cause.AuthNoIdentity, 3, `169\.254\.169\.254(?::80)?[^\n]{0,80}(?:connection refused|no route to host|i/o timeout|network is unreachable|timed out|ehostunreach|econnrefused)`),
		// the client had no credentials to give: Docker's and ORAS's words for a registry with none stored, a CI
		// login step whose secrets are empty (a fork's pull request gets none), azidentity with no variables set
		sig(cause.AuthNoIdentity, 3, `no basic auth credentials|basic credential not found|credential required for basic auth|username and password required|input required and not supplied: (?:username|password|creds|client-id)|not all values are present\. ensure '?client-id'? and '?tenant-id'? are supplied|missing environment variable AZURE_(?:TENANT|CLIENT)_ID|no client ID specified|AZURE_FEDERATED_TOKEN_FILE (?:is not set|not set)`),
		sig(cause.AuthTokenExpired, 3, `ExpiredAuthenticationToken|the access token expiry|AADSTS700082|AADSTS50173|AADSTS700024|token (is |has )?expired|expired token|stored credentials invalid or expired|the refresh token has expired|lifetime validation failed`),
		sig(cause.AuthTokenExpired, 2, `error="invalid_token"|invalid_token`),
		// ACR's tokens live three hours: what works and then stops after that long is an expired token
		sig(cause.AuthTokenExpired, 3, `after (?:about |roughly |around |~)?(?:3|three) hours|works for (?:a few|some|about (?:3|three)) hours|worked for (?:a few|some|about (?:3|three)) hours`),
		// a token az printed (--expose-token) and a script stored is never renewed
		sig(cause.AuthTokenExpired, 1, `--expose-token[\s\S]{0,300}(?:unauthorized|401)`),
		sig(cause.AuthSPSecretExpired, 3, `AADSTS7000222|client secret keys .* are expired|secret .* has expired`),
		sig(cause.AuthInvalidCredentials, 3, `AADSTS7000215|invalid client secret|invalid clientid or client secret|incorrect username or password|bad credentials|invalid username/password|invalid username or password|AADSTS50126`),
		sig(cause.AuthFederatedMismatch, 3, `no matching federated identity record|federated identity credential`),
		// a secret Entra ID does not know is often the one before a rotation: the old one expired and was replaced
		sig(cause.AuthSPSecretExpired, 1, `AADSTS7000215|invalid client secret`),
		// a TLS handshake cut off before it finished: a TLS-inspecting proxy or firewall on the way, more often
		// than the registry
		sig(cause.NetworkProxyError, 1, `bad handshake|unexpected eof while reading|EOF occurred in violation of protocol|tls handshake: EOF|handshake failure`),
		sig(cause.AuthInvalidCredentials, 1, `unauthorized: authentication required|401 unauthorized|login failed`),
		sig(cause.AuthTokenExpired, 1, `unauthorized: authentication required|401 unauthorized`),
		sig(cause.AuthWrongTokenUsername, 2, `application not registered with aad`),
		// ACR's answer to a service principal login whose username is not the app's client id
		sig(cause.AuthInvalidCredentials, 3, `client id must be guid|aad access token with sp failed`),
		sig(cause.AuthAppNotRegistered, 3, `AADSTS700016|AADSTS90002|application with identifier .* was not found in the directory|application not registered with aad`),
		sig(cause.AuthAudienceRejected, 3, `AADSTS500011|AADSTS50001|token validation failed|authentication-as-arm|resource principal named https://containerregistry\.azure\.net`),
		// az falls back to the admin user after an Entra failure, so "admin user is disabled" often trails the real cause.
		sig(cause.AuthAdminUserDisabled, 2, `admin user is disabled|admin-enabled|with admin enabled|admin credentials on the acr are disabled`),
		sig(cause.AuthAnonymousPullBlocked, 3, `pull access denied`),
		// the user counts on anonymous pull, which fails: Docker sent the credentials it holds instead
		sig(cause.AuthAnonymousPullBlocked, 2, `anonymous[- ]pull(?:[- ]access)? (?:is )?enabled|anonymous-pull-enabled|anonymous_pull_enabled|anonymouspullenabled|with anonymous pull`),
		sig(cause.AuthzPullDenied, 3, `"action":"pull"|action:pull|insufficient_scope[^\n]*pull|repository:[^ ]+:pull[^,]|access to registry .* was denied\. response code: 401`),
		sig(cause.AuthzPullDenied, 2, `pull access denied`),
		sig(cause.AuthzPullDenied, 1, `authentication required, visit https://aka\.ms/acr/authorization|unauthorized\b`),
		sig(cause.AuthzPullDenied, 1, `failed to authorize`),
		sig(cause.AuthzPushDenied, 3, `"action":"push"|action:push|insufficient_scope[^\n]*push|push[^\n]*insufficient_scope|metadata_write[^\n]*insufficient_scope|AcrPush`),
		sig(cause.AuthzPushDenied, 2, `requested access to the resource is denied`),
		// az acr build on a registry with repository permissions: its task has no default credential to push with
		sig(cause.AuthzABACRepositoryRole, 2, `when specifying push, at least one credential is required`),
		sig(cause.AuthzABACRepositoryRole, 3, `abacrepositorypermissions|rbac registry \+ abac|rbac-abac|abac[- ]enabled|container registry repository (reader|writer|contributor|catalog lister)|registry permissions but not repository permissions`),
		// az aks update --attach-acr, when the caller may not create the AcrPull role assignment
		sig(cause.AuthzARMPermission, 3, `could not create a role assignment for acr|are you an owner on this subscription`),
		// az acr build asks Azure Resource Manager for an upload URL for the source (listBuildSourceUploadUrl)
		sig(cause.AuthzARMPermission, 2, `could not get sas url to upload`),
		// the kubelet's own words when the provider its config names cannot run
		sig(cause.KubeletProviderConfig, 3, `failed to register cri auth plugins|plugin binary executable .* did not exist|error execing credential provider plugin|failed to init credential provider|failed to (?:load|read|parse|decode) credential provider config`),
		// the registry's data actions in Azure RBAC's words (az acr import checks them on the source registry)
		sig(cause.AuthzPullDenied, 3, `does not have permission to perform action[^\n]{0,40}microsoft\.containerregistry/registries/pull/read|does not have permission to perform action[^\n]{0,80}on the linked scope`),
		sig(cause.AuthzPushDenied, 3, `does not have permission to perform action[^\n]{0,40}microsoft\.containerregistry/registries/push/write`),
		sig(cause.AuthzARMPermission, 3, `does not have authorization to perform action '(?:microsoft\.authorization|microsoft\.containerregistry/registries/(?:listcredentials|importimage|write|delete)|microsoft\.containerservice)`),
		// Azure's hosting services (Container Instances, Container Apps, App Service) say only that the pull
		// failed and that image or credentials may be wrong: hints, never a cause on their own
		sig(cause.AuthzPullDenied, 1, `is not accessible\. please check the image and registry credential|error pulling the container image|imagepullunauthorized|container pull image failed with unauthorized|verify docker image configuration and credentials|InaccessibleImage`),
		sig(cause.RegistryManifestUnknown, 1, `is not accessible\. please check the image|please check the image name|verify docker image configuration|InaccessibleImage`),
		// Container Instances got no password for the registry: the client had no credentials to give it
		// a GitHub workflow without "permissions: id-token: write" gets no OIDC token to exchange
		sig(cause.AuthNoIdentity, 3, `actions_id_token_request_url|actions_id_token_request_token`),
		sig(cause.AuthNoIdentity, 3, `password in the 'imageRegistryCredentials' of container group '[^'\n]*' cannot be empty`),
		sig(cause.AuthzRepoScopedToken, 3, `insufficient scopes to perform the operation|scope map|scope-map|scopemap|_repositories_(?:pull|push|admin)|token is disabled|repository-scoped token`),
		// the user logs in with a token made by az acr token: its scope map, not a role, says what it may do
		sig(cause.AuthzRepoScopedToken, 2, `az acr token`),
		// listing tags needs metadata/read, which a token's scope map grants apart from content/read (a pull)
		sig(cause.AuthzRepoScopedToken, 2, `401[^\n]*(?:list of tags|/tags/list)|list of tags[^\n]*(?:401|unauthorized)|/tags/list[^\n]*(?:401|unauthorized)`),
	}
}
