package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/lazyre"
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
		return UsageError("--action must be pull or push, not %q", o.Action)
	case o.Format != "text" && o.Format != "json":
		return UsageError("--format must be text or json, not %q", o.Format)
	case o.Timeout <= 0:
		return UsageError("--timeout must be positive")
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
		return UsageError("--resource-group needs --subscription")
	case subscription != "" && !subscriptionID().MatchString(subscription):
		return UsageError("--subscription must be a subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, not %q (az account list --query \"[].{name:name, id:id}\" -o table)", subscription)
	case resourceGroup != "" && !resourceGroupName().MatchString(resourceGroup):
		return UsageError("--resource-group %q is not a resource group name (up to 90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.')", resourceGroup)
	}
	return nil
}
