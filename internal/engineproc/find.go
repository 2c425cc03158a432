package engineproc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Name is the engine's binary name.
const Name = "acrdiag"

// ErrNotFound says where the engine was looked for and how to fix its absence.
var ErrNotFound = errors.New("the acrdiag engine, which runs the diagnosis and gets tokens, is not installed beside this binary, " +
	"in a Docker CLI plugin directory or on PATH; install the acrdiag package (or set ACRDIAG_ENGINE)")

// Find looks for the engine: ACRDIAG_ENGINE, beside this binary (or its symlink's target), in the user's
// and the system's Docker CLI plugin directories, then on PATH.
func Find() (string, error) {
	if p := os.Getenv("ACRDIAG_ENGINE"); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", &envError{path: p}
		}
		return p, nil
	}
	exe := Name
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
	dirs = append(dirs, SystemPluginDirs()...)
	for _, d := range dirs {
		p := filepath.Join(d, exe)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(exe); err == nil {
		return p, nil
	}
	return "", ErrNotFound
}

// envError is an ACRDIAG_ENGINE that names no file: the engine is missing all the same.
type envError struct{ path string }

func (e *envError) Error() string {
	return "ACRDIAG_ENGINE names " + e.path + ", which is not a file; point it at the acrdiag binary, or unset it to find acrdiag beside this binary or on PATH"
}

func (e *envError) Is(target error) bool { return target == ErrNotFound }

// SystemPluginDirs are where the docker CLI looks for the plugins of every user (docker/cli's
// defaultSystemPluginDirs); ~/.docker/cli-plugins serves one user only.
func SystemPluginDirs() []string {
	if runtime.GOOS == "windows" {
		return []string{filepath.Join(os.Getenv("ProgramFiles"), "Docker", "cli-plugins")}
	}
	return []string{"/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
		"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"}
}
