package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestWritePrivate: the file holds the data, replaces what was there, leaves no temporary file, and is
// private to its user (0600 here; the DACL on Windows: TestWritePrivateACL).
func TestWritePrivate(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "credentials.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePrivate(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "new" {
		t.Errorf("content %q, %v", b, err)
	}
	testfs.WantPerm(t, path, 0o600)
	if names, _ := filepath.Glob(filepath.Join(dir, ".credentials.json.tmp-*")); len(names) > 0 {
		t.Errorf("temporary files left behind: %v", names)
	}
}
