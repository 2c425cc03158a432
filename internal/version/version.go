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

// String is the version without a name: "1.2.3 (commit abc1234, built 2026-01-02T03:04:05Z)".
func String() string {
	return fmt.Sprintf("%s (commit %s, built %s)", Version, Commit, Date)
}

// Line is what every binary prints for version, -v and --version, in one shape:
// "docker-acrcheck 1.2.3 (commit abc1234, built 2026-01-02T03:04:05Z)".
func Line(binary string) string { return binary + " " + String() + "\n" }

// UserAgent names acrdiag in every request it sends to ACR, Entra ID and Azure Resource Manager.
func UserAgent() string { return "acrdiag/" + Version }
