//go:build !windows

package testfs

import "testing"

// TempDir is tb.TempDir: removing a tree works on Unix.
func TempDir(tb testing.TB) string {
	tb.Helper()
	return tb.TempDir()
}
