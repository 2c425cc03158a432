package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestReadSmallRefusesWhatIsPlanted: a file of the size asked is read; a bigger one, a directory, a named
// pipe and (unless links are followed) a link are refused without being read.
func TestReadSmallRefusesWhatIsPlanted(t *testing.T) {
	dir := testfs.TempDir(t)
	small, big, link, pipe := filepath.Join(dir, "small"), filepath.Join(dir, "big"), filepath.Join(dir, "link"), filepath.Join(dir, "pipe")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(f.Truncate(4<<30), f.Close()); err != nil { // sparse: costs nothing unless read
		t.Fatal(err)
	}
	links := testfs.Symlink(small, link) == nil // where links cannot be made, the rest still runs
	if b, err := ReadSmall(small, 5, false); err != nil || string(b) != "12345" {
		t.Errorf("small: %q, %v", b, err)
	}
	if b, err := ReadSmall(link, 5, true); links && (err != nil || string(b) != "12345") {
		t.Errorf("link followed: %q, %v", b, err)
	}
	type unfit struct {
		path   string
		max    int64
		follow bool
	}
	cases := map[string]unfit{"one byte too many": {small, 4, false}, "4 GB": {big, 1 << 20, false}, "a directory": {dir, 1 << 20, true}}
	if links {
		cases["a link"] = unfit{link, 5, false}
	}
	for name, tc := range cases {
		var ue *UnfitError
		if _, err := ReadSmall(tc.path, tc.max, tc.follow); !errors.As(err, &ue) || !errors.Is(err, ErrUnfit) {
			t.Errorf("%s: %v, want an UnfitError", name, err)
		}
	}
	if err := mkfifo(pipe); err == nil {
		if _, err := ReadSmall(pipe, 1<<20, true); !errors.Is(err, ErrUnfit) {
			t.Errorf("a named pipe: %v", err)
		}
	}
	if _, err := ReadSmall(filepath.Join(dir, "none"), 5, false); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
