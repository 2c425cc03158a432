package plugin

import (
	"slices"
	"strings"

	"github.com/docker/cli/cli-plugins/metadata"

	"github.com/acrdiag/acrdiag/internal/cli"
)

// Main runs the plugin as the docker CLI starts it (argv without the program name) and returns the exit
// status: the metadata and hook calls first, cheapest; then the command tree, whose network commands run
// the acrdiag engine with the user's arguments as typed.
func Main(argv []string, st cli.Streams) int {
	if len(argv) == 1 && argv[0] == metadata.MetadataSubcommandName {
		_ = WriteMetadata(st.Out)
		return 0
	}
	args, completing := completionArgs(argv)
	if !completing {
		args = SplitPluginArgs(argv)
	}
	if len(argv) >= 2 && argv[0] == "help" && argv[1] == "acrcheck" {
		args = append([]string{"help"}, argv[2:]...) // `docker help acrcheck [COMMAND]`
	}
	if len(args) >= 1 && args[0] == metadata.HookSubcommandName {
		RunHook(strings.Join(args[1:], " "), st.Out)
		return 0
	}
	var engineStatus *int
	root := NewPluginRoot(st, func(command string) error {
		status := RunEngine(engineArgs(command, args))
		engineStatus = &status
		return nil
	})
	root.SetArgs(args)
	root.SetOut(st.Out)
	root.SetErr(st.Err)
	if err := root.Execute(); err != nil || engineStatus == nil {
		return cli.Exit(err, st.Err)
	}
	return *engineStatus
}

// engineArgs are the engine's arguments for one of its commands: the user's, with the plugin's own name
// of the command replaced by the engine's (a diagnosis has none: `docker acrcheck REGISTRY`).
func engineArgs(command string, args []string) []string {
	rest := args
	if i := slices.Index(rest, command); i >= 0 && command != "diagnose" {
		rest = slices.Delete(slices.Clone(rest), i, i+1)
	}
	return append([]string{command}, rest...)
}
