package explain

import (
	"github.com/acrdiag/acrdiag/internal/cause"
)

// referenceCorpus holds error messages quoted in ACR's, Docker's and Azure's own documentation and code, each
// with the cause it should be explained by. The rules were written against it: it is part of the tuning set.
var referenceCorpus = []struct {
	text, cause, source string
}{
	// ACR data plane (acr-protocol.md 1.10)
	{`unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.`, cause.AuthzPullDenied, "ACR E1; Azure/acr#506"},
	{`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required, visit https://aka.ms/acr/authorization for more information.","detail":[{"Type":"repository","Name":"hello-world","Action":"pull"}]}]}`, cause.AuthzPullDenied, "GO-SDK recordings (E1)"},
	{`Error response from daemon: Head "https://myregistry.azurecr.io/v2/app/manifests/1": unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.`, cause.AuthzPullDenied, "microsoft/azure-pipelines-tasks#13490"},
	{`Bearer realm="https://myregistry.azurecr.io/oauth2/token",service="myregistry.azurecr.io",scope="repository:hello-world:metadata_write",error="insufficient_scope"`, cause.AuthzPushDenied, "GO-SDK recording (E3)"},
	{`Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",scope="repository:library/hello-world:metadata_read",error="invalid_token"`, cause.AuthTokenExpired, "GO-SDK authentication_policy.go (E2)"},
	{`unauthorized: Application not registered with AAD.`, cause.AuthAppNotRegistered, "Azure/azure-cli#29659 (E4)"},
	{`Error response from daemon: Get "https://myregistry.azurecr.io/v2/": unauthorized: Application not registered with AAD.`, cause.AuthAppNotRegistered, "Azure/azure-cli#21083 (E4)"},
	{`{"errors":[{"code":"DENIED","message":"client with IP '172.214.169.102' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]}`, cause.NetworkFirewallDenied, "docker/build-push-action#1214 (E5)"},
	{`Get "https://myreg.azurecr.io/v2/": denied: {"errors":[{"code":"DENIED","message":"client with IP '20.1.2.3' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]}`, cause.NetworkFirewallDenied, "E5, 2024 report"},
	{`Head "https://myacr.azurecr.io/v2/app/manifests/v1": denied: client with IP '10.20.30.40' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`, cause.NetworkFirewallDenied, "Azure/acr#633 (E5)"},
	{`Error response from daemon: login attempt to https://xxxxxxx.azurecr.io/v2/ failed with status: 403 Forbidden`, cause.NetworkFirewallDenied, "Azure/acr-cli#122 (E5)"},
	{`Error response from daemon: login attempt failed with status: 403 Forbidden`, cause.NetworkFirewallDenied, "MD container-registry-access-selected-networks"},
	{`failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden`, cause.NetworkFirewallDenied, "SUPPORT-AKS (E5)"},
	{`Unable to get AAD authorization tokens with message: Access to registry 'foo.azurecr.io' was denied. Response code: 403.`, cause.NetworkFirewallDenied, "Azure/azure-cli#17137 (E6)"},
	{`Access to registry 'myreg.azurecr.io' was denied. Response code: 401. Please try running 'az login' again to refresh permissions.`, cause.AuthzPullDenied, "Azure/acr#164 (E6)"},
	{`Unable to get AAD authorization tokens with message: 2024-06-25 An error occurred: CONNECTIVITY_REFRESH_TOKEN_ERROR Access to registry 'r.azurecr.io' was denied. Response code: 401.`, cause.AuthzPullDenied, "CLI _errors.py (E6)"},
	{`Access to registry 'r.azurecr.io' was denied. Response code: 429. Please try running 'az login' again to refresh permissions.`, cause.RegistryThrottled, "Azure/azure-cli#24886"},
	{`toomanyrequests: Too many requests. Please visit https://aka.ms/acr/skus#sku-feature-matrix to view limits of all service tiers.`, cause.RegistryThrottled, "Azure/AKS#1400 (E7)"},
	{`toomanyrequests: too many requests to source registry for cache rule 'dotnet-sdk'. CorrelationId: 1234`, cause.RegistryThrottled, "Azure/acr#754 (E7b)"},
	{`Get https://typo.azurecr.io/v2/: dial tcp: lookup typo.azurecr.io on 168.63.129.16:53: no such host`, cause.RegistryNotFound, "microsoft/nav-docker#57 (E8)"},
	{`The resource with name 'myreg' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription 'Prod'.`, cause.RegistryNotFound, "Azure/azure-cli#28740 (E8)"},
	{`Could not connect to the registry login server 'myreg.azurecr.io'. Please verify that the registry exists and the URL 'https://myreg.azurecr.io/v2/' is reachable from your environment.`, cause.RegistryNotFound, "CLI _docker_utils.py (E8)"},
	{`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest tagged by \"wrong-tag\" is not found","detail":{"Tag":"wrong-tag"}}]}`, cause.RegistryManifestUnknown, "GO-SDK recording (E9)"},
	{`Error response from daemon: manifest for myreg.azurecr.io/app:v9 not found: manifest unknown: manifest tagged by "v9" is not found`, cause.RegistryManifestUnknown, "docker pull of a missing tag (E9)"},
	{`Failed to pull image "myreg.azurecr.io/app:v9": rpc error: code = NotFound desc = failed to pull and unpack image "myreg.azurecr.io/app:v9": failed to resolve reference "myreg.azurecr.io/app:v9": myreg.azurecr.io/app:v9: not found`, cause.RegistryManifestUnknown, "SUPPORT-AKS (E9, containerd)"},
	{`Error response from daemon: Get https://myreg.azurecr.io/v2/: proxyconnect tcp: EOF Login failed`, cause.NetworkProxyError, "MD troubleshoot-access (E13)"},
	{`Get "https://myreg.azurecr.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`, cause.NetworkTimeout, "SUPPORT-AKS (E13)"},
	{`Error response from daemon: Get "https://myreg.azurecr.io/v2/": net/http: TLS handshake timeout`, cause.NetworkTimeout, "MD FAQ (E13)"},
	{`Get "https://myreg.azurecr.io/v2/": x509: certificate has expired or is not yet valid`, cause.NetworkTLSError, "Azure/azure-sdk-tools#1833 (E13)"},
	{`Failed to pull image "myacr.azurecr.io/app:1": rpc error: code = Unknown desc = failed to do request: Head "https://myacr.azurecr.io/v2/app/manifests/1": dial tcp 10.0.0.7:443: i/o timeout`, cause.NetworkPrivateEndpoint, "SUPPORT-AKS (E14)"},
	{`Error response from daemon: Head https://azsdkengsys.azurecr.io/v2/engsys/ubuntu_testproxy_server/manifests/latest: unauthorized: authentication required`, cause.AuthzPullDenied, "Azure/azure-sdk-tools#1833 (E15)"},
	{`AADSTS700082: The refresh token has expired due to inactivity.`, cause.AuthTokenExpired, "Azure/acr#655 (E16)"},
	{`AADSTS500011: The resource principal named https://myreg.azurecr.io was not found in the tenant named Contoso.`, cause.AuthAudienceRejected, "Azure/azure-cli#30445"},
	{`AADSTS50001: The resource is disabled or does not exist. Requested resource: 'https://containerregistry.azure.net'`, cause.AuthAudienceRejected, "Azure/azure-cli#33674"},
	{`denied: Insufficient scopes to perform the operation`, cause.AuthzRepoScopedToken, "Azure/acr connected-registry troubleshooting (E17)"},
	{`failed to fetch anonymous token: unexpected status from GET request to https://myacr.azurecr.io/oauth2/token?scope=repository%3Aapp%3Apull&service=myacr.azurecr.io: 401 Unauthorized`, cause.AuthzPullDenied, "SUPPORT-AKS"},
	{`<Error><Code>InvalidAuthenticationInfo</Code><Message>Authentication information is not given in the correct format. Check the value of Authorization header.`, cause.NetworkDataEndpoint, "MD container-registry-faq (E12)"},
	// azure-cli (acr-protocol.md 2.1, 2.4, 2.5)
	{`Looks like you don't have access to registry 'myreg.azurecr.io'. To see configured firewall rules, run 'az acr show --query networkRuleSet --name myreg'. To see if public network access is enabled, run 'az acr show --query publicNetworkAccess'.Please refer to https://aka.ms/acr/errors#connectivity_forbidden_error for more information.`, cause.NetworkFirewallDenied, "CLI _docker_utils.py"},
	{`2024-06-25 22:23:18.198144 An error occurred: DOCKER_COMMAND_ERROR
Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`, cause.DockerDaemonUnreachable, "user log quoted in acr-protocol.md 2.1"},
	{`An error occurred: DOCKER_DAEMON_ERROR Please verify if Docker daemon is running, or try restarting it.`, cause.DockerDaemonUnreachable, "CLI _errors.py"},
	{`An error occurred: CONNECTIVITY_DNS_ERROR Failed to reach DNS for registry 'myreg.azurecr.io'. Please check if the spelling is correct, if the CLI environment is on correct cloud and your network connectivity.`, cause.RegistryNotFound, "CLI _errors.py"},
	{`An error occurred: CONNECTIVITY_FORBIDDEN_ERROR Looks like you don't have access to registry 'myreg.azurecr.io'.`, cause.NetworkFirewallDenied, "CLI _errors.py"},
	{`An error occurred: CONNECTIVITY_SSL_ERROR Unable to establish a secure connection to the registry 'myreg.azurecr.io'. Are you using a proxy server?`, cause.NetworkTLSError, "CLI _errors.py"},
	{`An error occurred: CONNECTIVITY_TOOMANYREQUESTS_ERROR`, cause.RegistryThrottled, "azure-cli PR #25549"},
	{`An error occurred: LOGIN_SERVER_ERROR An error occurred while retrieving the login server for registry 'myreg'.`, cause.RegistryNotFound, "CLI _errors.py"},
	{`CONNECTIVITY_REFRESH_TOKEN_ERROR. Access to registry was denied. Response code: 403. Unable to get admin user credentials with message: Admin user is disabled. Unable to authenticate using AAD or admin login credentials.`, cause.NetworkFirewallDenied, "MD troubleshoot-login-authn-authz"},
	{`Unable to get admin user credentials with message: Admin user is disabled.`, cause.AuthAdminUserDisabled, "CLI custom.py"},
	{`Uppercase characters are detected in the registry name. When using its server url in docker commands, to avoid authentication errors, use all lowercase.`, cause.RegistryNameInvalid, "CLI custom.py"},
	{`Unable to authenticate using AAD or admin login credentials. Please specify both username and password in non-interactive mode.`, cause.DockerNonTTYLogin, "CLI _docker_utils.py"},
	{`ERROR: Please run 'az login' to setup account.`, cause.AuthNoIdentity, "azure-cli, via azidentity AzureCLICredential"},
	{`DDDDRDSQDRQQRDDRRRRRRRRRRRRRRRRRRDDDDDDDD is not a valid error`, "", "negative control"},
	{`DNS routing to registry "myreg" through private IP is incorrect. Expect: 10.1.0.4, Actual: 20.45.122.144`, cause.NetworkPrivateEndpoint, "CLI check_health.py (--vnet)"},
	{`Error resolving DNS for myreg.azurecr.io. Ex: [Errno -2] Name or service not known`, cause.NetworkDNSFailure, "CLI check_health.py"},
	// canipull (acr-protocol.md 3.2)
	{`Failed to resolve specified fqdn myacr.azurecr.io: lookup myacr.azurecr.io on 10.0.0.10:53: no such host`, cause.RegistryNotFound, "Azure/aks-canipull main.go"},
	{`Getting managed identity token failed with: Metadata endpoint returned error status: 400. body: {"error":"invalid_request","error_description":"Identity not found"}`, cause.AuthNoIdentity, "Azure/aks-canipull token_retriever.go"},
	{`ACR myacr.azurecr.io rejected token exchange: ACR token exchange endpoint returned error status: 401. body: {"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, cause.AuthzPullDenied, "Azure/aks-canipull"},
	// azidentity / Entra (test-environment.md 7)
	{`ClientSecretCredential: authentication failed
POST https://login.microsoftonline.com/mytenant/oauth2/v2.0/token
RESPONSE 401 Unauthorized
{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`, cause.AuthInvalidCredentials, "test-environment.md 7"},
	{`AADSTS7000222: The provided client secret keys for app '1111' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret`, cause.AuthSPSecretExpired, "Entra ID error AADSTS7000222"},
	{`AADSTS700016: Application with identifier 'abc' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant.`, cause.AuthAppNotRegistered, "Entra ID error AADSTS700016"},
	{`AzureCLICredential: ERROR: Please run 'az login' to setup account. To troubleshoot, visit https://aka.ms/azsdk/go/identity/troubleshoot#azure-cli`, cause.AuthNoIdentity, "test-environment.md 7"},
	{`AzureCLICredential: executable not found on path`, cause.AuthNoIdentity, "test-environment.md 7"},
	{`DefaultAzureCredential: failed to acquire a token.
Attempted credentials:
	AzureCLICredential: ERROR: Please run 'az login' to setup account.
	AzureDeveloperCLICredential: executable not found on path
	AzurePowerShellCredential: executable not found on path`, cause.AuthNoIdentity, "test-environment.md 7"},
	{`unable to resolve an endpoint: Get "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration": x509: certificate signed by unknown authority`, cause.NetworkTLSError, "test-environment.md 7"},
	{`AADSTS70021: No matching federated identity record found for presented assertion.`, cause.AuthFederatedMismatch, "Entra ID error AADSTS70021 (workload identity)"},
	// Docker CLI and daemon (test-environment.md 2-5, docker-helpers-plugins-hooks.md 2)
	{`Get "https://myregistry.azurecr.io/v2/": dial tcp: lookup myregistry.azurecr.io on 10.255.255.53:53: no such host`, cause.RegistryNotFound, "test-environment.md 2"},
	{`Get "https://myregistry.azurecr.io/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`, cause.NetworkTLSError, "test-environment.md 2"},
	{`Get "https://myregistry.azurecr.io/v2/": unauthorized: {"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`, cause.AuthInvalidCredentials, "test-environment.md 2"},
	{`Error: Cannot perform an interactive login from a non TTY device`, cause.DockerNonTTYLogin, "test-environment.md 2"},
	{`error: cannot perform an interactive login from a non-TTY device`, cause.DockerNonTTYLogin, "docker/cli v29 login.go"},
	{`Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`, cause.DockerDaemonUnreachable, "test-environment.md 3"},
	{`Error saving credentials: error storing credentials - err: exit status 1, out: ` + "`" + `error storing credentials - err: exit status 1, out: The stub received bad data.` + "`", cause.DockerCredentialStore, "azure-cli wincred workaround (2.1)"},
	{`Error: error getting credentials - err: exec: "docker-credential-missinghelper": executable file not found in $PATH, out: ` + "``", cause.DockerCredentialStore, "test-environment.md 5 (crane)"},
	{`error getting credentials - err: exit status 1, out: ` + "`" + `failed to acquire refresh token error refreshing sp token - adal: Failed to execute the refresh request. Error = 'context deadline exceeded'` + "`", cause.NetworkTimeout, "kaniko #2696"},
	{`Login did not succeed, error: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`, cause.DockerDaemonUnreachable, "test-environment.md 2"},
	{`Stored credentials invalid or expired`, cause.AuthTokenExpired, "docker/cli login.go"},
	{`denied: requested access to the resource is denied`, cause.AuthzPushDenied, "docker push without push rights"},
	{`unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.; [map[Action:push Name:hello Type:repository]]`, cause.AuthzPushDenied, "crane push with a pull-only token (make demo)"},
	{`Error response from daemon: client version 1.22 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version`, cause.DockerClientTooOld, "docker daemon API version check"},
	{`error getting credentials - err: exit status 1, out: ` + "`" + `pass not initialized: exit status 1: Error: password store is empty. Try "pass init".` + "`", cause.DockerCredentialStore, "docker-credential-pass"},
	{`Error saving credentials: error storing credentials - err: exit status 1, out: ` + "`" + `Cannot autolaunch D-Bus without X11 $DISPLAY` + "`", cause.DockerCredentialStore, "docker-credential-secretservice"},
	// kubelet / containerd (SUPPORT-AKS)
	{`Failed to pull image "myacr.azurecr.io/app:1": rpc error: code = Unknown desc = failed to pull and unpack image "myacr.azurecr.io/app:1": failed to resolve reference "myacr.azurecr.io/app:1": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized`, cause.AuthzPullDenied, "SUPPORT-AKS"},
	{`Failed to pull image "myacr.azurecr.io/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: failed to do request: Head "https://myacr.azurecr.io/v2/app/manifests/1": dial tcp: lookup myacr.azurecr.io on 168.63.129.16:53: no such host`, cause.RegistryNotFound, "SUPPORT-AKS"},
	{`Warning  Failed  kubelet  Failed to pull image "myacr.azurecr.io/app:1": failed to do request: Head "https://myacr.azurecr.io/v2/app/manifests/1": dial tcp 10.1.2.7:443: connect: no route to host`, cause.NetworkPrivateEndpoint, "SUPPORT-AKS"},
	{`Failed to pull image "myacr.azurecr.io/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://myacr.eastus.data.azurecr.io/docker/registry/v2/blobs/sha256/ab/abc/data": dial tcp 20.1.2.3:443: i/o timeout`, cause.NetworkDataEndpoint, "SUPPORT-AKS (data endpoint)"},
	{`Failed to pull image "myacr.azurecr.io/app:1": failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://weuregistryhome024.blob.core.windows.net/...": dial tcp 20.60.1.1:443: i/o timeout`, cause.NetworkDataEndpoint, "SUPPORT-AKS (storage)"},
	{`Error: ErrImagePull: failed to pull and unpack image "myacr.azurecr.io/app:1": failed to resolve reference: unexpected status from HEAD request to https://myacr.azurecr.io/v2/app/manifests/1: 429 Too Many Requests`, cause.RegistryThrottled, "containerd under ACR throttling"},
	// BuildKit, GitHub Actions, Azure DevOps, helm, oras
	{`ERROR: failed to solve: failed to push myacr.azurecr.io/app:1: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://myacr.azurecr.io/oauth2/token: 401 Unauthorized`, cause.AuthzPushDenied, "buildx build --push without AcrPush"},
	{`ERROR: failed to solve: myacr.azurecr.io/base:1: failed to resolve source metadata for myacr.azurecr.io/base:1: failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden`, cause.NetworkFirewallDenied, "docker/build-push-action#1214"},
	{`Error: Cannot perform an interactive login from a non TTY device
##[error]Process completed with exit code 1.`, cause.DockerNonTTYLogin, "GitHub Actions log"},
	{`##[error]Unhandled: Failed to get ACR token: Access to registry 'myacr.azurecr.io' was denied. Response code: 403.`, cause.NetworkFirewallDenied, "Azure DevOps Docker task"},
	{`Error: failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized`, cause.AuthzPullDenied, "helm push / oras to ACR"},
	{`Error: pull access denied for myacr.azurecr.io/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`, cause.AuthAnonymousPullBlocked, "MD anonymous-pull-access (E15)"},
	{`proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused`, cause.NetworkProxyError, "corporate proxy down"},
	{`Get "https://myacr.azurecr.io/v2/": Proxy Authentication Required`, cause.NetworkProxyError, "proxy needs credentials (407)"},
	{`Get "https://myacr.azurecr.io/v2/": read tcp 192.168.1.5:50000->20.1.2.3:443: read: connection reset by peer`, cause.NetworkConnectionReset, "firewall resetting TLS"},
	{`Get "https://myacr.azurecr.io/v2/": x509: certificate is valid for *.corp.example, not myacr.azurecr.io`, cause.NetworkTLSError, "TLS-inspecting proxy"},
	{`Error response from daemon: Get "https://myacr.azurecr.io/v2/": context deadline exceeded`, cause.NetworkTimeout, "daemon behind a dropping firewall"},
	{`invalid argument "MyAcr.azurecr.io/App:1" for "-t, --tag" flag: invalid reference format: repository name must be lowercase`, cause.RegistryNameInvalid, "docker build with upper case"},
	{`Error response from daemon: Get "https://myacr.privatelink.azurecr.io/v2/": x509: certificate is valid for *.azurecr.io, not myacr.privatelink.azurecr.io`, cause.RegistryNameInvalid, "privatelink name used as login server"},
}
