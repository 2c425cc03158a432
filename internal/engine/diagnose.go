package engine

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/azure"
	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
)

func newDiagnoseCommand(st cli.Streams, docker func() check.Docker) *cobra.Command {
	o := &cli.DiagnoseFlags{}
	cmd := &cobra.Command{
		Use:   "diagnose [OPTIONS] REGISTRY",
		Short: "Diagnose what stands between this machine and a registry (docker acrcheck REGISTRY)",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &cli.ExitError{Code: 2, Msg: "diagnose needs exactly one registry, e.g. myregistry.azurecr.io"}
			}
			return nil
		},
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			for _, id := range o.Checks {
				if _, ok := check.ByID(id); !ok {
					return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("--checks: no check %q (known: %s)", id, strings.Join(check.IDs(), ", "))}
				}
			}
			return runDiagnose(cmd.Context(), st, docker(), args[0], o)
		},
	}
	cli.AddDiagnoseFlags(cmd, o)
	return cmd
}

func selected(ids []string) []check.Check {
	if len(ids) == 0 {
		return check.All
	}
	var out []check.Check
	for _, id := range ids {
		c, _ := check.ByID(id)
		out = append(out, c)
	}
	return out
}

// runDiagnose diagnoses one registry: exit 0 no problem, 1 problems found, 2 usage or internal error.
func runDiagnose(ctx context.Context, st cli.Streams, docker check.Docker, registry string, o *cli.DiagnoseFlags) error {
	cfg, cfgErr := config.Load()
	if cfgErr != nil {
		_, _ = fmt.Fprintln(st.Err, "warning:", cfgErr)
	}
	env := check.NewEnv(diagnoseOptions(registry, o), cfg, docker)
	return runReport(ctx, st, env, selected(o.Checks), o)
}

// diagnoseOptions are the check options the diagnosis flags give.
func diagnoseOptions(registry string, o *cli.DiagnoseFlags) check.Options {
	return check.Options{Registry: registry, Repository: o.Repository, Action: o.Action,
		DNSServer: o.DNSServer, ExpectPrivate: o.ExpectPrivate,
		Azure: azure.Scope{Subscription: o.Subscription, ResourceGroup: o.ResourceGroup}}
}

// runReport runs checks and writes the report as the flags ask: exit 0 no problem, 1 problems found.
func runReport(ctx context.Context, st cli.Streams, env *check.Env, checks []check.Check, o *cli.DiagnoseFlags) error {
	terminal := cli.IsTerminal(st.Out) && o.Format == "text"
	color := terminal && !o.NoColor && os.Getenv("NO_COLOR") == ""
	var progress func(check.Result)
	if terminal {
		done := 0
		progress = func(r check.Result) {
			done++
			_, _ = fmt.Fprintf(st.Err, "\r\033[Kchecking %s: %d/%d done (%s)", env.Host(), done, len(checks), r.ID)
		}
	}
	report := check.Run(ctx, env, checks, o.Timeout, progress)
	if terminal {
		_, _ = fmt.Fprint(st.Err, "\r\033[K")
	}
	var err error
	if o.Format == "json" {
		err = report.WriteJSON(st.Out)
	} else {
		err = report.WriteText(st.Out, color)
	}
	if err != nil {
		return &cli.ExitError{Code: 2, Msg: err.Error()}
	}
	if !report.OK {
		return &cli.ExitError{Code: 1} // the report said it all
	}
	return nil
}
