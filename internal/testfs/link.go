package testfs

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// ErrNoLinks: this machine cannot make symbolic links. Windows makes them only for administrators or in
// developer mode, and under wine os.Symlink succeeds but leaves no link behind.
var ErrNoLinks = errors.New("no symbolic links on this machine")

// Symlink makes link point at target and checks that a link is what it made.
func Symlink(target, link string) error {
	if err := os.Symlink(target, link); err != nil {
		return fmt.Errorf("%w: %w", ErrNoLinks, err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		_ = os.Remove(link)
		return fmt.Errorf("%w: os.Symlink(%s) reported success but made no link", ErrNoLinks, link)
	}
	return nil
}

// SymlinkOrSkip is Symlink, skipping the test where links cannot be made.
func SymlinkOrSkip(tb testing.TB, target, link string) {
	tb.Helper()
	if err := Symlink(target, link); err != nil {
		tb.Skip(err)
	}
}
