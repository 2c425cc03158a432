package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrUnfit is what an UnfitError is: a file that is not a regular file of at most the size asked.
var ErrUnfit = errors.New("not a regular file of the expected size")

// UnfitError is a file ReadSmall did not read, or did not read to its end: not a regular file (a
// directory, a device, a named pipe, a link when links are not followed), or bigger than asked.
type UnfitError struct {
	Path      string
	Mode      os.FileMode
	Size, Max int64
}

func (e *UnfitError) Error() string {
	if !e.Mode.IsRegular() {
		return e.Path + " is not a regular file"
	}
	return fmt.Sprintf("%s is %d bytes, more than %d", e.Path, e.Size, e.Max)
}

// Is makes errors.Is(err, ErrUnfit) true.
func (e *UnfitError) Is(target error) bool { return target == ErrUnfit }

// ReadSmall reads a state or configuration file of at most max bytes, deciding from its metadata before
// reading anything: what is planted in its place (a directory, a device or pipe that would block, a huge
// sparse file, a link unless followLinks) is an *UnfitError and costs nothing. A missing file is the
// os.Stat error (errors.Is os.ErrNotExist).
func ReadSmall(path string, max int64, followLinks bool) ([]byte, error) {
	stat := os.Lstat
	if followLinks {
		stat = os.Stat
	}
	st, err := stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > max {
		return nil, &UnfitError{Path: path, Mode: st.Mode(), Size: st.Size(), Max: max}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if fst, err := f.Stat(); err != nil || !os.SameFile(st, fst) {
		return nil, &UnfitError{Path: path, Mode: os.ModeIrregular, Max: max} // swapped since the stat
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &UnfitError{Path: path, Mode: st.Mode(), Size: int64(len(b)), Max: max}
	}
	return b, nil
}
