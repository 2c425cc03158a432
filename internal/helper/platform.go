package helper

import (
	"os/exec"
	"runtime"
)

// Platform is what choosing and reaching a credential store asks of the machine: its OS, whether a
// docker-credential-<name> program is installed, and the store behind one. The decisions made from it
// (which store, the secret size it keeps, what a locked keychain means) are the same code on every OS, so
// tests take the macOS and Windows paths on Linux through a fake platform and keychain.
type Platform interface {
	GOOS() string
	// Installed says whether docker-credential-<name> can be run (and, for pass, pass itself).
	Installed(name string) bool
	// Keychain is the store behind docker-credential-<name>.
	Keychain(name string) Store
}

// WithPlatform sets the machine the helper chooses its backing store on (tests: a fake keychain).
func WithPlatform(p Platform) Option { return func(h *Helper) { h.platform = p } }

// hostPlatform is this machine: its programs on PATH, reached the way Docker reaches them.
type hostPlatform struct{}

func (hostPlatform) GOOS() string { return runtime.GOOS }

func (hostPlatform) Installed(name string) bool {
	if name == "pass" {
		if _, err := exec.LookPath("pass"); err != nil {
			return false
		}
	}
	_, err := exec.LookPath("docker-credential-" + name)
	return err == nil
}

func (hostPlatform) Keychain(name string) Store { return NativeStore{Name: name} }

// platformStore is the keychain Docker would use on this machine when credsStore is not set, if its program
// is installed (docker/cli's default_store rules); "" when there is none.
func platformStore(p Platform) string {
	var candidates []string
	switch p.GOOS() {
	case "darwin":
		candidates = []string{"osxkeychain"}
	case "windows":
		candidates = []string{"wincred"}
	default:
		candidates = []string{"pass", "secretservice"}
	}
	for _, name := range candidates {
		if p.Installed(name) {
			return name
		}
	}
	return ""
}
