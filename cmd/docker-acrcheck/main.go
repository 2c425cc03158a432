// Command docker-acrcheck is the `docker acrcheck` CLI plugin.
package main

import (
	"os"

	"github.com/docker/cli/cli-plugins/metadata"
	"github.com/docker/cli/cli-plugins/plugin"

	"github.com/acrdiag/acrdiag/internal/acrcheck"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/token"
	"github.com/acrdiag/acrdiag/internal/version"
)

func main() {
	// The credential helper's token renewal: not a plugin command, so it skips the CLI plugin machinery.
	if len(os.Args) >= 2 && os.Args[1] == token.RenewCommand {
		os.Exit(renew.Main(os.Args[2:], os.Stdout))
	}
	plugin.Run(acrcheck.NewRoot, metadata.Metadata{
		SchemaVersion:    "0.1.0",
		Vendor:           "acrdiag",
		Version:          version.Version,
		ShortDescription: "Diagnose Azure Container Registry logins",
		URL:              "https://github.com/acrdiag/acrdiag",
	})
}
