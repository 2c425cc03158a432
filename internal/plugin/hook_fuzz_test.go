package plugin

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/cli/cli-plugins/hooks"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// FuzzRunHook: whatever request the docker CLI's hook argument holds, the hook prints nothing, or one
// NextSteps response whose template the CLI's own renderer (hooks.ParseTemplate) accepts as at most 10
// lines that never repeat a token the request quoted.
func FuzzRunHook(f *testing.F) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, s := range []string{
		`{"RootCmd":"pull","Flags":{},"CommandError":"Error response from daemon: Head \"https://mine.azurecr.io/v2/app/manifests/1\": unauthorized: authentication required ` + token + `"}`,
		`{"RootCmd":"push","CommandError":"failed to push corp.azurecr.io/{{.Name}}/{{arg . 7}}:1: denied: requested access to the resource is denied"}`,
		`{"RootCmd":"login","CommandError":"Error response from daemon: Get \"https://corp.azurecr.io/v2/\": denied: client with IP '203.0.113.9' is not allowed access"}`,
		`{"RootCmd":"pull","CommandError":"unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information."}`, // names no registry: {{arg . 0}}
		`{"RootCmd":"pull","CommandError":""}`, `null`, `[`, "\x00",
	} {
		f.Add(s)
	}
	dir := testfs.TempDir(f) // no failure record, no config.json: the text is all the hook has
	f.Setenv("ACRDIAG_CACHE_DIR", filepath.Join(dir, "cache"))
	f.Setenv("DOCKER_CONFIG", filepath.Join(dir, "docker"))
	f.Fuzz(func(t *testing.T, arg string) {
		var out strings.Builder
		RunHook(arg, &out)
		if out.Len() == 0 {
			return
		}
		dec := json.NewDecoder(strings.NewReader(out.String()))
		var resp hooks.Response
		if err := dec.Decode(&resp); err != nil || resp.Type != hooks.NextSteps || dec.More() {
			t.Fatalf("not one NextSteps response (%v): %q", err, out.String())
		}
		cmd := &cobra.Command{Use: "pull"}
		_ = cmd.ParseFlags([]string{"mine.azurecr.io/app:1"})
		lines, err := hooks.ParseTemplate(resp.Template, cmd)
		if err != nil || len(lines) > 10 {
			t.Fatalf("the CLI cannot render the template (%v, %d lines): %q", err, len(lines), resp.Template)
		}
		for _, l := range lines {
			if strings.Contains(l, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0") {
				t.Fatalf("repeated the token: %q", l)
			}
		}
	})
}
