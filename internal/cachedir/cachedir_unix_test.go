//go:build unix

package cachedir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrepare: acrdiag's own directory is made 0700; another user's, a shared one or a file is refused
// with the fix.
func TestPrepare(t *testing.T) {
	if err := Prepare(filepath.Join(t.TempDir(), "new", "acrdiag")); err != nil {
		t.Errorf("a new directory: %v", err)
	}
	shared := t.TempDir()
	_ = os.Chmod(shared, 0o777)
	file := filepath.Join(t.TempDir(), "file")
	_ = os.WriteFile(file, nil, 0o600)
	for dir, fix := range map[string]string{shared: "chmod 700 " + shared, file: "mv " + file} {
		var de *DirError
		if err := Prepare(dir); !errors.As(err, &de) || !strings.Contains(err.Error(), fix) {
			t.Errorf("%s: %v, want the fix %q", dir, err, fix)
		}
	}
	real := geteuid
	geteuid = func() int { return real() + 1 } // as if another user ran the helper
	t.Cleanup(func() { geteuid = real })
	if err := Prepare(t.TempDir()); err == nil || !strings.Contains(err.Error(), "sudo chown") {
		t.Errorf("another user's directory: %v", err)
	}
}
