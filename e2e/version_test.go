package e2e

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestVersionShapeOfAllBinaries: the helper, the plugin and the engine print their version in one shape,
// whichever spelling asks for it.
func TestVersionShapeOfAllBinaries(t *testing.T) {
	s := newSession(t, acrtest.Start(t, acrtest.Options{}))
	for _, bin := range []string{"docker-credential-acrdiag", "docker-acrcheck", "acrdiag"} {
		want := regexp.MustCompile(`^` + bin + ` \S+ \(commit \S+, built \S+\)\n$`)
		for _, arg := range []string{"version", "--version"} {
			if r := s.mustRun("", filepath.Join(binDir, bin), arg); !want.MatchString(r.stdout) {
				t.Errorf("%s %s = %q, want %s", bin, arg, r.stdout, want)
			}
		}
	}
}
