// Package version holds the build's version, commit and date, stamped by the linker:
//
//	-X github.com/acrdiag/acrdiag/internal/version.Version=1.2.3
package version

import "fmt"

// Set at build time with -ldflags -X; the defaults mark a development build.
var (
	Version = "0.0.0-dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// String is the one-line version both binaries print.
func String() string {
	return fmt.Sprintf("%s (commit %s, built %s)", Version, Commit, Date)
}

// UserAgent names acrdiag in every request it sends to ACR, Entra ID and Azure Resource Manager.
func UserAgent() string { return "acrdiag/" + Version }
