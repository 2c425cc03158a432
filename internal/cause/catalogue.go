package cause

import (
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// Cause is one entry of the catalogue. Fix holds the commands a user runs; {host} and {registry} are
// replaced by the login server and the registry name when known.
type Cause struct {
	ID    string
	Title string
	Why   string
	Fix   string
}

// Catalogue is every cause acrdiag knows, in the order of the design's table.
var Catalogue = []Cause{
	{DockerDaemonUnreachable, "The Docker daemon is not reachable",
		"docker login, push and pull talk to the daemon; it is not running, the socket is not reachable, or Docker Desktop's WSL integration is off.",
		"Start Docker (sudo systemctl start docker, or start Docker Desktop); check with: docker info"},
	{DockerClientTooOld, "The Docker client is too old",
		"Docker clients older than 18.03 do not handle ACR's token flow and credential helpers reliably.",
		"Upgrade Docker: https://docs.docker.com/engine/install/"},
	{DockerCredentialStore, "Docker's credential store fails",
		"config.json names a credsStore or credHelpers program that is missing or failing (wincred's size limit, pass without a GPG key, no D-Bus session).",
		"Check the helper: docker-credential-<name> list; fix or remove credsStore in ~/.docker/config.json; or run: docker acrcheck setup {host}"},
	{DockerDesktopUnreachable, "Docker Desktop's credential helper cannot reach Docker Desktop",
		"credsStore: desktop (desktop.exe from WSL) keeps credentials in the macOS keychain or the Windows Credential Manager and tells Docker Desktop about each change through its backend socket or pipe; Docker Desktop is not running, or an update left it half-started, so docker login fails (connection refused, the pipe or backend.sock not found).",
		"Start Docker Desktop, or quit and restart it after an update (on WSL: Settings > Resources > WSL integration); for ACR, let acrdiag answer without Docker Desktop: docker acrcheck setup {host}"},
	{DockerNonTTYLogin, "Interactive login without a terminal",
		"docker login asks for a password, but there is no terminal to ask on (CI, scripts); it also asks when the password it was given is empty, as when a CI secret did not reach the job.",
		"Pass the password on stdin: echo \"$TOKEN\" | docker login {host} -u 00000000-0000-0000-0000-000000000000 --password-stdin"},
	{RegistryNameInvalid, "The registry name is not a valid login server",
		"Docker keys credentials by exact host: the login server is the lower-case <registry>.azurecr.io (or the cloud's suffix), not the privatelink name, a data endpoint, or the name alone.",
		"Use the login server: az acr show -n {registry} --query loginServer -o tsv"},
	{RegistryNotFound, "The registry does not exist",
		"The login server's name does not resolve (NXDOMAIN) or the registry is not in this subscription: a typo, a deleted registry, or a domain name label hash suffix.",
		"List your registries: az acr list --query \"[].loginServer\" -o tsv"},
	{RegistryThrottled, "The registry is throttling requests",
		"ACR answered 429 Too Many Requests: the SKU's per-registry or per-identity limit was reached; anonymous requests share one limit.",
		"Wait for the Retry-After interval; spread pulls, use a higher SKU (az acr update -n {registry} --sku Premium), or authenticate instead of pulling anonymously"},
	{RegistryManifestUnknown, "The repository or tag does not exist",
		"The registry has no manifest for this name and tag.",
		"List what exists: az acr repository show-tags -n {registry} --repository <repository>"},
	{NetworkDNSFailure, "Name resolution fails on this machine",
		"The system resolver is down or points at a DNS server that cannot resolve the registry.",
		"Check: nslookup {host}; fix /etc/resolv.conf or the VNet's DNS servers"},
	{NetworkProxyError, "An HTTP proxy refuses or breaks the connection",
		"HTTPS_PROXY points at a proxy that needs authentication, blocks the registry, or drops the tunnel; or the Docker client and daemon use different proxies.",
		"Check HTTPS_PROXY/NO_PROXY for the client and dockerd (docker info shows the daemon's); allow {host} and *.data.azurecr.io on the proxy"},
	{NetworkTLSError, "The TLS connection fails",
		"An intercepting proxy presents its own certificate, the CA is not trusted, or the name does not match.",
		"Trust the proxy's CA (SSL_CERT_FILE, or the system store and restart dockerd), or exempt {host} from TLS inspection"},
	{NetworkTimeout, "The connection times out",
		"Packets are dropped on the way: a firewall or network security group, or an unreachable private endpoint address.",
		"Allow outbound TCP 443 to {host} and the data endpoints (service tag AzureContainerRegistry)"},
	{NetworkConnectionReset, "The connection is reset",
		"Something between this machine and the registry (a firewall, a proxy, a TLS-inspecting appliance) resets the connection instead of answering.",
		"Allow outbound TCP 443 to {host} on the firewall or proxy; compare with: curl -v https://{host}/v2/"},
	{NetworkFirewallDenied, "The registry's firewall refuses this client",
		"ACR answered 403 DENIED: the registry allows only selected networks or private endpoints, or public network access is disabled.",
		"Allow this client's IP: az acr network-rule add -n {registry} --ip-address <client IP>; check: az acr show -n {registry} --query \"[publicNetworkAccess, networkRuleSet]\""},
	{NetworkIPNotAllowed, "This client's IP is not in the registry's IP rules",
		"The registry allows only selected networks (network rule set default action Deny), and the public IP this machine's traffic leaves from matches none of its IP rules. Azure Resource Manager confirmed it.",
		"Add the IP: az acr network-rule add -n {registry} --ip-address <client IP> (rules take a few minutes to apply); list them: az acr network-rule list -n {registry}"},
	{NetworkPublicDisabled, "Public network access is disabled",
		"The registry's publicNetworkAccess is Disabled and it has no approved private endpoint, so no client can reach it; only trusted Azure services, if allowed. Azure Resource Manager confirmed it.",
		"Create a private endpoint (az network private-endpoint create --group-id registry --private-connection-resource-id $(az acr show -n {registry} --query id -o tsv) ...), or allow selected networks: az acr update -n {registry} --public-network-enabled true --default-action Deny; az acr network-rule add -n {registry} --ip-address <client IP>"},
	{NetworkPrivateOnly, "The registry is reachable only through its private endpoint",
		"Public network access is disabled and the registry accepts clients through its private endpoints only; this machine reached the public endpoint, because it is outside the virtual network or its DNS does not resolve the privatelink name. Azure Resource Manager confirmed it.",
		"Connect from the virtual network (or a peered network or VPN) and resolve {host} to the private endpoint: link the privatelink.azurecr.io zone, or forward DNS to 168.63.129.16; verify: docker acrcheck {host} --expect-private"},
	{NetworkPrivateEndpoint, "Private endpoint DNS is wrong",
		"The login server resolves to a public address where a private endpoint is expected (or the reverse), or to a private address this machine cannot reach.",
		"Check: nslookup {host}; link the privatelink.azurecr.io private DNS zone to the VNet, or forward to 168.63.129.16"},
	{NetworkDataEndpoint, "Layer downloads are blocked",
		"Login works, but blob downloads redirect to the data endpoint or storage host, which a firewall or proxy blocks.",
		"Allow the data endpoints: az acr show-endpoints -n {registry}; or enable dedicated ones: az acr update -n {registry} --data-endpoint-enabled"},
	{AuthNoIdentity, "No Entra ID identity is available",
		"No credential of the chain answered: not signed in to the Azure CLI, no service principal or workload identity in the environment, no managed identity.",
		"Sign in: az login (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET); then: docker acrcheck {host}"},
	{AuthTokenExpired, "The token expired",
		"ACR refresh tokens live 3 hours; a token stored by docker login or az acr login is not renewed by Docker.",
		"Log in again: az acr login -n {registry}; or let acrdiag renew it: docker acrcheck setup {host}"},
	{AuthSPSecretExpired, "The service principal's secret expired",
		"Entra ID answered AADSTS7000222: the client secret (or certificate) passed its end date.",
		"Create a new secret: az ad app credential reset --id <app id>; update AZURE_CLIENT_SECRET"},
	{AuthInvalidCredentials, "Wrong username or password",
		"The registry or Entra ID rejected the credentials: a wrong secret (AADSTS7000215), a wrong admin password, or a stale stored login.",
		"Log in again with the right credentials: docker login {host}; for a service principal check AZURE_CLIENT_SECRET"},
	{AuthFederatedMismatch, "No federated credential matches the workload's token",
		"Workload identity (AKS, GitHub Actions, Azure Pipelines) trades a token from another issuer for an Entra token; Entra ID found no federated credential on the app or managed identity whose issuer, subject and audience match it exactly (another branch, environment, namespace or service account).",
		"Compare the token's issuer and subject with the federated credentials: az identity federated-credential list -g <group> --identity-name <identity> (or az ad app federated-credential list --id <app id>); add one with the exact subject"},
	{AuthWrongTokenUsername, "A token is used with the wrong username",
		"An ACR token works only with the username 00000000-0000-0000-0000-000000000000; any other username makes ACR treat it as a password.",
		"Log in with the empty GUID: docker login {host} -u 00000000-0000-0000-0000-000000000000 --password-stdin"},
	{AuthAppNotRegistered, "The application is not registered in this tenant",
		"Entra ID or ACR does not know the client id (AADSTS700016, or 'Application not registered with AAD'): a wrong tenant, a deleted app, or a username taken as an app id.",
		"Check the app and tenant: az ad sp show --id <app id>; set AZURE_TENANT_ID to the registry's tenant"},
	{AuthAudienceRejected, "The registry accepts only ACR-audience tokens",
		"The registry has authentication-as-arm disabled, so ARM-audience Entra tokens are refused; some environments can only mint ARM tokens.",
		"Get ACR-audience tokens (az login --scope https://containerregistry.azure.net/.default), or allow ARM tokens: az acr config authentication-as-arm update -r {registry} --status enabled"},
	{AuthAdminUserDisabled, "The admin user is disabled",
		"Admin credentials were used, but the registry's admin user is disabled.",
		"Use Entra ID (az acr login -n {registry}), or enable the admin user: az acr update -n {registry} --admin-enabled true"},
	{AuthAnonymousPullBlocked, "Stored credentials block anonymous pull",
		"Docker sends stored credentials whenever it has them and does not fall back to anonymous when they fail.",
		"Remove them: docker logout {host}"},
	{AuthzPullDenied, "The identity may not pull",
		"The token carries no pull right for the repository: no AcrPull role, or on an ABAC registry no repository permission.",
		"Grant AcrPull: az role assignment create --assignee <object id> --role AcrPull --scope $(az acr show -n {registry} --query id -o tsv)"},
	{AuthzPushDenied, "The identity may not push",
		"The token carries no push right: the identity has AcrPull but not AcrPush (or, on an ABAC registry, no Repository Writer permission).",
		"Grant AcrPush: az role assignment create --assignee <object id> --role AcrPush --scope $(az acr show -n {registry} --query id -o tsv)"},
	{AuthzARMPermission, "The identity lacks an Azure Resource Manager permission",
		"A management command (az aks update --attach-acr, az acr import, az acr credential show, az role assignment create) needs a control-plane action the signed-in identity has no role for: Azure Resource Manager answers AuthorizationFailed and names the action. The registry's data-plane roles (AcrPull, AcrPush) do not grant it.",
		"Grant a role that holds the action the error names (Owner or User Access Administrator for Microsoft.Authorization/roleAssignments/write, Contributor for registries/listCredentials/action or importImage/action), or have someone who holds one run it; see the identity's roles: az role assignment list --assignee <id> --all -o table"},
	{AuthzRepoScopedToken, "The repository-scoped token lacks the permission",
		"A non-Entra token's scope map does not cover this repository or action, the token is disabled, or its password expired.",
		"Check: az acr token show -n <token> -r {registry}; az acr token credential generate -n <token> -r {registry}"},
	{AuthzABACRepositoryRole, "The registry needs an ABAC repository role",
		"The registry's role assignment mode is RBAC Registry + ABAC Repository Permissions: AcrPull, AcrPush and AcrDelete do not apply there; only Container Registry Repository roles (optionally limited to repositories by a condition) grant pull and push.",
		"Grant a repository role: az role assignment create --assignee <object id> --role \"Container Registry Repository Writer\" --scope $(az acr show -n {registry} --query id -o tsv) (Repository Reader to pull only; add --condition to limit it to repositories)"},
	{DockerCLIMissing, "The docker CLI is not installed here",
		"az acr login and scripts run the docker CLI to store the token, and it is not on PATH (Cloud Shell, a CI image or a WSL distro without Docker).",
		"Install the docker CLI (or turn on Docker Desktop's WSL integration); without Docker: az acr login -n {registry} --expose-token, then pass the token to your client"},
	{RegistryPlatformMismatch, "The image has no build for this platform",
		"The tag exists, but its manifest list has no image for this machine's OS and CPU (linux/amd64, linux/arm64, windows); some clients then report it as not found or unauthorized.",
		"List the platforms: docker manifest inspect {host}/<repository>:<tag>; build for yours: docker buildx build --platform linux/amd64,linux/arm64 --push -t {host}/<repository>:<tag> ."},
	{EngineMissing, "acrdiag's engine is not installed",
		"docker-credential-acrdiag and docker acrcheck run the acrdiag engine for token renewals and diagnoses; it is not beside them, in Docker's plugin directories, on PATH or where ACRDIAG_ENGINE points.",
		"Install acrdiag next to docker-credential-acrdiag (sudo install acrdiag /usr/local/bin/), or set ACRDIAG_ENGINE to its path; check: acrdiag --version"},
	{ConfigInvalid, "acrdiag's configuration is invalid",
		"The acrdiag configuration file (ACRDIAG_CONFIG, the user's or the system's config.json) cannot be read, does not parse, or (the system's, on Windows) could have been written by someone other than an administrator, so acrdiag will not guess which identity or suffixes to use.",
		"Fix or remove the file the message names, as its error says (check its JSON with: python3 -m json.tool FILE); an administrator's /etc/acrdiag/config.json (%ProgramData%\\acrdiag\\config.json) wins for locked keys"},
	{CacheLocked, "Another acrdiag process holds the token cache",
		"Another docker-credential-acrdiag is renewing the token for this registry and did not finish within lockTimeout (1 minute unless acrdiag's config.json says otherwise): a hung az, a stopped process, a very slow Entra ID; acrdiag's own file cache then renews on its own, so this is said only by a cache that cannot.",
		"Retry; if it persists, find the stuck process: pgrep -a 'acrdiag|az'; for a slow renewal raise lockTimeout in acrdiag's config.json; then: docker acrcheck {host}"},
	{KubeletRequestInvalid, "The kubelet's request is not one acrdiag can answer",
		"acrdiag kubelet-credential-provider reads one credentialprovider.kubelet.k8s.io/v1 CredentialProviderRequest on stdin; it got another apiVersion, JSON that does not parse, no image, or more than 1 MiB.",
		"Set apiVersion: credentialprovider.kubelet.k8s.io/v1 for the acrdiag provider in the kubelet's CredentialProviderConfig and restart the kubelet; check the node: acrdiag node {host}"},
	{KubeletSAAnnotations, "The pod's service account lacks the ACR identity annotations",
		"With tokenAttributes the kubelet hands over the pod's service account token; acrdiag exchanges it for the identity the annotations kubernetes.azure.com/acr-client-id and kubernetes.azure.com/acr-tenant-id name, and one of them is missing or empty (or the kubelet was not told to pass it).",
		"Annotate the service account: kubectl annotate serviceaccount <name> -n <namespace> kubernetes.azure.com/acr-client-id=<client id> kubernetes.azure.com/acr-tenant-id=<tenant id>; list both keys in tokenAttributes.requiredServiceAccountAnnotationKeys; the identity needs a federated credential for system:serviceaccount:<namespace>:<name> with audience api://AzureADTokenExchange"},
	{KubeletProviderConfig, "The kubelet's credential provider configuration does not reach acrdiag",
		"The kubelet runs a provider only when its CredentialProviderConfig parses, a provider's matchImages match the image, and a binary of the provider's name is in --image-credential-provider-bin-dir; otherwise it pulls without credentials and the registry answers 401.",
		"Fix the file the finding names and restart the kubelet (systemctl restart kubelet); check it: acrdiag node {host} --provider-config FILE --bin-dir DIR"},
	{KubeletAzureJSON, "azure.json gives no usable identity",
		"The cloud provider configuration (/etc/kubernetes/azure.json) cannot be read, does not parse, or names no identity acrdiag can use: no managed identity, no federated token file and no service principal.",
		"Fix the file: {\"useManagedIdentityExtension\": true, \"userAssignedIdentityID\": \"<kubelet identity client id>\", \"tenantId\": \"<tenant>\"}; check it: acrdiag node {host} --azure-json /etc/kubernetes/azure.json"},
	{Unknown, "No known cause matches",
		"The text holds no evidence that points to a cause acrdiag knows; a guess would mislead more than it helps.",
		"Diagnose the registry itself: docker acrcheck {host}"},
}

// Lookup returns the catalogue entry of id.
func Lookup(id string) (Cause, bool) {
	for _, c := range Catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return Cause{}, false
}

var clientIP = lazyre.New(`client with IP '([0-9a-fA-F.:]+)'`)

// FixWithEvidence is FixFor with what the evidence tells filled in too: the client IP a firewall reported.
func FixWithEvidence(id, host, evidence string) string {
	fix := FixFor(id, host)
	if m := clientIP().FindStringSubmatch(evidence); m != nil {
		fix = strings.ReplaceAll(fix, "<client IP>", m[1])
	}
	return fix
}

// FixFor returns the fix of id with {host} and {registry} filled in.
func FixFor(id, host string) string {
	c, ok := Lookup(id)
	if !ok {
		c = Cause{Fix: "Run: docker acrcheck {host}"}
	}
	registry, _, _ := strings.Cut(host, ".")
	if registry == "" {
		registry = "<registry>"
	}
	if host == "" {
		host = "<registry>.azurecr.io"
	}
	return strings.NewReplacer("{host}", host, "{registry}", registry).Replace(c.Fix)
}
