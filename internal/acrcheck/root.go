package acrcheck

import (
	"fmt"

	"github.com/docker/cli/cli-plugins/plugin"
	"github.com/docker/cli/cli/command"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/version"
)

// NewRoot is the `docker acrcheck` command tree.
func NewRoot(dockerCli command.Cli) *cobra.Command {
	opts := &diagnoseOptions{}
	root := &cobra.Command{
		Use:   "acrcheck [OPTIONS] REGISTRY",
		Short: "Diagnose Azure Container Registry logins",
		Long: `Diagnose what stands between this machine and an Azure Container Registry: the Docker setup, the
login-server name, proxy, DNS, TCP, TLS, the registry's firewall, the Entra ID identity, the token exchange,
permissions and data endpoints. Each finding names its cause and the command that fixes it.

Exit status: 0 no problem found, 1 problems found, 2 usage or internal error.`,
		Example: `  docker acrcheck myregistry.azurecr.io
  docker acrcheck myregistry.azurecr.io --repository app --action push
  docker acrcheck myregistry.azurecr.io --dns-server 10.0.0.4:53 --expect-private --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("docker acrcheck needs exactly one registry, e.g. docker acrcheck myregistry.azurecr.io\nSee 'docker acrcheck --help'.")
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return plugin.PersistentPreRunE(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Registry = args[0]
			return runDiagnose(cmd.Context(), dockerCli, opts)
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError("%v\nSee 'docker acrcheck --help'.", err)
	})
	addDiagnoseFlags(root, opts)
	root.AddCommand(newExplainCommand(dockerCli), newLastCommand(dockerCli), newSetupCommand(dockerCli), newTokenCommand(dockerCli))
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Show the acrcheck version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(dockerCli.Out(), "docker-acrcheck", version.String())
			return err
		},
	})
	return root
}
