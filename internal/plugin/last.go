package plugin

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/explain"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
)

func newLastCommand(st cli.Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "last [REGISTRY]",
		Short: "Explain the credential helper's last recorded failure",
		Long: `Explain why docker-credential-acrdiag last failed (for REGISTRY, or any registry): Docker throws most
credential helper errors away, so the helper records them.`,
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return cli.UsageError("--format must be text or json, not %q", format)
			}
			cacheDir := config.CacheDir()
			host := ""
			if len(args) == 1 {
				host = strings.ToLower(strings.TrimSpace(args[0]))
			}
			if _, err := lastfailure.Read(cacheDir); err != nil {
				return cli.Failure("last: %v", err)
			}
			rec, ok := lastfailure.Last(cacheDir, host)
			out := st.Out
			if !ok {
				if format == "json" {
					return cli.WriteJSON(out, map[string]any{"failure": nil})
				}
				_, err := fmt.Fprintln(out, "The credential helper has recorded no failure"+forHost(host)+".")
				return err
			}
			c, _ := cause.Lookup(rec.Cause)
			fix := cause.FixWithEvidence(rec.Cause, rec.Host, rec.Detail)
			if format == "json" {
				return cli.WriteJSON(out, map[string]any{"failure": rec, "cause": explain.CauseOutput{
					ID: c.ID, Title: c.Title, Why: c.Why, Fix: fix, Confidence: explain.High}})
			}
			_, err := fmt.Fprintf(out, "At %s, docker-credential-acrdiag %s for %s failed: %s\n  %s\n  why: %s\n  fix: %s\n  [%s] more: docker acrcheck %s\n",
				rec.Time.Local().Format("2006-01-02 15:04:05"), rec.Action, rec.Host, c.Title, rec.Detail, c.Why, fix, rec.Cause, rec.Host)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func forHost(host string) string {
	if host == "" {
		return ""
	}
	return " for " + host
}
