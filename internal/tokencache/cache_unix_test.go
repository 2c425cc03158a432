//go:build unix

package tokencache

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestOpenFileCacheRefusesUnsafeDirectories: a cache directory that another user owns or that group or
// others may write is not used (no cache, never a failure), and the user is told once, with the fix; a
// directory acrdiag creates is 0700 whatever the umask.
func TestOpenFileCacheRefusesUnsafeDirectories(t *testing.T) {
	var warned bytes.Buffer
	Warnings = &warned
	t.Cleanup(func() { Warnings = os.Stderr })

	open := func(t *testing.T, dir string) (Cache, string) {
		t.Helper()
		warned.Reset()
		c, err := OpenFileCache(dir)
		if err != nil && !strings.Contains(warned.String(), err.Error()) {
			t.Errorf("the error %q was not said on stderr (%q)", err, warned.String())
		}
		return c, warned.String()
	}

	t.Run("writable by others", func(t *testing.T) {
		dir := filepath.Join(testfs.TempDir(t), "cache")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(dir, 0o777)
		c, msg := open(t, dir)
		if _, ok := c.(NullCache); !ok {
			t.Errorf("cache = %T, want NullCache for a world-writable directory", c)
		}
		if !strings.HasPrefix(msg, "acrdiag: ") || !strings.Contains(msg, "chmod 700 "+dir) || strings.Count(msg, "\n") != 1 {
			t.Errorf("warning %q, want one acrdiag: line with the fix chmod 700 %s", msg, dir)
		}
		if st, _ := os.Stat(dir); st.Mode().Perm() != 0o777 {
			t.Errorf("a directory acrdiag did not create was changed to %v", st.Mode().Perm())
		}
	})
	t.Run("writable by group", func(t *testing.T) {
		dir := filepath.Join(testfs.TempDir(t), "cache")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(dir, 0o770)
		if c, msg := open(t, dir); c != (NullCache{}) || !strings.Contains(msg, "chmod 700") {
			t.Errorf("group-writable: %T %q", c, msg)
		}
	})
	t.Run("owned by another user, really", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("chown to another user needs root")
		}
		dir := testfs.TempDir(t)
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Skip("chown:", err)
		}
		if c, msg := open(t, dir); c != (NullCache{}) || !strings.Contains(msg, "uid 65534") {
			t.Errorf("a directory of uid 65534: %T %q", c, msg)
		}
	})
	t.Run("created by acrdiag", func(t *testing.T) {
		old := syscall.Umask(0o277) // a umask that would leave the directory unwritable
		defer syscall.Umask(old)
		dir := filepath.Join(testfs.TempDir(t), "acrdiag")
		c, msg := open(t, dir)
		if _, ok := c.(*FileCache); !ok || msg != "" {
			t.Errorf("new directory: %T %q", c, msg)
		}
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("new cache directory mode %v (%v), want 0700", st.Mode().Perm(), err)
		}
	})
	t.Run("a private directory of the user", func(t *testing.T) {
		if c, msg := open(t, testfs.TempDir(t)); msg != "" {
			t.Errorf("a 0700 directory of the user: %T %q", c, msg)
		}
	})
}
