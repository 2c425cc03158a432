// Command docker-credential-acrdiag is a Docker credential helper for Azure Container Registry.
package main

import (
	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/helper"
	"github.com/acrdiag/acrdiag/internal/version"
)

func main() {
	credentials.Name = "docker-credential-acrdiag"
	credentials.Package = "github.com/acrdiag/acrdiag"
	credentials.Version = version.String()
	credentials.Revision = version.Commit
	helper.Serve(helper.New())
}
