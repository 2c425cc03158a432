package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestWriteReplacesAFileHeldOpen: Windows refuses to replace a file another program holds open (os.Open
// does not share delete access); Write waits until it is closed.
func TestWriteReplacesAFileHeldOpen(t *testing.T) {
	dir := testfs.TempDir(t)
	path := filepath.Join(dir, "state.json")
	if err := Write(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(path) // like Docker Desktop or a virus scanner reading it
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = held.Close()
	}()
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatalf("replacing a file held open for 300ms: %v", err)
	}
	if b, err := ReadSmall(path, 10, false); err != nil || string(b) != "new" {
		t.Errorf("content %q, %v", b, err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".state.json.tmp-*")); len(names) > 0 {
		t.Errorf("temporary files left behind: %v", names)
	}
}
