package acrtest

// Scenario is how a registry of the emulator behaves. Each mirrors a failure users meet with real ACR; the
// status codes, headers and bodies are those ACR documents and sends (the ACR protocol reference the project keeps beside its design).
type Scenario string

// The scenarios a registry can play.
const (
	Healthy              Scenario = "healthy"                // every identity has AcrPush unless Roles says otherwise
	Firewall             Scenario = "firewall"               // IP rules: 403 DENIED "client with IP '...' is not allowed access"
	PublicAccessDisabled Scenario = "public-access-disabled" // the same 403 DENIED as Firewall (ACR does not tell them apart)
	PrivateEndpointOnly  Scenario = "private-endpoint-only"  // public access disabled, one approved private endpoint: the same 403 again
	ExpiredTokens        Scenario = "expired-tokens"         // every ACR token the registry issues has already expired
	PullOnly             Scenario = "pull-only"              // every identity has AcrPull: push gets 401 insufficient_scope
	NoRole               Scenario = "no-role"                // no identity has a role: the exchange answers 401
	ARMAudienceDisabled  Scenario = "arm-audience-disabled"  // exchange rejects ARM-audience Entra tokens (authentication-as-arm disabled)
	AnonymousPull        Scenario = "anonymous-pull"         // unauthenticated clients get pull tokens
	Throttled            Scenario = "throttled"              // 429 TOOMANYREQUESTS with a Retry-After that counts down
	Slow                 Scenario = "slow"                   // the registry accepts connections and never answers
	ConnectionReset      Scenario = "connection-reset"       // the registry resets every connection after the TLS handshake
	DataEndpointBlocked  Scenario = "data-endpoint-blocked"  // login works; the proxy refuses the blob download host
)

// Scenarios lists every scenario, for the acrkit command and table tests.
var Scenarios = []Scenario{Healthy, Firewall, PublicAccessDisabled, PrivateEndpointOnly, ExpiredTokens, PullOnly, NoRole,
	ARMAudienceDisabled, AnonymousPull, Throttled, Slow, ConnectionReset, DataEndpointBlocked}

// Role is an Azure role assignment of an identity on a registry.
type Role string

// The registry roles the emulator knows, with the refresh-token permissions ACR gives each.
const (
	RoleNone    Role = "none"
	RoleAcrPull Role = "AcrPull"
	RoleAcrPush Role = "AcrPush"
	RoleOwner   Role = "Owner"

	// Control-plane roles: Reader and Contributor also act on the data plane (outside ABAC mode); the
	// configuration reader reads the registry's settings (not role assignments or logs) and no content.
	RoleReader       Role = "Reader"
	RoleContributor  Role = "Contributor"
	RoleConfigReader Role = "Container Registry Configuration Reader and Data Access Configuration Reader"
)

func (r Role) actions() []string {
	switch r {
	case RoleAcrPull, RoleReader:
		return []string{"read"}
	case RoleContributor:
		return []string{"read", "write", "delete"}
	case RoleAcrPush:
		return []string{"read", "write"}
	case RoleOwner:
		return []string{"read", "write", "delete", "deleted/read", "deleted/restore/action"}
	}
	return nil
}
