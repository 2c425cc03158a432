// Command docker-acrcheck is the `docker acrcheck` CLI plugin.
package main

import (
	"fmt"

	"github.com/docker/cli/cli-plugins/metadata"
	"github.com/docker/cli/cli-plugins/plugin"
	"github.com/docker/cli/cli/command"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/version"
)

func main() {
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
