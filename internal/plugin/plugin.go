package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/docker/cli/cli-plugins/metadata"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/version"
)

// The Docker CLI plugin protocol with docker/cli's own types (cli-plugins/metadata and hooks, which add no
// package to this binary) but not its plugin framework, which would add its start-up cost to the metadata
// call and the hook that the CLI runs around every hooked command.

// WriteMetadata answers the docker CLI's metadata call (metadata.MetadataSubcommandName).
func WriteMetadata(w io.Writer) error {
	return json.NewEncoder(w).Encode(metadata.Metadata{
		SchemaVersion:    "0.1.0",
		Vendor:           "acrdiag",
		Version:          version.Version,
		ShortDescription: "Diagnose Azure Container Registry logins",
		URL:              "https://github.com/acrdiag/acrdiag",
	})
}

// SplitPluginArgs separates the docker CLI's global flags from the plugin's arguments: the CLI runs
// `docker-acrcheck [GLOBAL FLAGS] acrcheck ARGS`. --config and --host are kept in the environment so that
// setup edits the right config.json and the diagnosis asks the right daemon.
func SplitPluginArgs(args []string) []string {
	i := slices.Index(args, "acrcheck")
	if i < 0 {
		return args // run directly, not through docker
	}
	applyGlobalFlags(args[:i])
	return args[i+1:]
}

// applyGlobalFlags keeps the docker CLI's global flags that matter to the plugin in its environment.
func applyGlobalFlags(global []string) {
	for j := 0; j < len(global); j++ {
		name, value, hasValue := strings.Cut(global[j], "=")
		if !hasValue && j+1 < len(global) {
			value = global[j+1]
		}
		switch name {
		case "--config":
			_ = os.Setenv("DOCKER_CONFIG", value)
		case "-H", "--host":
			_ = os.Setenv("DOCKER_HOST", value)
		case "-c", "--context":
			_ = os.Setenv("DOCKER_CONTEXT", value)
		}
	}
}

// RunEngine runs the engine with the terminal and streams of this process and returns its exit status.
func RunEngine(args []string) int {
	path, err := engineproc.Find()
	if err != nil {
		engineMissing(err.Error())
		return 2
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		engineMissing(fmt.Sprintf("the acrdiag engine %s cannot be run: %v", path, err))
		return 2
	}
	return 0
}

// engineMissing says that the engine is not there (or cannot run), with the fix, as the helper does.
func engineMissing(detail string) {
	_, _ = fmt.Fprintf(os.Stderr, "docker acrcheck: %s. Fix: %s [%s]\n", detail, cause.FixFor(cause.EngineMissing, ""), cause.EngineMissing)
}
