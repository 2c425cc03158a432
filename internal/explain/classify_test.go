package explain

import (
	"slices"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
)

func TestClassifyHandlesMessyText(t *testing.T) {
	denied := "client with IP '1.2.3.4' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."
	checkFirst(t, []firstCause{
		{"ANSI colours", "\x1b[31mError:\x1b[0m " + denied, cause.NetworkFirewallDenied},
		{"Windows line endings", "line one\r\nError response from daemon: Get \"https://r.azurecr.io/v2/\": net/http: TLS handshake timeout\r\n", cause.NetworkTimeout},
		{"at the end of a 10 MB log", strings.Repeat("Step 3/9 : RUN make\n", 500000) + "Error response from daemon: Head \"https://r.azurecr.io/v2/app/manifests/1\": " + denied + "\n", cause.NetworkFirewallDenied},
		{"a bare 401 is no cause", "Error response from daemon: Head \"https://myregistry.azurecr.io/v2/app/manifests/1\": unauthorized: authentication required", cause.Unknown},
		{"German around it", "Fehler beim Herunterladen des Images: " + denied + " Bitte prüfen.", cause.NetworkFirewallDenied},
		{"wrapped by a terminal", "Error response from daemon: Get \"https://r.azurecr.io/v2/\": denied: client with IP '1.2.3.4' is not\n    allowed access. Refer https://aka.ms/acr/firewall to grant access.", cause.NetworkFirewallDenied},
		{"wrapped and indented", "Error: Cannot perform an interactive\n\tlogin from a non TTY device", cause.DockerNonTTYLogin},
	})
	for _, text := range []string{"", "everything is fine", "\x00\xff\xfe binary \x01", strings.Repeat("€", 10000), "Bonjour, tout va bien."} {
		if got := Classify(text); len(got) != 0 {
			t.Errorf("%.30q matched %v", text, ids(got))
		}
	}
}

// firstCause is a text and the cause it should be explained by first.
type firstCause struct{ name, text, want string }

func checkFirst(t *testing.T, tests []firstCause) {
	t.Helper()
	for _, tt := range tests {
		if got := Classify(tt.text); len(got) == 0 || got[0].ID != tt.want {
			t.Errorf("%s: %v, want %s first", tt.name, ids(got), tt.want)
		}
	}
}

