package cli

import (
	"github.com/spf13/cobra"
)

// IdentityFlags name a Kubernetes node's identity, for the kubelet provider and the node diagnosis alike.
type IdentityFlags struct {
	AzureJSON  string
	ClientID   string
	ResourceID string
}

// AddIdentityFlags defines the node identity flags on cmd.
func AddIdentityFlags(cmd *cobra.Command, o *IdentityFlags) {
	f := cmd.Flags()
	f.StringVar(&o.AzureJSON, "azure-json", "", "the node's cloud provider configuration (/etc/kubernetes/azure.json): its identity signs in")
	f.StringVar(&o.ClientID, "client-id", "", "without --azure-json: the client id of a user-assigned managed identity")
	f.StringVar(&o.ResourceID, "resource-id", "", "without --azure-json: the ARM resource id of a user-assigned managed identity")
}

// NodeFlags are the flags of the node diagnosis: the kubelet's provider setup, the node identity, and the
// registry diagnosis's own.
type NodeFlags struct {
	DiagnoseFlags
	IdentityFlags
	ProviderConfig string // the kubelet's --image-credential-provider-config
	BinDir         string // the kubelet's --image-credential-provider-bin-dir
}

const nodeLong = `Diagnose image pulls from a Kubernetes node's point of view, read-only: the kubelet's
CredentialProviderConfig (--provider-config, else the running kubelet's flags), the provider binary
in its bin dir, matchImages against the image, tokenAttributes (the service account token audience and the
RBAC it needs), azure.json and the identity the provider would use, its last recorded failure; then the
registry checks of the diagnosis (name, DNS, TLS, firewall, token exchange, roles...) with that identity.

Exit status: 0 no problem found, 1 problems found, 2 usage or internal error.`

// NewNodeCommand is `node [OPTIONS] REGISTRY|IMAGE`; run does the work.
func NewNodeCommand(run func(cmd *cobra.Command, target string, o *NodeFlags) error) *cobra.Command {
	o := &NodeFlags{}
	cmd := &cobra.Command{
		Use:   "node [OPTIONS] REGISTRY|IMAGE",
		Short: "Diagnose a Kubernetes node's image pulls: the kubelet's credential provider setup, the node identity, the registry",
		Long:  nodeLong,
		Example: "  acrdiag node myregistry.azurecr.io/team/app:1.2\n" +
			"  acrdiag node myregistry.azurecr.io --provider-config /var/lib/kubelet/credential-provider-config.yaml --bin-dir /var/lib/kubelet/credential-provider",
		Args:         exactlyOneRegistry("node"),
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return run(cmd, args[0], o)
		},
	}
	AddDiagnoseFlags(cmd, &o.DiagnoseFlags)
	AddIdentityFlags(cmd, &o.IdentityFlags)
	f := cmd.Flags()
	f.StringVar(&o.ProviderConfig, "provider-config", "", "the kubelet's CredentialProviderConfig (default: the running kubelet's --image-credential-provider-config)")
	f.StringVar(&o.BinDir, "bin-dir", "", "the kubelet's provider bin dir (default: the running kubelet's --image-credential-provider-bin-dir)")
	return cmd
}
