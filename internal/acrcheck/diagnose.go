package acrcheck

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/docker/cli/cli"
	"github.com/docker/cli/cli/command"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/config"
)

type diagnoseOptions struct {
	check.Options
	format  string
	timeout time.Duration
	noColor bool
	only    []string
}

func addDiagnoseFlags(cmd *cobra.Command, o *diagnoseOptions) {
	f := cmd.Flags()
	f.StringVar(&o.Repository, "repository", "", "also check permissions and data endpoints for this repository")
	f.StringVar(&o.Action, "action", "pull", "the action to check on --repository: pull or push")
	f.StringVar(&o.DNSServer, "dns-server", "", "resolve with this DNS server (HOST:PORT, e.g. the VNet's) instead of the system's")
	f.BoolVar(&o.ExpectPrivate, "expect-private", false, "a private endpoint is expected: public DNS answers are a finding")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.DurationVar(&o.timeout, "timeout", 15*time.Second, "deadline of each check")
	f.BoolVar(&o.noColor, "no-color", false, "no colours or symbols (also NO_COLOR)")
	f.StringSliceVar(&o.only, "checks", nil, "run only these checks (ids as in the report, comma-separated)")
}

// usageError exits with 2, the code for usage and internal errors.
func usageError(format string, args ...any) error {
	return cli.StatusError{Status: fmt.Sprintf(format, args...), StatusCode: 2}
}

func (o *diagnoseOptions) validate() error {
	switch {
	case o.Action != "pull" && o.Action != "push":
		return usageError("--action must be pull or push, not %q", o.Action)
	case o.format != "text" && o.format != "json":
		return usageError("--format must be text or json, not %q", o.format)
	case o.timeout <= 0:
		return usageError("--timeout must be positive")
	}
	for _, id := range o.only {
		if _, ok := check.ByID(id); !ok {
			return usageError("--checks: no check %q (known: %s)", id, strings.Join(check.IDs(), ", "))
		}
	}
	return nil
}

func (o *diagnoseOptions) checks() []check.Check {
	if len(o.only) == 0 {
		return check.All
	}
	var out []check.Check
	for _, id := range o.only {
		c, _ := check.ByID(id)
		out = append(out, c)
	}
	return out
}

// runDiagnose diagnoses one registry and exits 0 (no problem), 1 (problems) or 2 (usage or internal error).
func runDiagnose(ctx context.Context, dockerCli command.Cli, o *diagnoseOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	cfg, cfgErr := config.Load()
	if cfgErr != nil {
		_, _ = fmt.Fprintln(dockerCli.Err(), "warning:", cfgErr)
	}
	env := check.NewEnv(o.Options, cfg, dockerSide{cli: dockerCli})
	out := dockerCli.Out()
	terminal := out.IsTerminal() && o.format == "text"
	color := terminal && !o.noColor && os.Getenv("NO_COLOR") == ""
	checks := o.checks()
	var progress func(check.Result)
	if terminal {
		done := 0
		progress = func(r check.Result) {
			done++
			_, _ = fmt.Fprintf(dockerCli.Err(), "\r\033[Kchecking %s: %d/%d done (%s)", env.Host(), done, len(checks), r.ID)
		}
	}
	report := check.Run(ctx, env, checks, o.timeout, progress)
	if terminal {
		_, _ = fmt.Fprint(dockerCli.Err(), "\r\033[K")
	}
	var err error
	if o.format == "json" {
		err = report.WriteJSON(out)
	} else {
		err = report.WriteText(out, color)
	}
	if err != nil {
		return cli.StatusError{Status: err.Error(), StatusCode: 2}
	}
	if !report.OK {
		os.Exit(1) // problems found: the report said it all, no error line to add
	}
	return nil
}