func TestHost(t *testing.T) {
	for text, want := range map[string]string{
		`Head "https://MyAcr.azurecr.io/v2/app/manifests/1": unauthorized`: "myacr.azurecr.io",
		`pull access denied for contoso-e7ggejfuhzhgedc8.azurecr.io/app`:   "contoso-e7ggejfuhzhgedc8.azurecr.io",
		`lookup govreg.azurecr.us on 10.0.0.10:53: no such host`:           "govreg.azurecr.us",
		`Cannot connect to the Docker daemon`:                              "",
	} {
		if got := Host(text); got != want {
			t.Errorf("Host(%q) = %q, want %q", text, got, want)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, c := range referenceCorpus[:10] {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Classify(text)
		for i := 1; i < len(got); i++ {
			if got[i].Score > got[i-1].Score {
				t.Fatalf("not best first: %v", got)
			}
		}
		for i, m := range got {
			if m.Confidence != High && m.Confidence != Medium && m.Confidence != Low {
				t.Fatalf("confidence %q", m.Confidence)
			}
			if _, ok := cause.Lookup(m.ID); !ok || len(m.Evidence) == 0 {
				t.Fatalf("%s: not in the catalogue, or without evidence", m.ID)
			}
			if m.ID == cause.Unknown && i != 0 {
				t.Fatalf("unknown ranked %d: %v", i, ids(got))
			}
		}
	})
}

func TestLiteralPrefixes(t *testing.T) {
	for alt, want := range map[string]string{
		`cannot connect to the docker daemon`:         "cannot connect to the docker daemon",
		`client with ip '[0-9a-f.:]+' is not allowed`: "client with ip '",
		`\.data\.azurecr\.[a-z]+`:                     ".data.azurecr.",
		`dial tcp (10|172)`:                           "dial tcp ",
		`\bpush`:                                      "",
		`AADSTS700082`:                                "aadsts700082",
		`token (is |has )?expired`:                    "token ",
		`pushe?d`:                                     "push",
		`x509:`:                                       "x509:",
		`\\pipe\\docker(Backend|Web)`:                 `\pipe\docker`,
	} {
		if got := literalPrefix(alt); got != want {
			t.Errorf("literalPrefix(%q) = %q, want %q", alt, got, want)
		}
	}
	if got := splitAlternatives(`a|b(c|d)|[|]e|f\|g`); len(got) != 4 || got[1] != "b(c|d)" || got[2] != "[|]e" || got[3] != `f\|g` {
		t.Errorf("splitAlternatives = %q", got)
	}
}

func TestRegistryRepositoryAndAction(t *testing.T) {
	for text, want := range map[string][3]string{
		`ERROR: failed to solve: failed to push corp.azurecr.io/team/app:1: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://corp.azurecr.io/oauth2/token: 401 Unauthorized`: {"corp.azurecr.io", "team/app", "push"},
		`Error response from daemon: Head "https://corp.azurecr.io/v2/base/images/manifests/1": unauthorized`:                                                                                                                {"corp.azurecr.io", "base/images", "pull"},
		`failed to solve: corp.azurecr.io/base:1: failed to resolve source metadata for corp.azurecr.io/base:1: 401 Unauthorized`:                                                                                            {"corp.azurecr.io", "base", "build"},
		`Error response from daemon: Get "https://corp.azurecr.io/v2/": unauthorized: authentication required`:                                                                                                               {"corp.azurecr.io", "", "login"},
	} {
		f := Extract(text)
		if got := [3]string{f.Host(), f.Repository(), f.Action}; got != want {
			t.Errorf("%.60q: registry, repository, action = %q, want %q", text, got, want)
		}
	}
}

// TestWhereTheLookupFailed: which name did not resolve, and which resolver said so, decide between the
// registry, its data endpoint and a private endpoint's DNS.
func TestWhereTheLookupFailed(t *testing.T) {
	checkFirst(t, []firstCause{
		{"the login server, public DNS", `Get "https://contoso.azurecr.io/v2/": dial tcp: lookup contoso.azurecr.io on 8.8.8.8:53: no such host`, cause.RegistryNotFound},
		{"the data endpoint", `failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://contoso.westeurope.data.azurecr.io/docker/registry/v2/blobs/sha256/ab/abc/data?se=x": dial tcp: lookup contoso.westeurope.data.azurecr.io: no such host`, cause.NetworkDataEndpoint},
		{"a privatelink name given as the registry", `dial tcp: lookup contoso.privatelink.azurecr.io on 10.0.0.10:53: no such host`, cause.RegistryNameInvalid},
		{"Node's form", `Error: getaddrinfo ENOTFOUND contoso.azurecr.io`, cause.RegistryNotFound},
		{"a name that exists for everyone", `Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.2:53: no such host`, cause.NetworkDNSFailure},
		{"a resource name given as the login server", `Get "https://contoso/v2/": dial tcp: lookup contoso on 127.0.0.53:53: no such host`, cause.RegistryNameInvalid},
		{"a timeout while the configuration downloads", `error pulling image configuration: download failed after attempts=6: dial tcp 20.60.1.2:443: i/o timeout`, cause.NetworkDataEndpoint},
	})
	// Azure DNS answers for every Azure VM: its NXDOMAIN is mostly a wrong name, a private zone second.
	got := Classify(`Get "https://contoso.azurecr.io/v2/": dial tcp: lookup contoso.azurecr.io on 168.63.129.16:53: no such host`)
	if len(got) < 2 || got[0].ID != cause.RegistryNotFound || got[1].ID != cause.NetworkPrivateEndpoint {
		t.Errorf("Azure DNS: %v", ids(got))
	}
	got = Classify(`dial tcp: lookup contoso.azurecr.io on 10.0.0.10:53: no such host`)
	if len(got) < 2 || got[0].ID != cause.RegistryNotFound || !slices.ContainsFunc(got[1:3], func(m Match) bool { return m.ID == cause.NetworkPrivateEndpoint }) {
		t.Errorf("a private DNS server: %v, want private endpoint DNS among the next two", ids(got))
	}
	if got := ids(Classify(`dial tcp: lookup contoso.azurecr.io on 127.0.0.53:53: no such host`)); slices.Contains(got, cause.NetworkPrivateEndpoint) {
		t.Errorf("a loopback stub resolver: %v, want no private endpoint", got)
	}
	f := Extract(`dial tcp: lookup contoso.azurecr.io on [fd00::53]:53: no such host`)
	if len(f.Unresolved) != 1 || f.Unresolved[0] != "contoso.azurecr.io" || f.Resolver != "fd00::53" {
		t.Errorf("Unresolved %q, Resolver %q", f.Unresolved, f.Resolver)
	}
}

// TestOldClients: the messages of a Docker or Helm too old for what ACR serves.
func TestOldClients(t *testing.T) {
	for _, text := range []string{
		`unknown flag: --password-stdin`,
		`Error response from daemon: client version 1.22 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version`,
		`Error: unknown command "registry" for "helm"`,
		`Error: this feature has been marked as experimental and is not enabled by default. Please set HELM_EXPERIMENTAL_OCI=1 in your environment to use this feature`,
	} {
		if got := Classify(text); len(got) == 0 || got[0].ID != cause.DockerClientTooOld {
			t.Errorf("%q: %v", text, ids(got))
		}
	}
}

// TestLoginRefusal: a 401 to docker login's own /v2/ check is about the credentials, not a role: the login
// asks for no repository.
func TestLoginRefusal(t *testing.T) {
	for _, text := range []string{
		`Error response from daemon: Get "https://contoso.azurecr.io/v2/": unauthorized: authentication required`,
		`Error response from daemon: login attempt to https://contoso.azurecr.io/v2/ failed with status: 401 Unauthorized`,
	} {
		got := Classify(text)
		if len(got) < 2 || got[0].ID != cause.AuthInvalidCredentials || got[1].ID != cause.AuthTokenExpired {
			t.Errorf("%q: %v", text, ids(got))
		}
	}
	// the same words on a manifest request stay open: no credentials, expired ones or a missing role
	if got := Classify(`Error response from daemon: Head "https://contoso.azurecr.io/v2/app/manifests/1": unauthorized: authentication required`); got[0].ID != cause.Unknown {
		t.Errorf("a manifest 401: %v", ids(got))
	}
}

// TestABACRegistries: where repository permissions are on, AcrPull and AcrPush are ignored.
func TestABACRegistries(t *testing.T) {
	for _, text := range []string{
		`unauthorized: authentication required. The registry uses "RBAC Registry + ABAC Repository Permissions" mode`,
		`az role assignment create --role "Container Registry Repository Reader" ... then the pull of app:1 still says unauthorized`,
	} {
		if got := Classify(text); len(got) == 0 || got[0].ID != cause.AuthzABACRepositoryRole {
			t.Errorf("%q: %v", text, ids(got))
		}
	}
}

// TestKubeletTriesTwice: the kubelet reports its credentialed attempt and its anonymous one; a NotFound
// from the first is the answer, the anonymous 401 trails it.
func TestKubeletTriesTwice(t *testing.T) {
	text := `Failed to pull image "contoso.azurecr.io/app:3": [rpc error: code = NotFound desc = failed to pull and unpack image "contoso.azurecr.io/app:3": failed to resolve reference "contoso.azurecr.io/app:3": contoso.azurecr.io/app:3: not found, rpc error: code = Unknown desc = failed to pull and unpack image "contoso.azurecr.io/app:3": failed to resolve reference "contoso.azurecr.io/app:3": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized]`
	if got := Classify(text); got[0].ID != cause.RegistryManifestUnknown {
		t.Errorf("NotFound then anonymous 401: %v", ids(got))
	}
	only := `Failed to pull image "contoso.azurecr.io/app:3": rpc error: code = Unknown desc = failed to pull and unpack image "contoso.azurecr.io/app:3": failed to resolve reference "contoso.azurecr.io/app:3": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized`
	if got := Classify(only); got[0].ID != cause.AuthzPullDenied {
		t.Errorf("the anonymous 401 alone: %v", ids(got))
	}
}

// TestWordingOfOtherFailures: Windows hosts' platform errors and ACR's answer to a service principal
// login with a username that is not a client id.
func TestWordingOfOtherFailures(t *testing.T) {
	for text, want := range map[string]string{
		`a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host`:                                                        cause.RegistryPlatformMismatch,
		`no matching manifest for windows/amd64 10.0.19041 in the manifest list entries`:                                                         cause.RegistryPlatformMismatch,
		`Error response from daemon: Get "https://contoso.azurecr.io/v2/": unauthorized: aad access token with sp failed client id must be guid`: cause.AuthInvalidCredentials,
		"(AuthorizationFailed) The client 'dev@contoso.example' with object id '1234' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso'": cause.AuthzARMPermission,
		`Could not create a role assignment for ACR. Are you an Owner on this subscription?`:                                                                                cause.AuthzARMPermission,
		`E0829 kuberuntime_manager.go:273] "Failed to register CRI auth plugins" err="plugin binary executable /var/lib/kubelet/credential-provider/acrdiag did not exist"`: cause.KubeletProviderConfig,
	} {
		if got := Classify(text); len(got) == 0 || got[0].ID != want {
			t.Errorf("%q: %v, want %s", text, ids(got), want)
		}
	}
}

// TestPlaceholderNames: names redacted as <name>, [name] or {name} are still judged by their suffix, and a
// push refused at the upload names the push right.
func TestPlaceholderNames(t *testing.T) {
	if got := Classify(`docker push [myacrname].azureacr.io/azure-vote-front:v1`); len(got) == 0 || got[0].ID != cause.RegistryNameInvalid {
		t.Errorf("a mistyped suffix after a placeholder: %v", ids(got))
	}
	// a redacted name is no registry to diagnose, but still the registry whose name did not resolve
	if h := Host(`Get https://<ACR_NAME>.azurecr.io/v2/: unauthorized: authentication required`); h != "" {
		t.Errorf("Host of a placeholder login server = %q, want none", h)
	}
	if got := Classify(`dial tcp: lookup <acr-name>.azurecr.io on 8.8.8.8:53: no such host`); got[0].ID != cause.RegistryNotFound {
		t.Errorf("a redacted name that does not resolve: %v", ids(got))
	}
	push := `ERROR: failed to solve: failed to push contoso.azurecr.io/app:1: unexpected status from PUT request to https://contoso.azurecr.io/v2/app/blobs/uploads/: 401 Unauthorized`
	if got := Classify(push); got[0].ID != cause.AuthzPushDenied {
		t.Errorf("a refused upload: %v", ids(got))
	}
}

// TestHelperFailures: Docker's wrapper around a failing credential helper. The stores' own errors name the
// store; acrdiag's own line names its cause; a helper's network failure is the network's.
func TestHelperFailures(t *testing.T) {
	for text, want := range map[string]string{
		"error getting credentials - err: exit status 1, out: `A specified logon session does not exist. It may already have been terminated.`":                                                                                                            cause.DockerCredentialStore,
		"error getting credentials - err: exit status 1, out: `User interaction is not allowed.`":                                                                                                                                                          cause.DockerCredentialStore,
		"error getting credentials - err: exit status 2, out: `gpg: decryption failed: No secret key`":                                                                                                                                                     cause.DockerCredentialStore,
		"error getting credentials - err: exit status 1, out: `acrdiag: no credentials for contoso.azurecr.io: no Entra ID identity is available (no credential answered). Fix: az login. Details: docker acrcheck contoso.azurecr.io [auth.no_identity]`": cause.AuthNoIdentity,
		"error getting credentials - err: exit status 1, out: `failed to refresh token: Post \"https://login.microsoftonline.com/t/oauth2/v2.0/token\": dial tcp 20.190.1.1:443: i/o timeout`":                                                             cause.NetworkTimeout,
	} {
		if got := Classify(text); len(got) == 0 || got[0].ID != want {
			t.Errorf("%.80q: %v, want %s", text, ids(got), want)
		}
	}
	// a login server written with :443 finds none of the credentials stored for the bare name
	if got := Classify(`Error response from daemon: Get "https://contoso.azurecr.io:443/v2/": unauthorized: authentication required`); got[0].ID != cause.RegistryNameInvalid {
		t.Errorf("name.azurecr.io:443: %v", ids(got))
	}
}

// TestNoCredentialsGiven: the words of clients and CI steps that had no credentials for the registry, and
// the bare 401 of a pull, which points at missing credentials before a wrong password.
func TestNoCredentialsGiven(t *testing.T) {
	for _, text := range []string{
		`denied: no basic auth credentials`,
		`Error: failed to resolve contoso.azurecr.io/app:1: basic credential not found`,
		`Error: Username and password required`,
		`Error: Input required and not supplied: password`,
		`Error: Login failed with Error: Using auth-type: SERVICE_PRINCIPAL. Not all values are present. Ensure 'client-id' and 'tenant-id' are supplied.`,
		`EnvironmentCredential: missing environment variable AZURE_TENANT_ID`,
		`Code="InvalidImageRegistryPassword" Message="The password in the 'imageRegistryCredentials' of container group 'web' cannot be empty."`,
	} {
		if got := Classify(text); len(got) == 0 || got[0].ID != cause.AuthNoIdentity {
			t.Errorf("%.60q: %v, want %s first", text, ids(got), cause.AuthNoIdentity)
		}
	}
	pull := `Error response from daemon: Head "https://contoso.azurecr.io/v2/app/manifests/1": unauthorized: authentication required`
	if got := ids(Classify(pull)); len(got) < 3 || got[0] != cause.Unknown || got[1] != cause.AuthNoIdentity || slices.Contains(got, cause.AuthInvalidCredentials) {
		t.Errorf("a pull's bare 401: %v, want unknown, then no credentials, and no wrong password", got)
	}
	node := `Failed to pull image "contoso.azurecr.io/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: unauthorized: authentication required`
	if got := ids(Classify(node)); len(got) < 2 || got[1] != cause.AuthzPullDenied {
		t.Errorf("a node's bare 401: %v, want the kubelet identity's AcrPull second, after unknown", got)
	}
	login := `Error response from daemon: Get "https://contoso.azurecr.io/v2/": unauthorized: authentication required`
	if got := ids(Classify(login)); len(got) == 0 || got[0] != cause.AuthInvalidCredentials {
		t.Errorf("a login's 401: %v, want the credentials themselves", got)
	}
}

// TestFollowOnFailures: what az does after the Entra login failed trails that failure.
func TestFollowOnFailures(t *testing.T) {
	text := "Unable to get AAD authorization tokens with message: Access to registry 'contoso.azurecr.io' was denied. Response code: 401.\n" +
		"The client 'u@contoso.com' with object id '1' does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/listCredentials/action' over scope '/subscriptions/s'"
	if got := ids(Classify(text)); len(got) == 0 || got[0] != cause.AuthzPullDenied {
		t.Errorf("admin read after a refused Entra login: %v, want %s first", got, cause.AuthzPullDenied)
	}
	alone := "The client 'u@contoso.com' with object id '1' does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/listCredentials/action' over scope '/subscriptions/s'"
	if got := ids(Classify(alone)); len(got) == 0 || got[0] != cause.AuthzARMPermission {
		t.Errorf("admin read alone: %v, want %s first", got, cause.AuthzARMPermission)
	}
	disabled := "denied: client with IP '52.1.2.3' is not allowed access. Public network access is disabled for this registry."
	if got := ids(Classify(disabled)); len(got) < 2 || got[0] != cause.NetworkFirewallDenied || got[1] != cause.NetworkPrivateEndpoint {
		t.Errorf("public access disabled: %v, want the firewall, then private endpoint DNS", got)
	}
}

// TestLayerDownloads: a failure while layers download, after the manifest came, is the data path's: those
// requests are redirected to the data endpoint or storage. A push's blob requests stay on the login server.
func TestLayerDownloads(t *testing.T) {
	for _, text := range []string{
		"a3ed95caeb02: Downloading [=====>    ] 12MB/40MB\nunexpected EOF",
		"1: Pulling from app\na3ed95caeb02: Retrying in 5 seconds\nread tcp 10.0.0.4:51234->20.150.1.2:443: read: connection reset by peer",
		`Error response from daemon: Get "https://contoso.azurecr.io/v2/app/blobs/sha256:abc": dial tcp 20.150.1.2:443: i/o timeout`,
		`failed to copy: httpReadSeeker: failed open: unexpected status code https://contoso.azurecr.io/v2/app/blobs/sha256:abc: 403 Forbidden`,
		`error pulling image configuration: received unexpected HTTP status: 403 Forbidden`,
	} {
		if got := ids(Classify(text)); len(got) == 0 || got[0] != cause.NetworkDataEndpoint {
			t.Errorf("%.60q: %v, want %s first", text, got, cause.NetworkDataEndpoint)
		}
	}
	if got := ids(Classify("Error initiating layer download: Get https://eastus.data.mcr.microsoft.com/abc/docker/registry/v2/blobs/sha256/ef/ef11/data")); len(got) == 0 || got[0] != cause.NetworkDataEndpoint {
		t.Errorf("a layer download that failed with no more said: %v", got)
	}
	if got := ids(Classify(`DockerApiException: Docker API responded with status code=InternalServerError, response={"message":"denied"}`)); len(got) == 0 || got[0] != cause.NetworkFirewallDenied {
		t.Errorf("the registry's bare denial: %v", got)
	}
	push := "The push refers to repository [contoso.azurecr.io/app]\na3ed95caeb02: Retrying in 5 seconds\nread tcp 10.0.0.4:51234->20.150.1.2:443: read: connection reset by peer"
	if got := ids(Classify(push)); slices.Contains(got, cause.NetworkDataEndpoint) {
		t.Errorf("a push's reset: %v, want no data endpoint", got)
	}
}

// TestTokenLifetime: what stops working after ACR's three-hour token lifetime is an expired token.
func TestTokenLifetime(t *testing.T) {
	text := "docker push worked for a few hours, then: unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information."
	if got := ids(Classify(text)); len(got) == 0 || got[0] != cause.AuthTokenExpired {
		t.Errorf("%v, want %s first", got, cause.AuthTokenExpired)
	}
	tip := "You may want to use 'az acr login -n contoso --expose-token' to get an access token, which does not require Docker to be installed.\nAn error occurred: DOCKER_COMMAND_ERROR"
	if got := ids(Classify(tip)); slices.Contains(got, cause.AuthTokenExpired) {
		t.Errorf("az's tip: %v, want no expired token", got)
	}
}

// TestRefusedAfterLogin: a pull or push refused right after a login that succeeded is about rights, not
// credentials.
func TestRefusedAfterLogin(t *testing.T) {
	for text, want := range map[string]string{
		"Login Succeeded\nError response from daemon: Head \"https://contoso.azurecr.io/v2/app/manifests/1\": unauthorized: authentication required": cause.AuthzPullDenied,
		"Login Succeeded\nThe push refers to repository [contoso.azurecr.io/app]\nunauthorized: authentication required":                             cause.AuthzPushDenied,
	} {
		got := ids(Classify(text))
		if len(got) == 0 || got[0] != want || slices.Contains(got, cause.AuthInvalidCredentials) || slices.Contains(got, cause.AuthNoIdentity) {
			t.Errorf("%.40q: %v, want %s first and no credential cause", text, got, want)
		}
	}
}

// TestEmptyRegistryPart: an image whose registry part came out empty (an unset variable) shows as a URL
// with no host; every refusal after it follows from that.
func TestEmptyRegistryPart(t *testing.T) {
	text := `Invalid value: "/app": GET https:: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:app Type:repository]]`
	if got := ids(Classify(text)); len(got) == 0 || got[0] != cause.RegistryNameInvalid {
		t.Errorf("%v, want %s first", got, cause.RegistryNameInvalid)
	}
	if got := ids(Classify(`az acr build -r contoso .` + "\nCould not get SAS URL to upload.")); len(got) == 0 || got[0] != cause.AuthzARMPermission {
		t.Errorf("az acr build's upload URL: %v, want %s", got, cause.AuthzARMPermission)
	}
}

// TestContainersImageWords: podman, skopeo and buildah (containers/image) word a login and a pull their own way.
func TestContainersImageWords(t *testing.T) {
	login := Extract(`Error: authenticating creds for "contoso.azurecr.io": Requesting bearer token: invalid status code from registry 401 (Unauthorized)`)
	if login.Action != "login" || len(login.Statuses) != 1 || login.Statuses[0].Request != reqToken {
		t.Errorf("podman login: action %q, statuses %+v", login.Action, login.Statuses)
	}
	if got := ids(login.Classify()); len(got) == 0 || got[0] != cause.AuthInvalidCredentials {
		t.Errorf("podman login: %v, want %s first", got, cause.AuthInvalidCredentials)
	}
	if f := Extract(`Error: initializing source docker://contoso.azurecr.io/app:1: reading manifest 1 in contoso.azurecr.io/app: unauthorized: authentication required`); f.Action != "pull" {
		t.Errorf("skopeo copy: action %q, want pull", f.Action)
	}
}

// TestHonestUnknown: text about a registry that no rule knows gets the cause unknown, whose fix is the
// diagnosis of that registry; text about no registry gets nothing.
func TestHonestUnknown(t *testing.T) {
	e := Explain("Error: something odd happened with contoso.azurecr.io/app:1", nil)
	if len(e.Causes) != 1 || e.Causes[0].ID != cause.Unknown || e.Causes[0].Fix != "Diagnose the registry itself: docker acrcheck contoso.azurecr.io" {
		t.Errorf("about a registry: %+v", e.Causes)
	}
	if e := Explain("everything is fine", nil); len(e.Causes) != 0 {
		t.Errorf("about nothing: %+v", e.Causes)
	}
}

// TestReferenceWords: each client's words for an image reference it cannot use.
func TestReferenceWords(t *testing.T) {
	for _, text := range []string{
		`tag does not exist: contoso.azurecr.io/app:1`,
		`ctr: failed to resolve reference "contoso.azurecr.io/App:1": repository name must be canonical`,
		`Error: could not parse reference: contoso.azurecr.io/app:`,
		`Error: scheme prefix missing from remote (e.g. "oci://")`,
	} {
		if got := ids(Classify(text)); len(got) == 0 || got[0] != cause.RegistryNameInvalid {
			t.Errorf("%.60q: %v, want %s first", text, got, cause.RegistryNameInvalid)
		}
	}
}

// TestMoreClientWords: an old az or Helm, and a registry with anonymous pull that refuses a pull.
func TestMoreClientWords(t *testing.T) {
	for text, want := range map[string]string{
		"az: error: unrecognized arguments: --expose-token":                                                                 cause.DockerClientTooOld,
		`Error: GET "https://contoso.azurecr.io/v2/charts/app/tags/list": response status code 401: unauthorized`:           cause.AuthzRepoScopedToken,
		`Error: unknown command "push" for "helm"`:                                                                          cause.DockerClientTooOld,
		"anonymous pull is enabled on the registry, yet: Error response from daemon: unauthorized: authentication required": cause.AuthAnonymousPullBlocked,
	} {
		if got := ids(Classify(text)); len(got) == 0 || got[0] != want {
			t.Errorf("%.50q: %v, want %s first", text, got, want)
		}
	}
}

// TestEveryPatternStartsWithALiteral: a branch without a literal is compiled and run on every text, which
// the hook pays for after each failed command.
func TestEveryPatternStartsWithALiteral(t *testing.T) {
	for _, s := range signals() {
		for _, a := range s.alts {
			if a.literal == "" {
				t.Errorf("%s: the branch %q starts with no literal", s.cause, a.re().String())
			}
		}
	}
}

// TestBareForbidden: a 403 without ACR's own words may be a proxy's; with them it is the registry's firewall.
func TestBareForbidden(t *testing.T) {
	bare := ids(Classify("Error response from daemon: login attempt to https://contoso.azurecr.io/v2/ failed with status: 403 Forbidden"))
	if len(bare) < 2 || bare[0] != cause.NetworkFirewallDenied || !slices.Contains(bare, cause.NetworkProxyError) {
		t.Errorf("a bare 403: %v, want the firewall, then a proxy", bare)
	}
	acr := ids(Classify(`Error response from daemon: Get "https://contoso.azurecr.io/v2/": denied: client with IP '52.1.2.3' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`))
	if len(acr) == 0 || acr[0] != cause.NetworkFirewallDenied || slices.Contains(acr, cause.NetworkProxyError) {
		t.Errorf("ACR's own 403: %v, want the firewall and no proxy", acr)
	}
}

// TestStoreWords: the platform stores' own words when they fail.
func TestStoreWords(t *testing.T) {
	for _, text := range []string{
		"Error saving credentials: error storing credentials - err: exit status 1, out: `The specified item already exists in the keychain.`",
		"error storing credentials - err: exit status 1, out: `Cannot create an item in a locked collection`",
		"error getting credentials - err: fork/exec /usr/bin/docker-credential-desktop.exe: exec format error, out: ``",
	} {
		if got := ids(Classify(text)); len(got) == 0 || got[0] != cause.DockerCredentialStore {
			t.Errorf("%.60q: %v, want %s first", text, got, cause.DockerCredentialStore)
		}
	}
}

// TestNonTTYInCI: in a CI job docker login asks for a password only when the one it was given is empty.
func TestNonTTYInCI(t *testing.T) {
	ci := ids(Classify("Error: Cannot perform an interactive login from a non TTY device\nError: Process completed with exit code 1."))
	if len(ci) < 2 || ci[0] != cause.AuthNoIdentity || ci[1] != cause.DockerNonTTYLogin {
		t.Errorf("in GitHub Actions: %v, want no credentials, then the non-TTY login", ci)
	}
	script := ids(Classify("Error: Cannot perform an interactive login from a non TTY device"))
	if len(script) == 0 || script[0] != cause.DockerNonTTYLogin {
		t.Errorf("in a script: %v, want the non-TTY login first", script)
	}
}

// TestResolverOutput: nslookup, dig and ping output pasted with an error tell where the name leads.
func TestResolverOutput(t *testing.T) {
	windows := "Server:  UnKnown\nAddress:  168.63.129.16\n\nNon-authoritative answer:\nName:    contoso.privatelink.azurecr.io\nAddress:  20.49.102.151\nAliases:  contoso.azurecr.io\n"
	linuxPrivate := "Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n\nNon-authoritative answer:\ncontoso.azurecr.io\tcanonical name = contoso.privatelink.azurecr.io.\nName:\tcontoso.privatelink.azurecr.io\nAddress: 10.1.0.4\n"
	checkFirst(t, []firstCause{
		{"nslookup: privatelink to a public address", windows, cause.NetworkPrivateEndpoint},
		{"dig: privatelink to a public address", "contoso.azurecr.io.\t60\tIN\tCNAME\tcontoso.privatelink.azurecr.io.\ncontoso.privatelink.azurecr.io. 60 IN CNAME weu.fe.azcr.io.\nweu.fe.azcr.io.\t60\tIN\tA\t51.124.64.1\n", cause.NetworkPrivateEndpoint},
		{"ping through privatelink to a public address", "Pinging contoso.privatelink.azurecr.io [20.49.102.151] with 32 bytes of data:\nRequest timed out.", cause.NetworkPrivateEndpoint},
		{"a private endpoint, a public answer, the firewall's refusal", "We added a private endpoint.\nNon-authoritative answer:\nName: weu.fe.azcr.io\nAddress: 51.124.64.1\nAliases: contoso.azurecr.io\nError response from daemon: Get \"https://contoso.azurecr.io/v2/\": denied: client with IP '51.1.1.1' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.", cause.NetworkPrivateEndpoint},
		{"the privatelink name typed at login", "docker login contoso.privatelink.azurecr.io\nError response from daemon: Get \"https://contoso.privatelink.azurecr.io/v2/\": unauthorized", cause.RegistryNameInvalid},
	})
	// the zone answers with the endpoint's private address: the DNS is right, and the privatelink name a CNAME
	if got := ids(Classify(linuxPrivate)); slices.Contains(got, cause.RegistryNameInvalid) || slices.Contains(got, cause.NetworkPrivateEndpoint) {
		t.Errorf("a private answer: %v, want neither a name mistake nor private endpoint DNS", got)
	}
	if a := Extract(windows).DNS; a == nil || !a.Privatelink || !slices.Equal(a.Addresses, []string{"20.49.102.151"}) {
		t.Errorf("nslookup's answer: %+v, want the answer's address without the server's", a)
	}
	if a := Extract("mapping the layers of contoso.azurecr.io/app"); a.DNS != nil {
		t.Errorf("no resolver output, yet %+v", a.DNS)
	}
}

// TestNamedFailuresOfTheResolverAndTheIdentityEndpoint: a resolver that does not answer, and a managed
// identity endpoint that does not, are theirs to fix, not the registry name's.
// (The texts name the instance metadata address as error text does; Classify reads text and connects nowhere.)
func TestNamedFailuresOfTheResolverAndTheIdentityEndpoint(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"a lookup timed out (cgo resolver)", `Get "https://contoso.azurecr.io/v2/": dial tcp: lookup contoso.azurecr.io: i/o timeout`, cause.NetworkDNSFailure},
		{"the resolver refused", `dial tcp: lookup contoso.azurecr.io on [::1]:53: read udp [::1]:58645->[::1]:53: read: connection refused`, cause.NetworkDNSFailure},
		{"no metadata endpoint", `ManagedIdentityCredential: Get "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01": dial tcp 169.254.169.254:80: connect: no route to host`, cause.AuthNoIdentity},
		{"no identity assigned", `ManagedIdentityCredential: no default identity is assigned to this resource`, cause.AuthNoIdentity},
		{"the metadata endpoint silent", `ManagedIdentityCredential: managed identity timed out. See https://aka.ms/azsdk/go/identity/troubleshoot#managed-id for more information`, cause.AuthNoIdentity},
	}
	for _, tt := range tests {
		got := Classify(tt.text)
		if len(got) == 0 || got[0].ID != tt.want {
			t.Errorf("%s: %v, want %s first", tt.name, ids(got), tt.want)
		}
		if slices.Contains(ids(got), cause.RegistryNameInvalid) {
			t.Errorf("%s: %v names the metadata endpoint's address a registry name", tt.name, ids(got))
		}
	}
}

