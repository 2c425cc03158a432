package plugin

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// The docker CLI completes a plugin's arguments by running `docker-acrcheck __complete acrcheck ARGS`
// (or __completeNoDesc). Cobra answers its own __complete command without running anything: the plugin
// hands it over as such, so that TAB never writes config.json or starts a diagnosis.
func isCompletion(arg string) bool {
	return arg == cobra.ShellCompRequestCmd || arg == cobra.ShellCompNoDescRequestCmd
}

// completionArgs turns the CLI's completion request into the command tree's own: ["__complete", ARGS...].
// ok is false for any other invocation.
func completionArgs(argv []string) (args []string, ok bool) {
	i := slices.IndexFunc(argv, isCompletion)
	if i < 0 {
		return nil, false
	}
	applyGlobalFlags(argv[:i])
	rest := argv[i+1:]
	if len(rest) > 0 && rest[0] == "acrcheck" {
		rest = rest[1:]
	}
	return append([]string{argv[i]}, rest...), true
}

// completeRegistries offers the ACR login servers this machine knows: those Docker has credentials or a
// helper for, and those the credential helper recorded a failure for. It reads files only.
func completeRegistries(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var hosts []string
	if path, err := dockerconfig.Path(); err == nil {
		if f, err := dockerconfig.Load(path); err == nil {
			hosts = append(hosts, f.Servers()...)
		}
	}
	if recs, err := lastfailure.Read(config.CacheDir()); err == nil {
		for _, r := range recs {
			hosts = append(hosts, r.Host)
		}
	}
	var out []string
	for _, h := range hosts {
		ls, err := loginserver.ParseLoginServer(h)
		if err != nil || !strings.HasPrefix(ls.Host, strings.ToLower(toComplete)) || slices.Contains(out, ls.Host) || slices.Contains(args, ls.Host) {
			continue
		}
		out = append(out, ls.Host)
	}
	slices.Sort(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeFlagValues offers the values of the flags that take one of a few words.
func completeFlagValues(cmd *cobra.Command) {
	for flag, values := range map[string][]string{"format": {"text", "json"}, "action": {"pull", "push"}, "clients": setupClients} {
		if cmd.Flags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
}
