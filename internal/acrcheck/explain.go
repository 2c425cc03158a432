package acrcheck

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/explain"
)

// maxExplainInput bounds what explain reads: a whole CI log, not an endless stream.
const maxExplainInput = 64 << 20

// Confirm runs the diagnosis of the registry an explanation names and writes it after the explanation
// (text) or returns it to embed (JSON). Only the acrdiag engine can: the plugin hands --check over to it.
type Confirm func(ctx context.Context, e *explain.Explanation) (report any, text func(io.Writer) error, err error)

// NewExplainCommand is `explain [TEXT]`; confirm is nil where --check is handed to the engine.
func NewExplainCommand(st Streams, confirm Confirm) *cobra.Command {
	var format string
	var check bool
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
				b, err := io.ReadAll(io.LimitReader(st.In, maxExplainInput))
				if err != nil {
					return usageError("read standard input: %v", err)
				}
				text = string(b)
			}
			e := explain.Explain(text)
			var report any
			var reportText func(w io.Writer) error
			if check && e.Registry != "" && confirm != nil {
				var err error
				if report, reportText, err = confirm(cmd.Context(), &e); err != nil {
					return err
				}
			}
			if format == "json" {
				if report != nil {
					return writeJSON(st.Out, struct {
						explain.Explanation
						Diagnosis any `json:"diagnosis"`
					}{e, report})
				}
				return writeJSON(st.Out, e)
			}
			if err := e.WriteText(st.Out, 0); err != nil {
				return err
			}
			if reportText != nil {
				_, _ = st.Out.Write([]byte("\n"))
				return reportText(st.Out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&check, "check", false, "also diagnose the registry named in the text, to confirm or rule out each cause")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return &ExitError{Code: 2, Msg: err.Error()}
	}
	return nil
}
