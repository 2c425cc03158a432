package acrcheck

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/lazyre"
	"github.com/acrdiag/acrdiag/internal/version"
)

// DiagnoseFlags are the flags of a diagnosis, shared by the plugin (for help and validation) and the engine.
type DiagnoseFlags struct {
	Repository, Action, DNSServer string
	Subscription, ResourceGroup   string
	ExpectPrivate                 bool
	Format                        string
	Timeout                       time.Duration
	NoColor                       bool
	Checks                        []string
}

// AddDiagnoseFlags defines the diagnosis flags on cmd.
func AddDiagnoseFlags(cmd *cobra.Command, o *DiagnoseFlags) {
	f := cmd.Flags()
	f.StringVar(&o.Repository, "repository", "", "also check permissions and data endpoints for this repository")
	f.StringVar(&o.Action, "action", "pull", "the action to check on --repository: pull or push")
	f.StringVar(&o.DNSServer, "dns-server", "", "resolve with this DNS server (HOST:PORT, e.g. the VNet's) instead of the system's")
	f.BoolVar(&o.ExpectPrivate, "expect-private", false, "a private endpoint is expected: public DNS answers are a finding")
	f.StringVar(&o.Format, "format", "text", "output format: text or json")
	f.DurationVar(&o.Timeout, "timeout", 15*time.Second, "deadline of each check")
	f.BoolVar(&o.NoColor, "no-color", false, "no colours or symbols (also NO_COLOR)")
	f.StringSliceVar(&o.Checks, "checks", nil, "run only these checks (ids as in the report, comma-separated)")
	AddAzureFlags(cmd, &o.Subscription, &o.ResourceGroup)
}

// AddAzureFlags defines the flags that say where the registry is in Azure, to skip the search.
func AddAzureFlags(cmd *cobra.Command, subscription, resourceGroup *string) {
	cmd.Flags().StringVar(subscription, "subscription", "", "the registry's Azure subscription id (skips the Resource Graph search)")
	cmd.Flags().StringVar(resourceGroup, "resource-group", "", "the registry's resource group (with --subscription: read the registry directly)")
}

// Validate checks the flags that do not need the engine to be judged.
func (o *DiagnoseFlags) Validate() error {
	switch {
	case o.Action != "pull" && o.Action != "push":
		return usageError("--action must be pull or push, not %q", o.Action)
	case o.Format != "text" && o.Format != "json":
		return usageError("--format must be text or json, not %q", o.Format)
	case o.Timeout <= 0:
		return usageError("--timeout must be positive")
	}
	return ValidateAzureFlags(o.Subscription, o.ResourceGroup)
}

var (
	subscriptionID    = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	resourceGroupName = lazyre.New(`^[-\w._()]{0,89}[-\w_()]$`) // Azure's rule: up to 90, no trailing period
)

// ValidateAzureFlags checks --subscription and --resource-group before they go into a request path.
func ValidateAzureFlags(subscription, resourceGroup string) error {
	switch {
	case resourceGroup != "" && subscription == "":
		return usageError("--resource-group needs --subscription")
	case subscription != "" && !subscriptionID().MatchString(subscription):
		return usageError("--subscription must be a subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, not %q (az account list --query \"[].{name:name, id:id}\" -o table)", subscription)
	case resourceGroup != "" && !resourceGroupName().MatchString(resourceGroup):
		return usageError("--resource-group %q is not a resource group name (up to 90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.')", resourceGroup)
	}
	return nil
}

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
func NewPluginRoot(st Streams, engine func(command string) error) *cobra.Command {
	opts := &DiagnoseFlags{}
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
	root.SetFlagErrorFunc(flagError)
	AddDiagnoseFlags(root, opts)
	explainCmd := NewExplainCommand(st, nil)
	plainExplain := explainCmd.RunE
	explainCmd.RunE = func(cmd *cobra.Command, args []string) error {
		if check, _ := cmd.Flags().GetBool("check"); check {
			return engine("explain")
		}
		return plainExplain(cmd, args)
	}
	root.AddCommand(explainCmd, newLastCommand(st), newSetupCommand(st), newVersionCommand(st),
		&cobra.Command{
			Use:                "token REGISTRY",
			Short:              "Print an ACR refresh token for this machine's Entra identity (no Azure CLI needed)",
			DisableFlagParsing: true,
			RunE: func(cmd *cobra.Command, args []string) error {
				return engine("token")
			},
		},
		&cobra.Command{
			Use:                "logs REGISTRY [--since DURATION] [--all]",
			Short:              "Show the registry's recent failed logins from its ContainerRegistryLoginEvents log",
			DisableFlagParsing: true,
			RunE: func(cmd *cobra.Command, args []string) error {
				return engine("logs")
			},
		})
	root.InitDefaultCompletionCmd()
	dockerStyle(root)
	return root
}

func oneRegistry(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageError("docker acrcheck needs exactly one registry, e.g. docker acrcheck myregistry.azurecr.io\nSee 'docker acrcheck --help'.")
	}
	return nil
}

func flagError(_ *cobra.Command, err error) error {
	return usageError("%v\nSee 'docker acrcheck --help'.", err)
}

func newVersionCommand(st Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the acrcheck version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(st.Out, "docker-acrcheck", version.String())
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
