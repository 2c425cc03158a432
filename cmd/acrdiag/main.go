// Command acrdiag is the engine of docker acrcheck and docker-credential-acrdiag: the diagnosis, tokens and
// renewals, which need the network and the Entra ID libraries.
package main

import (
	"os"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/engine"
)

func main() {
	root := engine.NewRoot(cli.Std())
	os.Exit(cli.Exit(root.Execute(), os.Stderr))
}