// TestWhatTheUserSetUp: the registry's settings and the credentials a user describes point to the cause
// a bare refusal leaves open.
func TestWhatTheUserSetUp(t *testing.T) {
	bare := "\nError response from daemon: Head \"https://contoso.azurecr.io/v2/app/manifests/1\": unauthorized: authentication required"
	checkFirst(t, []firstCause{
		{"terraform's anonymous pull", `anonymous_pull_enabled = true` + bare, cause.AuthAnonymousPullBlocked},
		{"ARM's anonymous pull", `"anonymousPullEnabled": true` + bare, cause.AuthAnonymousPullBlocked},
		{"a token with a scope map", "az acr token create --name ci --registry contoso --scope-map _repositories_pull\ndocker push contoso.azurecr.io/app:1\ndenied: requested access to the resource is denied", cause.AuthzRepoScopedToken},
		{"Docker's v1 API", `Error response from daemon: Get https://contoso.azurecr.io/v1/users/: unauthorized`, cause.DockerClientTooOld},
		{"an OCI index an old client cannot read", `failed to pull image: unsupported media type application/vnd.oci.image.index.v1+json`, cause.DockerClientTooOld},
		{"PowerShell without docker", `docker: The term 'docker' is not recognized as the name of a cmdlet, function, script file, or operable program.`, cause.DockerCLIMissing},
		{"Node finds no daemon socket", `Error: connect ENOENT /var/run/docker.sock`, cause.DockerDaemonUnreachable},
		{"a workflow without id-token: write", `Error: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable`, cause.AuthNoIdentity},
		{"an upload cut off", `failed to copy: failed to do request: Put "https://contoso.azurecr.io/v2/app/blobs/uploads/abc?digest=sha256:1": write tcp 10.0.0.5:50000->20.1.2.3:443: write: broken pipe`, cause.NetworkConnectionReset},
		{"a wrong password, spelled out", `Error response from daemon: Get "https://contoso.azurecr.io/v2/": unauthorized: Invalid username or password.`, cause.AuthInvalidCredentials},
	})
}

