// Command docker-acrcheck is the `docker acrcheck` CLI plugin.
package main

import (
	"fmt"
	"os"

	"github.com/docker/cli/cli-plugins/metadata"
	"github.com/docker/cli/cli-plugins/plugin"
	"github.com/docker/cli/cli/command"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/token"
	"github.com/acrdiag/acrdiag/internal/version"
)

func main() {
	// The credential helper's token renewal: not a plugin command, so it skips the CLI plugin machinery.
	if len(os.Args) >= 2 && os.Args[1] == token.RenewCommand {
		os.Exit(renew.Main(os.Args[2:], os.Stdout))
	}
	plugin.Run(func(dockerCli command.Cli) *cobra.Command {
		root := &cobra.Command{
			Use:   "acrcheck",
			Short: "Diagnose and explain Azure Container Registry login failures",
		}
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
	}, metadata.Metadata{
		SchemaVersion:    "0.1.0",
		Vendor:           "acrdiag",
		Version:          version.Version,
		ShortDescription: "Diagnose Azure Container Registry logins",
		URL:              "https://github.com/acrdiag/acrdiag",
	})
}
