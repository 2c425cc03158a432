package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
	"github.com/acrdiag/acrdiag/internal/winacl"
)

// systemSetup is the per-machine setup an image builder runs once, as root or an administrator: the
// registries go into the machine's acrdiag configuration (which every user's helper reads, and which the
// login script's setup --system-registries configures), and credHelpers entries and the hook into the
// config.json new users' profiles start with. Docker has no machine-wide config.json; users who already
// have one get the entries from the login script (docs/deploy.md).
func systemSetup(st cli.Streams, args []string, dryRun, undo, hooks bool) error {
	skel := dockerconfig.SkeletonPath()
	if undo {
		return undoSystem(st, skel, args)
	}
	added, err := setupHosts(args, false)
	if err != nil {
		return err
	}
	registries, err := writeSystemConfig(st, added, dryRun)
	if err != nil {
		return err
	}
	hosts, err := setupHosts(registries, false) // new users get every registry the machine's file lists
	if err != nil {
		return cli.Failure("setup --system: %s: %v", config.SystemPath(), err)
	}
	if skel == "" {
		_, _ = fmt.Fprintln(st.Out, "This system has no profile skeleton setup may write (macOS keeps its user template under System Integrity Protection): each user's Docker is set up by the login script, docker acrcheck setup --system-registries (docs/deploy.md).")
	} else if err := applyTargets(st, withChanges([]target{{client: clientDocker, path: skel}}, hosts, hooks), hosts, dryRun, hooks); err != nil {
		return err
	}
	warnNotInstalledForAll(st)
	if !dryRun {
		_, _ = fmt.Fprintln(st.Out, "New users start with this setup; users who already have a Docker config.json get it from the login script: docker acrcheck setup --system-registries")
	}
	return nil
}

// writeSystemConfig adds hosts to the machine's configuration and makes its folder and file writable by
// administrators only (on Windows: Administrators the owner, users read-only, nothing inherited from
// %ProgramData%, whose users may create files). It returns the registries the file lists.
func writeSystemConfig(st cli.Streams, hosts []string, dryRun bool) ([]string, error) {
	path := config.SystemPath()
	before, after, err := config.WithRegistries(path, hosts)
	if err != nil {
		return nil, cli.Failure("setup --system: %s: %v; fix the file first, nothing was changed", path, err)
	}
	var listed struct{ Registries []string }
	_ = json.Unmarshal(after, &listed) // WithRegistries checked it
	switch {
	case before == nil && len(hosts) == 0:
		return nil, nil // no file and nothing to put in one
	case string(before) == string(after):
		_, _ = fmt.Fprintf(st.Out, "%s already lists these registries; nothing to change.\n", path)
		return listed.Registries, secureSystemConfig(path, dryRun)
	case dryRun:
		_, _ = fmt.Fprintf(st.Out, "Would change %s:\n%s", path, lineDiff(string(before), string(after)))
		return listed.Registries, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, systemWriteError(path, err)
	}
	if err := atomicfile.Write(path, after, 0o644); err != nil {
		return nil, systemWriteError(path, err)
	}
	_, _ = fmt.Fprintf(st.Out, "Updated %s: every user's helper answers for %s.\n", path, strings.Join(listed.Registries, ", "))
	return listed.Registries, secureSystemConfig(path, dryRun)
}

// secureSystemConfig makes the existing file and its folder writable by administrators only (Windows).
func secureSystemConfig(path string, dryRun bool) error {
	if dryRun {
		return nil
	}
	for p, isDir := range map[string]bool{filepath.Dir(path): true, path: false} {
		if err := winacl.SecureMachineFile(p, isDir); err != nil {
			return cli.Failure("setup --system: %v", err)
		}
	}
	return nil
}

func systemWriteError(path string, err error) error {
	fix := "run it as root: sudo docker acrcheck setup --system REGISTRY..."
	if runtime.GOOS == "windows" {
		fix = "run it from an elevated prompt (Run as administrator), or as SYSTEM from Intune or Group Policy"
	}
	if errors.Is(err, os.ErrPermission) {
		return cli.Failure("setup --system: cannot write %s: permission denied, nothing was changed. Fix: %s", path, fix)
	}
	return cli.Failure("setup --system: cannot write %s: %v; nothing was changed", path, err)
}

// undoSystem takes back setup's changes to the profile skeleton; the machine's configuration is the
// administrator's file and is left as it is.
func undoSystem(st cli.Streams, skel string, args []string) error {
	if len(args) > 0 {
		return cli.UsageError("--undo takes no registry")
	}
	if skel != "" {
		if err := undoTargets(st, []target{{client: clientDocker, path: skel}}); err != nil {
			return err
		}
	}
	_, _ = fmt.Fprintf(st.Out, "%s is left as it is: remove the registries from it by hand.\n", config.SystemPath())
	return nil
}