// TestRootCausesBehindTheRefusal: what the text shows the user did explains the error it ends in.
func TestRootCausesBehindTheRefusal(t *testing.T) {
	checkFirst(t, []firstCause{
		{"upper case, then the token refused", "Challenge endpoint https://MyRegistry.azurecr.io/v2/ : OK\nAn error occurred: CONNECTIVITY_ACCESS_TOKEN_ERROR\nAccess to registry 'MyRegistry.azurecr.io' was denied. Response code: 401.", cause.RegistryNameInvalid},
		{"skopeo given a transport", "skopeo login docker://contoso.azurecr.io --username contoso\nFATA[0033] error authenticating creds for \"docker:\": error pinging docker registry docker:: Get \"https://docker/v2/\": dial tcp: lookup docker on 172.20.208.1:53: no such host", cause.RegistryNameInvalid},
		{"an official image imported without library/", "az acr import --name contoso --source docker.io/nginx:1.27 -t nginx:1.27\nDeployment failed. Invalid message Unauthorized Unauthorized {\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}", cause.RegistryManifestUnknown},
		{"a binary for another architecture", "exec /canipull: exec format error", cause.RegistryPlatformMismatch},
		{"go-containerregistry finds no build for the platform", `Invalid value: "contoso.azurecr.io/bot": no child with platform linux/amd64 in index contoso.azurecr.io/bot`, cause.RegistryPlatformMismatch},
		{"helm given a registry without oci://", "Error: repo contoso.azurecr.io not found", cause.RegistryNameInvalid},
		{"ORAS finds no such tag", "Error: failed to resolve 1.0.0: contoso.azurecr.io/charts/app:1.0.0: not found", cause.RegistryManifestUnknown},
		{"az acr repository's 404", "ERROR: The requested data does not exist. Correlation ID: 5f6e.", cause.RegistryManifestUnknown},
		{"az's check of a registry name", "ERROR: Registry names may contain only alpha numeric characters and must be between 5 and 50 characters", cause.RegistryNameInvalid},
		{"az acr in another resource group", "ERROR: (ResourceGroupNotFound) Resource group 'rg' could not be found.", cause.RegistryNotFound},
		{"az without Docker", "ERROR: Docker is not running or not installed. Please start Docker and try again.", cause.DockerDaemonUnreachable},
		{"a user outside the docker group", "An error occurred: DOCKER_COMMAND_ERROR\nGot permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock", cause.DockerDaemonUnreachable},
		{"containers/image's words for any 401", "Error: initializing source docker://contoso.azurecr.io/app:1: unable to retrieve auth token: invalid username/password: unauthorized: authentication required", cause.Unknown},
		{"Container Instances given no registry server", "Error: The server '' in the 'imageRegistryCredentials' of container group 'web' is invalid. It should be a valid host name without protocol.", cause.RegistryNameInvalid},
		{"a pipeline agent without docker", "##[error]Unable to locate executable file: 'docker'. Please verify either the file path exists", cause.DockerCLIMissing},
		{"a manifest pushed to Docker Hub", "failed to put manifest docker.io/shop/basket:dev: errors:\ndenied: requested access to the resource is denied\nunauthorized: authentication required", cause.RegistryNameInvalid},
		{"az acr import without read on the source", "it does not have permission to perform action 'read' on the linked scope(s) '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/source'", cause.AuthzPullDenied},
		{"a task with no credential on an ABAC registry", "az acr build -r contoso -t app:1 .\nwhen specifying push, at least one credential is required", cause.AuthzABACRepositoryRole},
	})
	// an official image's full name, and the credential helper's own exec failure, are something else
	if got := ids(Classify("az acr import --name contoso --source docker.io/library/nginx:1.27 -t nginx:1.27")); slices.Contains(got, cause.RegistryManifestUnknown) {
		t.Errorf("docker.io/library/nginx: %v", got)
	}
	if got := ids(Classify("az acr import -n contoso --source docker.io/library/nginx:1.27\nError: denied")); slices.Contains(got, cause.RegistryNameInvalid) {
		t.Errorf("importing from Docker Hub is no name mistake: %v", got)
	}
	if got := Classify("error getting credentials - err: fork/exec /usr/bin/docker-credential-desktop.exe: exec format error, out: ``"); len(got) == 0 || got[0].ID != cause.DockerCredentialStore {
		t.Errorf("the helper's exec format error: %v", ids(got))
	}
}

