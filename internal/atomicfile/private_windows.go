//go:build windows

package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/acrdiag/acrdiag/internal/winacl"
)

// createPrivate is os.CreateTemp with the private security descriptor given to CreateFile, so that the file
// is never readable by others, not even empty; the rename over the target keeps it.
func createPrivate(dir, pattern string) (*os.File, error) {
	sa, err := winacl.PrivateAttributes()
	if err != nil {
		return nil, err
	}
	prefix, suffix, _ := strings.Cut(pattern, "*")
	for range 10 {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := filepath.Join(dir, prefix+hex.EncodeToString(b)+suffix)
		p, err := windows.UTF16PtrFromString(name)
		if err != nil {
			return nil, err
		}
		h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE|windows.DELETE, 0, sa,
			windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
		if errors.Is(err, windows.ERROR_FILE_EXISTS) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "create", Path: name, Err: err}
		}
		return os.NewFile(uintptr(h), name), nil
	}
	return nil, &os.PathError{Op: "create", Path: filepath.Join(dir, pattern), Err: os.ErrExist}
}
