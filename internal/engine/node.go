package engine

import (
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/nodecheck"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

func newNodeCommand(st cli.Streams) *cobra.Command {
	return cli.NewNodeCommand(func(cmd *cobra.Command, target string, o *cli.NodeFlags) error {
		cfg, err := config.Load()
		if err != nil {
			return configError(err)
		}
		registry, repository := splitImage(target)
		if o.Repository == "" {
			o.Repository = repository
		}
		ls, _ := loginserver.ParseLoginServer(registry, cfg.LoginServerSuffixes...) // the name check reports a bad one
		image := registry + "/" + o.Repository
		setup := nodecheck.Find(nodecheck.Options{Image: image, Host: ls.Host, ProviderConfig: o.ProviderConfig, BinDir: o.BinDir,
			AzureJSON: o.AzureJSON, ClientID: o.ClientID, ResourceID: o.ResourceID, Cloud: ls.Cloud.Name, CacheDir: cfg.CacheDir,
			Chain: tokencache.ChainFor(cfg, ls)})
		for k, v := range setup.ProviderEnv() { // the provider's identity sees the environment the kubelet gives it
			_ = os.Setenv(k, v)
		}
		setup.SelectIdentity()
		opts := diagnoseOptions(registry, &o.DiagnoseFlags)
		if setup.IdentityErr == nil {
			opts.Source = setup.Identity.Source()
		}
		checks := slices.Concat(setup.Checks(), slices.DeleteFunc(slices.Clone(check.All), func(c check.Check) bool {
			return slices.Contains(nodecheck.DockerOnly, c.ID)
		}))
		if len(o.Checks) > 0 {
			var picked []check.Check
			for _, id := range o.Checks {
				i := slices.IndexFunc(checks, func(c check.Check) bool { return c.ID == id })
				if i < 0 {
					return cli.UsageError("--checks: no node check %q (known: %s)", id, strings.Join(checkIDs(checks), ", "))
				}
				picked = append(picked, checks[i])
			}
			checks = picked
		}
		return runReport(cmd.Context(), st, check.NewEnv(opts, cfg, nil), checks, &o.DiagnoseFlags)
	})
}

func checkIDs(checks []check.Check) []string {
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.ID
	}
	return ids
}

// splitImage splits REGISTRY[/REPOSITORY[:TAG|@DIGEST]] into the registry and the repository.
func splitImage(target string) (registry, repository string) {
	registry, rest, _ := strings.Cut(strings.TrimPrefix(target, "https://"), "/")
	if i := strings.Index(rest, "@"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		rest = rest[:i]
	}
	return registry, strings.TrimSuffix(rest, "/")
}
