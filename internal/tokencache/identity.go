package tokencache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// ChainFor is the credential chain the configuration selects for a registry: its own identity
// (registryIdentities) or the machine's default, in the configured cloud or the one its suffix tells.
func ChainFor(cfg config.Config, ls loginserver.LoginServer) ChainOptions {
	cloud := cfg.Cloud
	if cloud == "" {
		cloud = ls.Cloud.Name
	}
	id := cfg.IdentityFor(ls.Host)
	return ChainOptions{Credential: id.Credential, TenantID: id.Tenant, ClientID: id.ClientID, Pinned: id.Pinned, Cloud: cloud}
}

// ChainOptions select the credential chain.
type ChainOptions struct {
	// Credential selects credentials like AZURE_TOKEN_CREDENTIALS ("dev", "prod", or one credential type
	// such as AzureCLICredential); the environment variable wins. Empty: the whole default chain.
	Credential string
	// TenantID is the tenant to ask tokens from (the Azure CLI's tenant otherwise).
	TenantID string
	// ClientID picks the identity's app (AZURE_CLIENT_ID for the chain): a registry's own identity.
	ClientID string
	// Pinned: the registry has an identity of its own in the configuration, whose settings win over the
	// AZURE_* environment (the machine's default identity).
	Pinned bool
	// Cloud names the cloud whose authority host to use (AzureCloud, AzureChinaCloud, AzureUSGovernment).
	Cloud string
	// NoRetry turns off the SDK's retries, for a diagnosis that must answer within its deadline.
	NoRetry bool
}

// identityEnv are the variables that decide which identity the credential chain picks.
var identityEnv = []string{
	"AZURE_TOKEN_CREDENTIALS", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH",
	"AZURE_USERNAME", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "MSI_ENDPOINT",
	"AZURE_CONFIG_DIR", "AZD_CONFIG_DIR",
}

// IdentityKey names the identity the chain will pick, without asking Entra ID: a hash of the selecting
// environment, the chain setting, and the Azure CLI's profile (which changes when another user signs in).
// Cached tokens are keyed by it, so switching identities never serves another identity's token.
func IdentityKey(chain ChainOptions) string {
	h := sha256.New()
	for _, k := range identityEnv {
		h.Write([]byte(k + "=" + os.Getenv(k) + "\x00"))
	}
	h.Write([]byte(chain.Credential + "\x00" + chain.TenantID + "\x00" + chain.ClientID + "\x00" + chain.Cloud + "\x00" + strconv.FormatBool(chain.Pinned) + "\x00"))
	if b, ok := readProfile(azureProfilePath()); ok {
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// maxProfileSize bounds the Azure CLI profile: a few KiB per subscription. A bigger file is left out of the
// key without being read, as a missing one is.
const maxProfileSize = 1 << 20

// readProfile reads the profile if it is a file of less than maxProfileSize bytes, deciding before reading
// it (a named pipe there is not opened: the open would wait for a writer).
func readProfile(path string) ([]byte, bool) {
	b, err := atomicfile.ReadSmall(path, maxProfileSize-1, true)
	return b, err == nil
}

func azureProfilePath() string {
	dir := os.Getenv("AZURE_CONFIG_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".azure")
	}
	return filepath.Join(dir, "azureProfile.json")
}
