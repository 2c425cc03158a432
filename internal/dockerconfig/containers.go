package dockerconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// ContainersAuthPaths are the containers auth.json files (containers-auth.json(5), the file of skopeo,
// podman and buildah, in Docker's format) where a credHelpers entry makes those tools ask acrdiag:
//   - $REGISTRY_AUTH_FILE alone when it is set: the user chose that file, and the tools read it first;
//   - else ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, which lasts (the primary file on Linux is on
//     a tmpfs that a reboot or logout clears), and the primary file too when it exists, because the tools
//     read it first and an entry there (from podman login) would win over the lasting one.
func ContainersAuthPaths() ([]string, error) {
	if p := os.Getenv("REGISTRY_AUTH_FILE"); p != "" {
		return []string{p}, nil
	}
	cfgHome := os.Getenv("XDG_CONFIG_HOME")
	if cfgHome == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("find the home directory for containers' auth.json: %w", err)
		}
		cfgHome = filepath.Join(home, ".config")
	}
	lasting := filepath.Join(cfgHome, "containers", "auth.json")
	paths := []string{lasting}
	if primary := primaryAuthPath(); primary != "" && primary != lasting && fileExists(primary) {
		paths = append(paths, primary)
	}
	return paths, nil
}

// primaryAuthPath is the file podman login writes on Linux: ${XDG_RUNTIME_DIR}/containers/auth.json, or
// /run/containers/UID/auth.json without XDG_RUNTIME_DIR; elsewhere the lasting file is the primary one.
func primaryAuthPath() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "containers", "auth.json")
	}
	return fmt.Sprintf("/run/containers/%d/auth.json", os.Getuid())
}
