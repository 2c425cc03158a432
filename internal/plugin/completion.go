package plugin

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/cli"
)

// completionHowTo says how `docker acrcheck` is completed. A script of the plugin's own would complete a
// command named acrcheck, which nobody types: Docker's completion asks the plugin (`__complete`) for what
// follows `docker acrcheck`, so loading Docker's script is all it takes.
const completionHowTo = `docker acrcheck is completed by Docker's own shell completion, which asks the plugin for its commands,
flags, flag values and the registries this machine knows. Load Docker's script:

  bash:        source <(docker completion bash)        (or: docker completion bash > /etc/bash_completion.d/docker)
  zsh:         source <(docker completion zsh)
  fish:        docker completion fish | source
  powershell:  docker completion powershell | Out-String | Invoke-Expression

Docker Desktop and most Docker packages install it already; then TAB after "docker acrcheck " works as is.
`

func newCompletionCommand(st cli.Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion [bash|zsh|fish|powershell]",
		Short: "Say how to complete docker acrcheck (Docker's own completion covers it)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(st.Out, completionHowTo)
			return err
		},
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
	}
}
