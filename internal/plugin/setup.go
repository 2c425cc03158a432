package plugin

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// The commands whose failures the hook explains. CLIs before 29.3 know only "hooks" (success and
// failure); newer ones also "error-hooks" (failure only), which covers plugin commands like buildx too.
const (
	hookCommands      = "login,push,pull,image push,image pull"
	errorHookCommands = "login,push,pull,image push,image pull,buildx build"
)

func newSetupCommand(st cli.Streams) *cobra.Command {
	var dryRun, undo, noHooks, system bool
	cmd := &cobra.Command{
		Use:   "setup [REGISTRY...]",
		Short: "Configure Docker to use acrdiag for registries and explain failures in place",
		Long: `Add credHelpers entries sending each REGISTRY to docker-credential-acrdiag, register the acrcheck hook
for login, push and pull (hooks, and error-hooks for newer CLIs) and turn features.hooks on, in Docker's
config.json. Every other key is kept; the file is written atomically after a backup; running it twice
changes nothing; --undo takes back the changes setup made and keeps everyone else's made since.`,
		Example: `  docker acrcheck setup myregistry.azurecr.io
  docker acrcheck setup --dry-run myregistry.azurecr.io other.azurecr.io
  docker acrcheck setup --system-registries     # the registries of /etc/acrdiag/config.json
  docker acrcheck setup --undo`,
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := dockerconfig.Path()
			if err != nil {
				return cli.UsageError("find Docker's config.json: %v", err)
			}
			out := st.Out
			if undo {
				if len(args) > 0 {
					return cli.UsageError("--undo takes no registry")
				}
				if err := dockerconfig.Undo(path); err != nil {
					return cli.Failure("setup --undo: %v", err)
				}
				_, err := fmt.Fprintf(out, "Took back acrdiag's changes to %s; changes made by others are kept.\n", path)
				return err
			}
			hosts, err := setupHosts(args, system)
			if err != nil {
				return err
			}
			change := dockerconfig.Change{CredHelpers: map[string]string{}}
			for _, h := range hosts {
				change.CredHelpers[h] = "acrdiag"
			}
			if !noHooks {
				change.PluginHooks = map[string]string{"hooks": hookCommands, "error-hooks": errorHookCommands}
				change.Features = map[string]string{"hooks": "true"}
			}
			f, err := dockerconfig.Load(path)
			if err != nil {
				return cli.Failure("setup: %v; fix the file first, nothing was changed", err)
			}
			before, _ := f.Bytes() // the file as setup would write it unchanged: a diff of content, not layout
			changed, err := f.Apply(change)
			if err != nil {
				return cli.Failure("setup: %v; nothing was changed", err)
			}
			if !changed {
				_, err := fmt.Fprintf(out, "%s is already set up; nothing to change.\n", path)
				return err
			}
			after, _ := f.Bytes()
			if dryRun {
				_, _ = fmt.Fprintf(out, "Would change %s:\n", path)
				_, err := fmt.Fprint(out, lineDiff(string(before), string(after)))
				return err
			}
			if err := f.Save(); err != nil {
				return cli.Failure("setup: cannot write %s: %v; nothing was changed", f.Target, err)
			}
			_, _ = fmt.Fprintf(out, "Updated %s (backup: %s).\n", path, f.Target+dockerconfig.BackupSuffix)
			if len(hosts) > 0 {
				_, _ = fmt.Fprintf(out, "docker-credential-acrdiag now answers for %s.\n", strings.Join(hosts, ", "))
				if _, err := exec.LookPath("docker-credential-acrdiag"); err != nil {
					_, _ = fmt.Fprintln(st.Err, "warning: docker-credential-acrdiag is not on PATH; install it, or Docker cannot get credentials for these registries")
				}
			}
			if !noHooks {
				_, _ = fmt.Fprintln(out, "Failed docker login, push and pull are now explained in place (on a terminal).")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "show the change, write nothing")
	f.BoolVar(&undo, "undo", false, "take back what setup changed in config.json, keeping others' changes")
	f.BoolVar(&noHooks, "no-hooks", false, "only add credHelpers entries")
	f.BoolVar(&system, "system-registries", false, "also configure the registries listed in the system configuration")
	return cmd
}

func setupHosts(args []string, system bool) ([]string, error) {
	cfg, cfgErr := config.Load()
	if system {
		if cfgErr != nil {
			return nil, cli.Failure("setup: %v", cfgErr)
		}
		args = append(args, cfg.Registries...)
	}
	var hosts []string
	for _, a := range args {
		ls, err := loginserver.ParseLoginServer(a, cfg.LoginServerSuffixes...)
		if errors.Is(err, loginserver.ErrNotACR) {
			return nil, cli.UsageError("setup: %q is not an Azure Container Registry login server (e.g. myregistry.azurecr.io)", a)
		}
		if err != nil {
			return nil, cli.UsageError("setup: %v", err)
		}
		hosts = append(hosts, ls.Host)
	}
	return hosts, nil
}

// lineDiff shows the lines of a small file that setup removes (-), adds (+) and keeps, from the longest
// common subsequence of the two versions.
func lineDiff(before, after string) string {
	a := strings.Split(strings.TrimRight(before, "\n"), "\n")
	b := strings.Split(strings.TrimRight(after, "\n"), "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			fmt.Fprintf(&out, "  %s\n", a[i])
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "- %s\n", a[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", b[j])
			j++
		}
	}
	return out.String()
}
