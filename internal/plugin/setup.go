package plugin

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
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
	var dryRun, undo, noHooks, systemRegistries, machine bool
	clients := slices.Clone(setupClients)
	cmd := &cobra.Command{
		Use:   "setup [REGISTRY...]",
		Short: "Configure Docker and the containers tools to use acrdiag for registries and explain failures in place",
		Long: `Add credHelpers entries sending each REGISTRY to docker-credential-acrdiag in Docker's config.json and in
containers' auth.json (skopeo, podman and buildah read it, not credsStore: $REGISTRY_AUTH_FILE, else
~/.config/containers/auth.json and the runtime file podman login writes when it exists), register the
acrcheck hook for login, push and pull (hooks, and error-hooks for newer CLIs) and turn features.hooks on
in Docker's config.json. Every other key is kept; each file is written atomically after a backup; running
it twice changes nothing; --undo takes back the changes setup made and keeps everyone else's made since.

--system sets the machine up for every user, run as root or an administrator: the REGISTRYs go into the
system configuration (/etc/acrdiag/config.json, %ProgramData%\acrdiag\config.json on Windows, made
writable by administrators only), and the credHelpers entries and the hook into the config.json new users
start with (/etc/skel/.docker, the Default profile on Windows; $ACRDIAG_SKEL_DIR). Users who already have
a config.json get the entries at login from: docker acrcheck setup --system-registries.`,
		Example: `  docker acrcheck setup myregistry.azurecr.io
  docker acrcheck setup --dry-run myregistry.azurecr.io other.azurecr.io
  docker acrcheck setup --clients docker myregistry.azurecr.io   # leave containers' auth.json alone
  docker acrcheck setup --system-registries     # the registries of /etc/acrdiag/config.json
  sudo docker acrcheck setup --system myregistry.azurecr.io   # every user of this machine (image builders)
  docker acrcheck setup --undo`,
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if machine {
				if cmd.Flags().Changed("clients") || systemRegistries {
					return cli.UsageError("setup --system configures the machine: the acrdiag configuration and Docker's config.json for new users; --clients and --system-registries are for a user's own setup")
				}
				return systemSetup(st, args, dryRun, undo, !noHooks)
			}
			chosen, err := parseClients(clients)
			if err != nil {
				return err
			}
			targets, err := targetFiles(chosen)
			if err != nil {
				return cli.UsageError("setup: %v", err)
			}
			if undo {
				if len(args) > 0 {
					return cli.UsageError("--undo takes no registry")
				}
				return undoTargets(st, targets)
			}
			hosts, err := setupHosts(args, systemRegistries)
			if err != nil {
				return err
			}
			targets = withChanges(targets, hosts, !noHooks)
			if len(targets) == 0 {
				return cli.UsageError("setup --clients containers needs a REGISTRY: the containers tools have no hooks, e.g. docker acrcheck setup --clients containers myregistry.azurecr.io")
			}
			return applyTargets(st, targets, hosts, dryRun, !noHooks)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "show the change, write nothing")
	f.BoolVar(&undo, "undo", false, "take back what setup changed in each file, keeping others' changes")
	f.BoolVar(&noHooks, "no-hooks", false, "only add credHelpers entries")
	f.BoolVar(&systemRegistries, "system-registries", false, "also configure the registries listed in the system configuration")
	f.BoolVar(&machine, "system", false, "set up the machine for every user (as root or an administrator): the registries into the system configuration, credHelpers and the hook into new users' config.json")
	f.StringSliceVar(&clients, "clients", clients, "the clients to configure: docker (config.json), containers (auth.json of skopeo, podman, buildah)")
	return cmd
}

// applyTargets loads every file first, so that one that cannot be read changes none, then shows or writes
// each change.
func applyTargets(st cli.Streams, targets []target, hosts []string, dryRun, hooks bool) error {
	files := make([]*dockerconfig.File, len(targets))
	for i, t := range targets {
		f, err := dockerconfig.Load(t.path)
		if err != nil {
			return cli.Failure("setup: %v; fix the file first, nothing was changed", err)
		}
		files[i] = f
	}
	out := st.Out
	wrote := false
	for i, f := range files {
		before, _ := f.Bytes() // the file as setup would write it unchanged: a diff of content, not layout
		changed, err := f.Apply(targets[i].change)
		if err != nil {
			return cli.Failure("setup: %v; %s was not changed", err, f.Path)
		}
		if !changed {
			_, _ = fmt.Fprintf(out, "%s is already set up; nothing to change.\n", f.Path)
			continue
		}
		if dryRun {
			after, _ := f.Bytes()
			_, _ = fmt.Fprintf(out, "Would change %s:\n", f.Path)
			_, _ = fmt.Fprint(out, lineDiff(string(before), string(after)))
			continue
		}
		if err := f.Save(); err != nil {
			return cli.Failure("setup: cannot write %s: %v; it was not changed (fix its directory's permissions, or choose --clients)", f.Target, err)
		}
		wrote = true
		_, _ = fmt.Fprintf(out, "Updated %s (backup: %s).\n", f.Path, f.Target+dockerconfig.BackupSuffix)
	}
	if !wrote {
		return nil
	}
	if len(hosts) > 0 {
		_, _ = fmt.Fprintf(out, "docker-credential-acrdiag now answers for %s.\n", strings.Join(hosts, ", "))
		if _, err := exec.LookPath("docker-credential-acrdiag"); err != nil {
			_, _ = fmt.Fprintln(st.Err, "warning: docker-credential-acrdiag is not on PATH; install it, or Docker cannot get credentials for these registries")
		}
	}
	if hooks && slices.ContainsFunc(targets, func(t target) bool { return t.client == clientDocker }) {
		_, _ = fmt.Fprintln(out, "Failed docker login, push and pull are now explained in place (on a terminal).")
	}
	return nil
}

// undoTargets takes back setup's changes in every file it changed; a file it never changed is no error
// unless none was changed at all.
func undoTargets(st cli.Streams, targets []target) error {
	var untouched []string
	for _, t := range targets {
		err := dockerconfig.Undo(t.path)
		if errors.Is(err, dockerconfig.ErrNothingToUndo) {
			untouched = append(untouched, t.path)
			continue
		}
		if err != nil {
			return cli.Failure("setup --undo: %v", err)
		}
		_, _ = fmt.Fprintf(st.Out, "Took back acrdiag's changes to %s; changes made by others are kept.\n", t.path)
	}
	if len(untouched) == len(targets) {
		return cli.Failure("setup --undo: nothing to undo: setup has not changed %s", strings.Join(untouched, " or "))
	}
	return nil
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
