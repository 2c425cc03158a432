//go:build windows

package winacl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

func currentUser(t *testing.T) string {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	return u.User.Sid.String()
}

// TestSecureMachineFile: a configuration folder and file as setup --system leaves them (Administrators
// the owner, users may only read) pass CheckMachineFile, and read back as that descriptor.
func TestSecureMachineFile(t *testing.T) {
	dir := filepath.Join(testfs.TempDir(t), "acrdiag")
	path := filepath.Join(dir, "config.json")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for p, isDir := range map[string]bool{dir: true, path: false} {
		if err := SecureMachineFile(p, isDir); err != nil {
			t.Fatal(err)
		}
		d, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if d.Owner != SIDAdministrators && d.Owner == currentUser(t) {
			// wine keeps no descriptor of a file: it derives one from the Unix owner and mode, whatever was set
			t.Skipf("this Windows did not keep the descriptor set on %s (owner still %s): wine derives them from Unix modes", p, d.Owner)
		}
		if d.Owner != SIDAdministrators || len(d.DACL) != 3 {
			t.Errorf("%s: owner %s, DACL %+v; want Administrators and three entries", p, d.Owner, d.DACL)
		}
	}
	if err := CheckMachineFile(path); err != nil {
		t.Errorf("a secured configuration: %v", err)
	}
}

// TestCheckMachineFileRefusesAUsersFolder: a folder the current (ordinary) user owns, as one a user made
// in %ProgramData% before the administrator, is refused with the fix.
func TestCheckMachineFileRefusesAUsersFolder(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, trusted := trustedWriters[d.Owner]; trusted {
		t.Skipf("the temporary folder is owned by %s here: no ordinary user's folder to check", DefaultName(d.Owner))
	}
	var ue *UnsafeError
	if err := CheckMachineFile(path); !errors.As(err, &ue) || !strings.Contains(err.Error(), "is owned by") || !strings.Contains(err.Error(), "icacls") {
		t.Errorf("a user's folder: %v; want it refused with the fix", err)
	}
}
