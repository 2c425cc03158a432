package acrcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/docker/cli/cli"
	"github.com/docker/cli/cli/command"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/explain"
)

// maxExplainInput bounds what explain reads: a whole CI log, not an endless stream.
const maxExplainInput = 64 << 20

func newExplainCommand(dockerCli command.Cli) *cobra.Command {
	var format string
	var confirm bool
	var timeout = new(diagnoseOptions)
	cmd := &cobra.Command{
		Use:   "explain [TEXT]",
		Short: "Explain error text from docker, BuildKit, crane, az, kubelet or a CI log",
		Long: `Explain error text: the likely causes from acrdiag's catalogue, best first, each with why it happens
and the commands that fix it. Reads TEXT, or standard input when there is none. With --check, also runs
the diagnosis of the registry named in the text, to confirm or rule out each cause.`,
		Example: `  docker pull myregistry.azurecr.io/app:1 2>&1 | docker acrcheck explain
  docker acrcheck explain "unauthorized: authentication required, visit https://aka.ms/acr/authorization"
  kubectl describe pod web-0 | docker acrcheck explain --format json`,
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format must be text or json, not %q", format)
			}
			text := strings.Join(args, " ")
			if len(args) == 0 {
				b, err := io.ReadAll(io.LimitReader(os.Stdin, maxExplainInput))
				if err != nil {
					return usageError("read standard input: %v", err)
				}
				text = string(b)
			}
			e := explain.Explain(text)
			var report *check.Report
			if confirm && e.Registry != "" {
				cfg, _ := config.Load()
				env := check.NewEnv(check.Options{Registry: e.Registry, Action: "pull"}, cfg, dockerSide{cli: dockerCli})
				r := check.Run(cmd.Context(), env, check.All, timeout.timeout, nil)
				report = &r
				annotate(&e, r)
			}
			out := dockerCli.Out()
			if format == "json" {
				if report != nil {
					return writeJSON(out, struct {
						explain.Explanation
						Diagnosis *check.Report `json:"diagnosis"`
					}{e, report})
				}
				return writeJSON(out, e)
			}
			if err := e.WriteText(out, 0); err != nil {
				return err
			}
			if report != nil {
				_, _ = fmt.Fprintln(out)
				return report.WriteText(out, false)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&confirm, "check", false, "also diagnose the registry named in the text, to confirm or rule out each cause")
	cmd.Flags().DurationVar(&timeout.timeout, "timeout", 15*time.Second, "deadline of each check with --check")
	return cmd
}

// annotate says, for each cause, what the diagnosis found.
func annotate(e *explain.Explanation, r check.Report) {
	for i, c := range e.Causes {
		switch {
		case slices.Contains(r.Causes, c.ID):
			e.Causes[i].Why += " (confirmed by the diagnosis)"
		case r.OK:
			e.Causes[i].Why += " (the diagnosis found no problem now)"
		}
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return cli.StatusError{Status: err.Error(), StatusCode: 2}
	}
	return nil
}
