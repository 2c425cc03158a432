package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestLockNeverFollowsALink: a link planted where the lock file goes is replaced, its target never created;
// a directory there is an error, not a lock.
func TestLockNeverFollowsALink(t *testing.T) {
	dir := testfs.TempDir(t)
	victim := filepath.Join(testfs.TempDir(t), "victim")
	path := filepath.Join(dir, "x.lock")
	testfs.SymlinkOrSkip(t, victim, path)
	unlock, err := Lock(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if _, err := os.Lstat(victim); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock created the link's target (%v)", err)
	}
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		t.Errorf("the lock file is not a regular file: %v", err)
	}
	sub := filepath.Join(dir, "d.lock")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(sub, time.Second); err == nil {
		t.Error("a directory was taken as a lock file")
	}
}
