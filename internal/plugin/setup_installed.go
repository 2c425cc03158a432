package plugin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/engineproc"
)

// warnNotInstalledForAll says what keeps the setup from working for every user: the plugin in no system
// plugin directory, or the helper on no PATH but this user's.
func warnNotInstalledForAll(st cli.Streams) {
	exe := "docker-acrcheck"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	dirs := engineproc.SystemPluginDirs()
	found := false
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, exe)); err == nil {
			found = true
		}
	}
	if !found {
		fix := fmt.Sprintf("sudo mkdir -p %s && sudo ln -sf \"$(command -v docker-acrcheck)\" %s/", dirs[0], dirs[0])
		if runtime.GOOS == "windows" {
			fix = fmt.Sprintf(`New-Item -ItemType Directory -Force "%s"; Copy-Item (Get-Command docker-acrcheck.exe).Source "%s"`, dirs[0], dirs[0])
		}
		_, _ = fmt.Fprintf(st.Err, "warning: %s is in none of Docker's plugin directories for every user (%s), so other users' docker has no acrcheck and no hook; install it there: %s\n",
			exe, strings.Join(dirs, ", "), fix)
	}
	helper, err := exec.LookPath("docker-credential-acrdiag")
	home, _ := os.UserHomeDir()
	if err == nil && home != "" && strings.HasPrefix(helper, home+string(os.PathSeparator)) {
		_, _ = fmt.Fprintf(st.Err, "warning: docker-credential-acrdiag is found in %s, under your home directory: other users' Docker cannot run it; install the package, which puts it on every user's PATH\n", filepath.Dir(helper))
	}
}
