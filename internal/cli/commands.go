package cli

import (
	"time"

	"github.com/spf13/cobra"
)

// The token and logs commands are defined once, here: the plugin shows their help and checks their flags,
// then hands them to the engine, which runs them with the same definitions.

// TokenFlags are the flags of `token`.
type TokenFlags struct{ Format string }

// NewTokenCommand is `token REGISTRY`; run does the work (the engine) or hands it over (the plugin).
func NewTokenCommand(run func(cmd *cobra.Command, registry string, o *TokenFlags) error) *cobra.Command {
	o := &TokenFlags{}
	cmd := &cobra.Command{
		Use:   "token REGISTRY",
		Short: "Print an ACR refresh token for this machine's Entra identity (no Azure CLI needed)",
		Long: `Print what 'az acr login --expose-token' gives: the login server, the username, and an ACR refresh
token from this machine's Entra identity, with its expiry. For CI without the Azure CLI:

  docker acrcheck token R --format json | jq -r .token | docker login R -u 00000000-0000-0000-0000-000000000000 --password-stdin`,
		Example:      "  docker acrcheck token myregistry.azurecr.io --format json",
		Args:         exactlyOneRegistry("token"),
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Format != "text" && o.Format != "json" {
				return UsageError("--format must be text or json, not %q", o.Format)
			}
			return run(cmd, args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "text", "output format: text or json")
	return cmd
}

// LogsFlags are the flags of `logs`.
type LogsFlags struct {
	Since                       time.Duration
	All                         bool
	IP                          string
	Format                      string
	Timeout                     time.Duration
	Subscription, ResourceGroup string
}

// NewLogsCommand is `logs REGISTRY`; run does the work (the engine) or hands it over (the plugin).
func NewLogsCommand(run func(cmd *cobra.Command, registry string, o *LogsFlags) error) *cobra.Command {
	o := &LogsFlags{}
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] REGISTRY",
		Short: "Show the registry's recent failed logins from its ContainerRegistryLoginEvents log",
		Long: `Show the recent failed logins to a registry, as the registry itself recorded them: the
ContainerRegistryLoginEvents resource log, which a diagnostic setting sends to a Log Analytics workspace.
By default only failures by this machine's identity (and the username Docker holds) are shown.
Needs read access to the registry's logs (the Reader role on the registry, or Log Analytics Reader).`,
		Example:      "  docker acrcheck logs myregistry.azurecr.io --since 3h\n  docker acrcheck logs myregistry.azurecr.io --all --format json",
		Args:         exactlyOneRegistry("logs"),
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.Format != "text" && o.Format != "json":
				return UsageError("--format must be text or json, not %q", o.Format)
			case o.Since <= 0 || o.Since > 90*24*time.Hour:
				return UsageError("--since must be between 1s and 90 days (e.g. 1h, 30m, 72h)")
			}
			if err := ValidateAzureFlags(o.Subscription, o.ResourceGroup); err != nil {
				return err
			}
			return run(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.Since, "since", time.Hour, "how far back to look (Go duration: 30m, 1h, 72h)")
	f.BoolVar(&o.All, "all", false, "every login event, successful ones and other identities' too")
	f.StringVar(&o.IP, "ip", "", "also show failures from this client IP (e.g. the one a 403 named)")
	f.StringVar(&o.Format, "format", "text", "output format: text or json")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Second, "deadline of the whole query")
	AddAzureFlags(cmd, &o.Subscription, &o.ResourceGroup)
	return cmd
}

func exactlyOneRegistry(command string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return UsageError("docker acrcheck %s needs exactly one registry, e.g. docker acrcheck %s myregistry.azurecr.io", command, command)
		}
		return nil
	}
}
