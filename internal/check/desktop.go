package check

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// desktopStore is what the diagnosis knows of Docker Desktop's credential helper: where it keeps
// credentials, and the backend it tells about each change (docker login fails when that is missing).
type desktopStore struct {
	Keeps    string   // where the credentials are
	Backends []string // the socket or pipes Docker Desktop listens on; empty: not checkable from here
}

// isDesktopHelper: credsStore "desktop" (Windows, macOS, Linux desktop) or "desktop.exe" (WSL).
func isDesktopHelper(name string) bool { return name == "desktop" || name == "desktop.exe" }

// desktopStoreFor describes Docker Desktop's helper named name on goos. The backend paths are the ones
// its errors name: backend.sock on macOS (docker-credential-helpers#240), \\.\pipe\dockerBackendApiServer
// (and the older dockerWebApiServer) on Windows (docker/for-win#10580, docker-credential-helpers#213).
func desktopStoreFor(name, goos, home string) desktopStore {
	switch {
	case name == "desktop.exe":
		return desktopStore{Keeps: "the Windows Credential Manager of the Windows host, through Docker Desktop's WSL integration"}
	case goos == "darwin":
		return desktopStore{Keeps: "the macOS keychain, through Docker Desktop",
			Backends: []string{filepath.Join(home, "Library", "Containers", "com.docker.docker", "Data", "backend.sock")}}
	case goos == "windows":
		return desktopStore{Keeps: "the Windows Credential Manager, through Docker Desktop",
			Backends: []string{`\\.\pipe\dockerBackendApiServer`, `\\.\pipe\dockerWebApiServer`}}
	}
	return desktopStore{Keeps: "Docker Desktop's store (pass on Linux)"}
}

// reachable says whether Docker Desktop listens on one of the backends, and the first one to name when
// not; true when there is nothing to check.
func (d desktopStore) reachable(exists func(string) bool) (bool, string) {
	if len(d.Backends) == 0 {
		return true, ""
	}
	for _, b := range d.Backends {
		if exists(b) {
			return true, ""
		}
	}
	return false, d.Backends[0]
}

// localDesktopStore is desktopStoreFor this machine.
func localDesktopStore(name string) desktopStore {
	home, _ := os.UserHomeDir()
	return desktopStoreFor(name, runtime.GOOS, home)
}

// desktopCheck names the store Docker Desktop's helper uses in a.Source, and fails when Docker Desktop does
// not listen on its backend, or the helper's error says it could not reach it.
func (e *Env) desktopCheck(a *StoredAuth, getErr error, d desktopStore, exists func(string) bool) (Result, bool) {
	a.Source += " (kept in " + d.Keeps + ")"
	if ok, backend := d.reachable(exists); !ok {
		return e.fail(cause.DockerDesktopUnreachable, fmt.Sprintf("%s, but Docker Desktop does not listen on %s", a.Source, backend),
			"Docker Desktop is not running, or an update left it half-started: docker login fails until it is back"), true
	}
	if getErr != nil && mentionsBackend(getErr.Error()) {
		return e.fail(cause.DockerDesktopUnreachable, a.Source+", and its helper cannot reach Docker Desktop", cause.Summarize(getErr.Error())), true
	}
	return Result{}, false
}

func mentionsBackend(s string) bool {
	for _, m := range []string{"backend.sock", "ApiServer", "http://ipc/"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// desktopMissingHint is why Docker Desktop's helper may be missing: most often Docker Desktop was removed,
// or on WSL its integration is off.
func desktopMissingHint(helper string) string {
	if !isDesktopHelper(helper) {
		return ""
	}
	return " (Docker Desktop was uninstalled or is mid-update, or on WSL its integration for this distribution is off; without Docker Desktop remove \"credsStore\" from config.json)"
}
