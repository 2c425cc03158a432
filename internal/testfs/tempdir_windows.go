//go:build windows

package testfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TempDir is a new directory removed when the test ends. testing's own TempDir fails the test when
// os.RemoveAll does, and under wine it always does ("Invalid function": wine lacks the POSIX-semantics
// delete RemoveAll uses), while os.Remove of one entry works: so the tree is removed entry by entry,
// deepest first, when RemoveAll fails.
func TempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", safeName(tb.Name()))
	if err != nil {
		tb.Fatalf("creating a temporary directory: %v", err)
	}
	tb.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			tb.Errorf("removing the temporary directory %s: %v", dir, err)
		}
	})
	return dir
}

func removeTree(dir string) error {
	if os.RemoveAll(dir) == nil {
		return nil
	}
	var paths []string
	walkErr := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	slices.Reverse(paths) // children before their directory
	errs := []error{walkErr}
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// safeName is a test name usable as a file name prefix (subtests have slashes, fuzz seeds '#').
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|# `, r) {
			return '_'
		}
		return r
	}, name)
}
