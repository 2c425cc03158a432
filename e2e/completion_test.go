package e2e

import (
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestCompletionRunsNothing: the docker CLI's TAB completion of `docker acrcheck ...` offers the plugin's
// commands, flag values and the registries this machine knows, and never runs a command: config.json stays
// as it was and no request reaches the registry.
func TestCompletionRunsNothing(t *testing.T) {
	docker := requireTool(t, "docker", "the docker CLI")
	kit := acrtest.Start(t, acrtest.Options{})
	s := newSession(t, kit)
	s.installPlugin()
	s.useIdentity("ci-sp")
	orig := `{"credHelpers":{"myregistry.azurecr.io":"acrdiag"}}`
	s.writeDockerConfig(orig)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "acrcheck", "setup", "my"}, "myregistry.azurecr.io"},
		{[]string{"__complete", "acrcheck", "setup", "--undo", ""}, ":4"},
		{[]string{"__complete", "acrcheck", "myregistry.azurecr.io", ""}, ":4"},
		{[]string{"__complete", "acrcheck", ""}, "explain"},
		{[]string{"__complete", "acrcheck", "myregistry.azurecr.io", "--action", ""}, "push"},
	} {
		r := s.mustRun("", docker, tc.args...)
		if !strings.Contains(r.stdout, tc.want) {
			t.Errorf("docker %s: lacks %q:\n%s", strings.Join(tc.args, " "), tc.want, r.stdout)
		}
		if got := s.readDockerConfig(); got != orig {
			t.Fatalf("docker %s changed config.json:\n%s", strings.Join(tc.args, " "), got)
		}
	}
	if reqs := kit.Requests(acrtest.Filter{}); len(reqs) != 0 {
		t.Errorf("completion reached the registry: %v", reqs)
	}
}
