package version

import (
	"regexp"
	"testing"
)

// TestLineShape: the one version shape all three binaries print.
func TestLineShape(t *testing.T) {
	want := regexp.MustCompile(`^acrdiag \S+ \(commit \S+, built \S+\)\n$`)
	if got := Line("acrdiag"); !want.MatchString(got) {
		t.Errorf("Line = %q", got)
	}
}
