package azurejson

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
)

// DefaultPath is where AKS and most self-managed clusters keep the file.
const DefaultPath = "/etc/kubernetes/azure.json"

// Config is what acrdiag reads of azure.json (cloud-provider-azure's AzureClientConfig JSON names); the
// subscription, resource group and rate-limit fields it ignores.
type Config struct {
	Cloud                        string `json:"cloud"`
	TenantID                     string `json:"tenantId"`
	AADClientID                  string `json:"aadClientId"`
	AADClientSecret              string `json:"aadClientSecret"`
	AADClientCertPath            string `json:"aadClientCertPath"`
	AADClientCertPassword        string `json:"aadClientCertPassword"`
	UseManagedIdentityExtension  bool   `json:"useManagedIdentityExtension"`
	UserAssignedIdentityID       string `json:"userAssignedIdentityID"`
	AADFederatedTokenFile        string `json:"aadFederatedTokenFile"`
	UseFederatedWorkloadIdentity bool   `json:"useFederatedWorkloadIdentityExtension"`
	Location                     string `json:"location"`

	Path string `json:"-"` // where it was read from, for messages
}

// maxSize bounds the file: a few KiB in practice.
const maxSize = 1 << 20

// Error is an azure.json that cannot be used.
type Error struct {
	Path   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("azure.json %s %s", e.Path, e.Reason) }

// Read reads and parses the file at path.
func Read(path string) (Config, error) {
	b, err := atomicfile.ReadSmall(path, maxSize, true)
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, &Error{path, "does not exist"}
	}
	if err != nil {
		return Config{}, &Error{path, "cannot be read: " + err.Error()}
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Config{}, &Error{path, fmt.Sprintf("is not valid JSON: %v (byte %d)", se, se.Offset)}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Config{}, &Error{path, fmt.Sprintf("is not valid: %q is a JSON %s, not a %s", te.Field, te.Value, te.Type)}
		}
		return Config{}, &Error{path, "is not valid JSON"}
	}
	c.Path = path
	return c, nil
}

// CloudName is the cloud as acrdiag names it (AzureCloud, AzureChinaCloud, AzureUSGovernment), from
// cloud-provider-azure's names (AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud), matched without
// regard to case as it does. "" when the file names none or one acrdiag does not know (Azure Stack): the
// registry's login-server suffix decides then.
func (c Config) CloudName() string {
	switch strings.ToUpper(c.Cloud) {
	case "AZUREPUBLICCLOUD", "AZURECLOUD":
		return "AzureCloud"
	case "AZURECHINACLOUD":
		return "AzureChinaCloud"
	case "AZUREUSGOVERNMENTCLOUD", "AZUREUSGOVERNMENT":
		return "AzureUSGovernment"
	}
	return ""
}

// Tenant is the tenant to sign in to: AZURE_TENANT_ID wins over tenantId, as in cloud-provider-azure.
func (c Config) Tenant() string {
	if t := os.Getenv("AZURE_TENANT_ID"); t != "" {
		return t
	}
	return c.TenantID
}
