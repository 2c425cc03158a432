package plugin

import (
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/version"
)

const rootLong = `Diagnose what stands between this machine and an Azure Container Registry: the Docker setup, the
login-server name, proxy, DNS, TCP, TLS, the registry's firewall, the Entra ID identity, the token exchange,
permissions and data endpoints, and, when the identity may read the registry in Azure (the Reader role),
its network rules, private endpoints, replicas, role assignments and tokens. Each finding names its cause
and the command that fixes it.

Exit status: 0 no problem found, 1 problems found, 2 usage or internal error.`

const rootExample = `  docker acrcheck myregistry.azurecr.io
  docker acrcheck myregistry.azurecr.io --repository app --action push
  docker acrcheck myregistry.azurecr.io --dns-server 10.0.0.4:53 --expect-private --format json
  docker acrcheck myregistry.azurecr.io --subscription 00000000-0000-0000-0000-000000000000 --resource-group rg-app`

// NewPluginRoot is `docker acrcheck` as the plugin runs it: the offline commands here; the diagnosis, the
// token and explain --check handed to the acrdiag engine (engine gets the engine command's name and passes
// the user's arguments on as given).
func NewPluginRoot(st cli.Streams, engine func(command string) error) *cobra.Command {
	opts := &cli.DiagnoseFlags{}
	root := &cobra.Command{
		Use:     "acrcheck [OPTIONS] REGISTRY",
		Short:   "Diagnose Azure Container Registry logins",
		Long:    rootLong,
		Example: rootExample,
		Args:    oneRegistry,
		Version: version.String(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			return engine("diagnose")
		},
		SilenceUsage: true, SilenceErrors: true,
	}
	root.SetVersionTemplate(version.Line("docker-acrcheck")) // cobra's own says "acrcheck version ..."
	root.SetFlagErrorFunc(flagError)
	cli.AddDiagnoseFlags(root, opts)
	explainCmd := cli.NewExplainCommand(st, nil, func() error { return engine("explain") })
	root.AddCommand(explainCmd, newLastCommand(st), newSetupCommand(st), newVersionCommand(st),
		cli.NewTokenCommand(func(*cobra.Command, string, *cli.TokenFlags) error { return engine("token") }),
		cli.NewLogsCommand(func(*cobra.Command, string, *cli.LogsFlags) error { return engine("logs") }),
		cli.NewNodeCommand(func(*cobra.Command, string, *cli.NodeFlags) error { return engine("node") }))
	root.CompletionOptions.DisableDefaultCmd = true // a script for "acrcheck" would complete nothing anyone types
	root.AddCommand(newCompletionCommand(st))
	root.ValidArgsFunction = completeRegistries
	for _, c := range root.Commands() {
		if slices.Contains([]string{"setup", "last", "token", "logs", "node"}, c.Name()) {
			c.ValidArgsFunction = completeRegistries
		}
		completeFlagValues(c)
	}
	completeFlagValues(root)
	dockerStyle(root)
	return root
}

func oneRegistry(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return cli.UsageError("docker acrcheck needs exactly one registry, e.g. docker acrcheck myregistry.azurecr.io\nSee 'docker acrcheck --help'.")
	}
	return nil
}

func flagError(_ *cobra.Command, err error) error {
	return cli.UsageError("%v\nSee 'docker acrcheck --help'.", err)
}

func newVersionCommand(st cli.Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the acrcheck version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(st.Out, version.Line("docker-acrcheck"))
			return err
		},
	}
}

// helpTemplate reads like the docker CLI's own help: usage first, then the description, commands,
// options and examples.
const helpTemplate = `Usage:  docker {{.UseLine}}

{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}{{end}}
{{- if .HasAvailableSubCommands}}

Commands:
{{- range .Commands}}{{if .IsAvailableCommand}}
  {{rpad .Name .NamePadding}} {{.Short}}{{end}}{{end}}{{end}}
{{- if .HasAvailableLocalFlags}}

Options:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}
{{- if .HasExample}}

Examples:
{{.Example}}{{end}}
{{- if .HasAvailableSubCommands}}

Run 'docker {{.CommandPath}} COMMAND --help' for more information on a command.{{end}}
`

// dockerStyle gives every command of the tree the docker CLI's help layout.
func dockerStyle(cmd *cobra.Command) {
	cmd.SetHelpTemplate(helpTemplate)
	cmd.DisableFlagsInUseLine = true
	for _, c := range cmd.Commands() {
		dockerStyle(c)
	}
}
