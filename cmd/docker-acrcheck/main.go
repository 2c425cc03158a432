// Command docker-acrcheck is the `docker acrcheck` CLI plugin.
package main

import (
	"os"
	"strings"

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
	// The CLI hook runs after every hooked command: answered here, offline, without the plugin machinery.
	if len(os.Args) >= 3 && os.Args[1] == "acrcheck" && os.Args[2] == acrcheck.HookSubcommand {
		acrcheck.RunHook(strings.Join(os.Args[3:], " "), os.Stdout)
		return
	}
	plugin.Run(acrcheck.NewRoot, metadata.Metadata{
		SchemaVersion:    "0.1.0",
		Vendor:           "acrdiag",
		Version:          version.Version,
		ShortDescription: "Diagnose Azure Container Registry logins",
		URL:              "https://github.com/acrdiag/acrdiag",
	})
}
