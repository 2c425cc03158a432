package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
	"github.com/acrdiag/acrdiag/internal/explain"
)

// maxExplainInput bounds what explain keeps of its input: the end of a whole CI log, where errors are.
const maxExplainInput = 64 << 20

// Confirm runs the diagnosis of what an explanation is about (its registry, repository and action), marks
// each cause confirmed or ruled out, and returns the report to embed (JSON) or write after the explanation
// (text), and whether a problem was confirmed. Only the acrdiag engine can: the plugin hands --check to it.
type Confirm func(ctx context.Context, e *explain.Explanation) (report any, text func(io.Writer) error, confirmed bool, err error)

// explainMachine is what explain may read about this machine: Docker's config.json and acrdiag's failure
// record. A recorded failure older than an hour explains nothing pasted now.
func explainMachine() *explain.Machine {
	m := &explain.Machine{FailureWithin: time.Hour, CacheDir: config.CacheDir()}
	if p, err := dockerconfig.Path(); err == nil {
		m.DockerConfig = p
	}
	return m
}

// readTail reads r to its end and keeps the last max bytes; dropped is how many came before them.
func readTail(r io.Reader, max int) (text string, dropped int64, err error) {
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 64<<10)
	for {
		n, rerr := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) > 2*max {
			dropped += int64(len(buf) - max)
			buf = append(buf[:0], buf[len(buf)-max:]...)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", 0, rerr
		}
	}
	if len(buf) > max {
		dropped += int64(len(buf) - max)
		buf = buf[len(buf)-max:]
	}
	return string(buf), dropped, nil
}

// mibUp is n bytes in MiB, rounded up: an input just over the bound is never said to be the bound.
func mibUp(n int64) int64 { return (n + 1<<20 - 1) >> 20 }

// NewExplainCommand is `explain [TEXT]`. The engine passes confirm, which runs the diagnosis for --check;
// the plugin passes handOver instead, which hands an explain --check to the engine as typed.
func NewExplainCommand(st Streams, confirm Confirm, handOver func() error) *cobra.Command {
	var format string
	var check, offline bool
	cmd := &cobra.Command{
		Use:   "explain [TEXT]",
		Short: "Explain error text from docker, BuildKit, crane, az, kubelet or a CI log",
		Long: `Explain error text: the likely causes from acrdiag's catalogue, best first, each with why it happens
and the commands that fix it. Reads TEXT, or standard input when there is none. With --check, also runs
the diagnosis of the registry, repository and action the text is about, to confirm or rule out each
cause (exit status 1 when it confirms a problem). Unless --offline, what this machine knows about the
registry counts as evidence: the credentials Docker stores for it, its credential helper, and the
failures docker-credential-acrdiag recorded for it in the last hour.`,
		Example: `  docker pull myregistry.azurecr.io/app:1 2>&1 | docker acrcheck explain
  docker acrcheck explain "unauthorized: authentication required, visit https://aka.ms/acr/authorization"
  kubectl describe pod web-0 | docker acrcheck explain --format json`,
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if format != "text" && format != "json" {
				return UsageError("--format must be text or json, not %q", format)
			}
			if check && confirm == nil && handOver != nil {
				return handOver()
			}
			text := strings.Join(args, " ")
			if len(args) == 0 {
				tail, dropped, err := readTail(st.In, maxExplainInput)
				if err != nil {
					return UsageError("read standard input: %v", err)
				}
				if dropped > 0 {
					_, _ = fmt.Fprintf(st.Err, "explain: the input is %d MiB; only its last %d MiB were read, where errors are\n", mibUp(dropped+int64(len(tail))), maxExplainInput>>20)
				}
				text = tail
			}
			var machine *explain.Machine
			if !offline {
				machine = explainMachine()
			}
			e := explain.Explain(text, machine)
			var report any
			var reportText func(w io.Writer) error
			var confirmed bool
			if check && e.Registry != "" && confirm != nil {
				var err error
				if report, reportText, confirmed, err = confirm(cmd.Context(), &e); err != nil {
					return err
				}
			}
			if check && e.Registry == "" {
				_, _ = fmt.Fprintln(st.Err, "explain --check: the text names no registry to diagnose; run: docker acrcheck REGISTRY")
			}
			defer func() {
				if confirmed && err == nil {
					err = &ExitError{Code: 1}
				}
			}()
			if format == "json" {
				if report != nil {
					return WriteJSON(st.Out, struct {
						explain.Explanation
						Diagnosis any `json:"diagnosis"`
					}{e, report})
				}
				return WriteJSON(st.Out, e)
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
	cmd.Flags().BoolVar(&offline, "offline", false, "explain from the text alone, without what this machine knows about the registry")
	return cmd
}

// WriteJSON writes v indented, as every --format json does.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return &ExitError{Code: 2, Msg: err.Error()}
	}
	return nil
}
