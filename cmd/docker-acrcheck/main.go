// Command docker-acrcheck is the `docker acrcheck` CLI plugin. It answers the CLI's metadata and hook calls
// and the offline commands itself, and runs the acrdiag engine for the diagnosis and tokens.
package main

import (
	"os"
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/acrcheck"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == acrcheck.MetadataSubcommand {
		_ = acrcheck.WriteMetadata(os.Stdout)
		return
	}
	args := acrcheck.SplitPluginArgs(os.Args[1:])
	if len(args) >= 1 && args[0] == acrcheck.HookSubcommand {
		acrcheck.RunHook(strings.Join(args[1:], " "), os.Stdout)
		return
	}
	root := acrcheck.NewPluginRoot(acrcheck.Std(), func(command string) error {
		rest := args
		if i := slices.Index(rest, command); i >= 0 && command != "diagnose" {
			rest = slices.Delete(slices.Clone(rest), i, i+1)
		}
		os.Exit(acrcheck.RunEngine(append([]string{command}, rest...)))
		return nil
	})
	root.SetArgs(args)
	os.Exit(acrcheck.Exit(root.Execute(), os.Stderr))
}
