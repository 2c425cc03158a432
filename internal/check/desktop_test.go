package check

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
)

// TestDesktopStore: which store Docker Desktop's helper uses on each platform, and the backend that must
// be there for docker login to work.
func TestDesktopStore(t *testing.T) {
	home := filepath.FromSlash("/Users/ann")
	for _, tc := range []struct {
		name, goos, keeps, backend string
	}{
		{"desktop", "darwin", "macOS keychain", filepath.Join(home, "Library", "Containers", "com.docker.docker", "Data", "backend.sock")},
		{"desktop", "windows", "Windows Credential Manager", `\\.\pipe\dockerBackendApiServer`},
		{"desktop.exe", "linux", "Windows host", ""},
		{"desktop", "linux", "pass", ""},
	} {
		d := desktopStoreFor(tc.name, tc.goos, home)
		first := ""
		if len(d.Backends) > 0 {
			first = d.Backends[0]
		}
		if !strings.Contains(d.Keeps, tc.keeps) || first != tc.backend {
			t.Errorf("%s on %s: %+v, want %q kept and backend %q", tc.name, tc.goos, d, tc.keeps, tc.backend)
		}
	}
	if !isDesktopHelper("desktop.exe") || isDesktopHelper("wincred") {
		t.Error("isDesktopHelper")
	}
}

// TestDesktopCheck: a missing backend, or a helper error naming it, is docker.desktop_unreachable with
// the store named; a running Docker Desktop leaves the check to the stored credentials.
func TestDesktopCheck(t *testing.T) {
	e := NewEnv(Options{Registry: "corp.azurecr.io"}, config.Config{}, nil)
	win := desktopStoreFor("desktop", "windows", "")
	none := func(string) bool { return false }
	only := func(name string) func(string) bool { return func(p string) bool { return p == name } }
	for _, tc := range []struct {
		name   string
		exists func(string) bool
		err    error
		want   string // the cause, "" for none
	}{
		{"no pipe", none, nil, cause.DockerDesktopUnreachable},
		{"the older pipe", only(`\\.\pipe\dockerWebApiServer`), nil, ""},
		{"the pipe, the helper failing on it", only(`\\.\pipe\dockerBackendApiServer`),
			errors.New(`Post "http://ipc/registry/credstore-updated": open \\.\pipe\dockerBackendApiServer: The system cannot find the file specified.`), cause.DockerDesktopUnreachable},
		{"the pipe, another failure", only(`\\.\pipe\dockerBackendApiServer`), errors.New("exit status 1"), ""},
	} {
		a := StoredAuth{Source: "credsStore: desktop", Helper: "desktop"}
		r, failed := e.desktopCheck(&a, tc.err, win, tc.exists)
		if failed != (tc.want != "") || r.Cause != tc.want {
			t.Errorf("%s: %v %+v, want cause %q", tc.name, failed, r, tc.want)
		}
		if !strings.Contains(a.Source, "Windows Credential Manager") || (failed && (!strings.Contains(r.Summary, "Windows Credential Manager") || r.Fix == "")) {
			t.Errorf("%s: the store is not named: %q, %+v", tc.name, a.Source, r)
		}
	}
}
