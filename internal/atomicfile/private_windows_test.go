//go:build windows

package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/winacl"
)

// TestWritePrivateACL: the file WritePrivate leaves over an ordinary one grants the user, SYSTEM and
// Administrators alone: nothing for Users or Everyone, nothing inherited from its folder.
func TestWritePrivateACL(t *testing.T) {
	path := filepath.Join(testfs.TempDir(t), "credentials.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePrivate(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	d, err := winacl.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly these three on Windows; wine derives descriptors from the Unix mode (0600: the user and SYSTEM).
	allowed := map[string]bool{user.User.Sid.String(): true, winacl.SIDSystem: true, winacl.SIDAdministrators: true}
	if d.NullDACL || len(d.DACL) == 0 {
		t.Fatal("no DACL: everyone may read the file")
	}
	userGranted := false
	for _, a := range d.DACL {
		if a.Allow && !allowed[a.SID] {
			t.Errorf("entry %+v grants someone other than the user, SYSTEM and Administrators", a)
		}
		userGranted = userGranted || a.Allow && a.SID == user.User.Sid.String()
	}
	if !userGranted {
		t.Errorf("DACL %+v does not grant the user", d.DACL)
	}
}
