package helper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/acrdiag/acrdiag/internal/registry"
	"github.com/acrdiag/acrdiag/internal/token"
)

// renewerName is the binary that does the Entra and exchange work for the helper: the acrdiag engine.
const renewerName = "acrdiag"

// execRenewer runs `acrdiag renew HOST`. Keeping azidentity and net/http out of the helper
// makes the cached answer, by far the most frequent, nearly as cheap as starting a process.
type execRenewer struct{}

func (execRenewer) Renew(ctx context.Context, ls registry.LoginServer) (token.RenewResult, error) {
	path, err := findRenewer()
	if err != nil {
		return token.RenewResult{}, err
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, token.RenewCommand, ls.Host)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	runErr := cmd.Run()
	var res token.RenewResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if runErr == nil {
			runErr = err
		}
		return token.RenewResult{}, fmt.Errorf("run %s %s: %w %s", path, token.RenewCommand, runErr, bytes.TrimSpace(stderr.Bytes()))
	}
	return res, nil
}

// findRenewer looks for the acrdiag engine: ACRDIAG_ENGINE, beside the helper (or its symlink's target), in
// the user's and the system's Docker CLI plugin directories, then on PATH.
func findRenewer() (string, error) {
	if p := os.Getenv("ACRDIAG_ENGINE"); p != "" {
		return p, nil
	}
	exe := renewerName
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	var dirs []string
	if self, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(self))
		if real, err := filepath.EvalSymlinks(self); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	if dc := os.Getenv("DOCKER_CONFIG"); dc != "" {
		dirs = append(dirs, filepath.Join(dc, "cli-plugins"))
	} else if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".docker", "cli-plugins"))
	}
	if runtime.GOOS == "windows" {
		dirs = append(dirs, filepath.Join(os.Getenv("ProgramFiles"), "Docker", "cli-plugins"))
	} else {
		dirs = append(dirs, "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
			"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")
	}
	for _, d := range dirs {
		p := filepath.Join(d, exe)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(exe); err == nil {
		return p, nil
	}
	return "", errors.New("the acrdiag engine, which gets tokens for the helper, is not installed beside it, in a Docker CLI plugin directory or on PATH; install the acrdiag package (or set ACRDIAG_ENGINE)")
}
