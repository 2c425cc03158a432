// Package engine is the acrdiag command: the work that needs the network and the Entra ID libraries (the
// diagnosis, tokens, the credential helper's renewals), kept out of the credential helper and the plugin so
// that those start in a couple of milliseconds.
package engine

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/docker/cli/cli/command"
	"github.com/docker/cli/cli/flags"
	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/explain"
	"github.com/acrdiag/acrdiag/internal/version"
)

// NewRoot is the acrdiag command tree.
func NewRoot(st cli.Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "acrdiag",
		Version:       version.String(),
		Short:         "Azure Container Registry logins: diagnosis, tokens, explanations",
		Long:          "acrdiag does the network work of docker acrcheck and docker-credential-acrdiag; docker acrcheck runs it.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate(version.Line("acrdiag")) // the shape every acrdiag binary prints
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cli.ExitError{Code: 2, Msg: err.Error()} })
	root.AddCommand(
		newDiagnoseCommand(st, dockerFromEnvironment),
		newTokenCommand(st),
		newLogsCommand(st, dockerFromEnvironment),
		newKubeletProviderCommand(st),
		newNodeCommand(st),
		cli.NewExplainCommand(st, confirmWithDiagnosis, nil),
		newRenewCommand(st),
		&cobra.Command{
			Use:   "version",
			Short: "Show the version",
			RunE: func(cmd *cobra.Command, _ []string) error {
				_, err := io.WriteString(st.Out, version.Line("acrdiag"))
				return err
			},
		},
	)
	return root
}

// dockerFromEnvironment is the docker CLI's view of this machine: config.json, credential helpers, the
// daemon named by DOCKER_HOST or the current context.
func dockerFromEnvironment() check.Docker {
	cli, err := command.NewDockerCli(command.WithInputStream(os.Stdin), command.WithOutputStream(io.Discard), command.WithErrorStream(io.Discard))
	if err != nil {
		return nil
	}
	if err := cli.Initialize(flags.NewClientOptions()); err != nil {
		return nil
	}
	return dockerSide{cli: cli}
}

// confirmWithDiagnosis runs the diagnosis of what an explanation is about (explain --check): its registry,
// and its repository and action when the text names them, then marks each cause confirmed or ruled out.
func confirmWithDiagnosis(ctx context.Context, e *explain.Explanation) (any, func(io.Writer) error, bool, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, nil, false, &cli.ExitError{Code: 2, Msg: "explain --check: " + err.Error()}
	}
	action := "pull" // a build pulls its base images; a login needs pull rights to be of use
	if e.Action == "push" {
		action = "push"
	}
	env := check.NewEnv(check.Options{Registry: e.Registry, Repository: e.Repository, Action: action}, cfg, dockerFromEnvironment())
	r := check.Run(ctx, env, check.All, 15*time.Second, nil)
	outcomes := make([]explain.CheckOutcome, len(r.Checks))
	for i, c := range r.Checks {
		outcomes[i] = explain.CheckOutcome{ID: c.ID, Status: string(c.Status), Cause: c.Cause}
	}
	confirmed := e.Compare(outcomes)
	return r, func(w io.Writer) error { return r.WriteText(w, false) }, confirmed, nil
}
