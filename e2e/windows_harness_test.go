package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// wineSession runs the Windows builds of the three binaries under wine, as a Windows user whose profile
// path has a space and non-ASCII letters (scripts/wintest.sh makes the prefix for USER="Jürgen Müller"),
// installed in a folder with both too. Only loopback: the kit's proxy and CA, nothing else.
type wineSession struct {
	*session
	wine, prefix string
	bin          string // where the .exe files are, side by side as the Scoop package installs them
	profile      string // the user's profile folder, as a Linux path
}

func newWineSession(t *testing.T, kit *acrtest.Kit) *wineSession {
	t.Helper()
	wine, prefix := os.Getenv("WINE_EXEC"), os.Getenv("WINEPREFIX")
	if wine == "" || prefix == "" {
		t.Skip("the Windows binaries run under wine through make wintest (scripts/wintest.sh prepares the wine prefix)")
	}
	w := &wineSession{session: newSession(t, kit), wine: wine, prefix: prefix,
		bin:     filepath.Join(t.TempDir(), "Program Files", "acrdiag Ünïcode"),
		profile: filepath.Join(prefix, "drive_c", "users", os.Getenv("USER"))}
	_, here, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", w.bin+string(os.PathSeparator), "./cmd/...", "./e2e/testdata/wintrust")
	build.Dir = filepath.Join(filepath.Dir(here), "..")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the Windows binaries: %v\n%s", err, out)
	}
	// The Windows binaries' environment: wine's own, the kit's proxy, and the user's profile from wine (no
	// HOME, DOCKER_CONFIG, XDG or ACRDIAG_* paths: the Windows defaults are what is under test).
	w.env = append([]string{
		"WINEPREFIX=" + prefix, "WINEDEBUG=-all", "USER=" + os.Getenv("USER"), "LOGNAME=" + os.Getenv("USER"),
		"LANG=C.UTF-8",                                                           // wine decodes paths and arguments in the locale's charset
		"PATH=" + os.Getenv("PATH"), "IDENTITY_ENDPOINT=" + kit.IdentityEndpoint, // a managed identity probe stays on loopback
	}, kit.Env()...)
	w.mustRun("", wine, filepath.Join(w.bin, "wintrust.exe"), winPath(kit.CAPath)) // SSL_CERT_FILE is Unix only
	return w
}

// exe runs one of the Windows binaries.
func (w *wineSession) exe(stdin, name string, args ...string) result {
	w.t.Helper()
	r := w.run(stdin, w.wine, append([]string{filepath.Join(w.bin, name+".exe")}, args...)...)
	if name == "docker-credential-acrdiag" && len(args) == 1 && args[0] == "get" {
		w.outputs = w.outputs[:len(w.outputs)-1] // the protocol answer, the one place a secret belongs
	}
	return r
}

// appData is %AppData% or %LocalAppData% joined with elem, as a Linux path.
func (w *wineSession) appData(local bool, elem ...string) string {
	dir := "Roaming"
	if local {
		dir = "Local"
	}
	return filepath.Join(append([]string{w.profile, "AppData", dir}, elem...)...)
}

// writeFile writes a file of the Windows machine, creating its folder.
func (w *wineSession) writeFile(path, content string) {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// winPath is a Linux path as wine's Windows programs see it (Z: is /).
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// mustGet is a helper get answer, or the test's end.
func (w *wineSession) mustGet(host string) (user, secret string) {
	w.t.Helper()
	r := w.exe(host, "docker-credential-acrdiag", "get")
	user, secret, err := getAnswer(r)
	if err != nil {
		w.t.Fatalf("%v\n%s", err, r)
	}
	return user, secret
}