// TestGrantTypes: the grant the registry's token endpoint refused tells what was wrong with it.
func TestGrantTypes(t *testing.T) {
	checkFirst(t, []firstCause{
		{"a refresh token", `POST https://contoso.azurecr.io/oauth2/token grant_type=refresh_token&service=contoso.azurecr.io&scope=repository%3Aapp%3Apull: 401 Unauthorized`, cause.AuthTokenExpired},
		{"a password, URL-encoded", `unexpected status from POST request to https://contoso.azurecr.io/oauth2/token?grant_type%3Dpassword: 401 Unauthorized`, cause.AuthInvalidCredentials},
	})
	if f := Extract(`{"grant_type":"access_token","service":"contoso.azurecr.io"} then grant_type=refresh_token`); !slices.Equal(f.Grants, []string{"access_token", "refresh_token"}) {
		t.Errorf("Grants = %q", f.Grants)
	}
}

// TestAppServicePulls: App Service pulls with the credentials of its settings, so a refusal there may be
// those credentials, unlike a bare pull at a terminal with no login in sight.
func TestAppServicePulls(t *testing.T) {
	f := Extract(`ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={"message":"Get https://contoso.azurecr.io/v2/app/manifests/latest: unauthorized: authentication required"}`)
	if f.Tool != "app-service" {
		t.Errorf("tool %q, want app-service", f.Tool)
	}
	got := ids(f.Classify())
	if len(got) < 4 || got[0] != cause.Unknown || !slices.Contains(got[1:4], cause.AuthInvalidCredentials) || !slices.Contains(got[1:4], cause.AuthNoIdentity) {
		t.Errorf("%v, want unknown first, then the settings' credentials and a missing identity among the candidates", got)
	}
	if slices.Contains(got, cause.AuthTokenExpired) {
		t.Errorf("%v: App Service holds no token that expires", got)
	}
	for text, tool := range map[string]string{
		"Container 'web' in container app 'shop' ImagePullUnauthorized: unauthorized: authentication required":                            "container-apps",
		"The image 'contoso.azurecr.io/app:1' in container group 'cg' is not accessible. Please check the image and registry credential.": "container-instances",
		"AzureMLCompute job failed.\nFailedPullingImage: Unable to pull docker image: unauthorized: authentication required":              "azure-ml",
	} {
		f := Extract(text)
		if f.Tool != tool {
			t.Errorf("%.40q: tool %q, want %s", text, f.Tool, tool)
		}
		if got := ids(f.Classify()); slices.Contains(got, cause.AuthTokenExpired) {
			t.Errorf("%s: %v, but it holds no token that expires", tool, got)
		}
	}
}

