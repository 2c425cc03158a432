// Command docker-acrcheck is the `docker acrcheck` CLI plugin. It answers the CLI's metadata and hook calls
// and the offline commands itself, and runs the acrdiag engine for the diagnosis and tokens.
package main

import (
	"os"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/plugin"
)

func main() {
	os.Exit(plugin.Main(os.Args[1:], cli.Std()))
}