// TestSDKAndPushRefusals: the request that was refused narrows a bare 401.
func TestSDKAndPushRefusals(t *testing.T) {
	got := Classify(`error: failed to solve: failed to push contoso.azurecr.io/app:1: unexpected status from PUT request to https://contoso.azurecr.io/v2/app/manifests/1: 401 Unauthorized`)
	if len(got) == 0 || got[0].ID != cause.AuthzPushDenied {
		t.Errorf("a refused manifest PUT: %v, want %s first", ids(got), cause.AuthzPushDenied)
	}
	sdk := Extract("Azure.RequestFailedException: Service request failed.\nStatus: 401 (Unauthorized)\nContent:\n{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")
	if sdk.Tool != "azure-sdk" {
		t.Errorf("tool %q, want azure-sdk", sdk.Tool)
	}
	if got := ids(sdk.Classify()); len(got) < 3 || got[0] != cause.Unknown || !slices.Contains(got[1:3], cause.AuthNoIdentity) || !slices.Contains(got[1:3], cause.AuthzPullDenied) {
		t.Errorf("an SDK client's 401: %v, want unknown, then a client without a credential and a missing role", got)
	}
}

// TestPublicEndpointRefusal: ACR's public endpoint answers the same 403 for an IP rule, disabled public
// access and a private endpoint whose name resolved to the public address: the firewall comes first, the
// private endpoint's DNS stays among the first three candidates, and a text that shows the path gets no
// duplicate.
func TestPublicEndpointRefusal(t *testing.T) {
	for _, refused := range []string{
		`Error response from daemon: Get "https://contoso.azurecr.io/v2/": denied: client with IP '52.1.2.3' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`,
		`Error response from daemon: login attempt to https://contoso.azurecr.io/v2/ failed with status: 403 Forbidden`,
		`failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden`,
	} {
		got := ids(Classify(refused))
		if len(got) < 2 || got[0] != cause.NetworkFirewallDenied || slices.Index(got, cause.NetworkPrivateEndpoint) < 1 || slices.Index(got, cause.NetworkPrivateEndpoint) > 2 {
			t.Errorf("%.60q: %v, want the firewall first and the private endpoint's DNS second or third", refused, got)
		}
	}
	privateAddress := `Get "https://contoso.azurecr.io/v2/": dial tcp 10.1.2.7:443: i/o timeout`
	if got := Classify(privateAddress); len(got) == 0 || got[0].ID != cause.NetworkPrivateEndpoint ||
		slices.ContainsFunc(got[0].Evidence, func(e string) bool { return strings.Contains(e, "public endpoint refused") }) {
		t.Errorf("a private address: %v, want the private endpoint first on its own evidence", ids(got))
	}
	if got := ids(Classify(`unauthorized: authentication required`)); slices.Contains(got, cause.NetworkPrivateEndpoint) {
		t.Errorf("a 401: %v, want no private endpoint", got)
	}
}
