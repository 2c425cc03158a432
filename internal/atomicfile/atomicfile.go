// Package atomicfile writes and reads acrdiag's small files safely. Writes: readers see the old content or
// the new, never a mix, a crash never leaves a half-written file, and both writers replace path itself, so
// a symlink planted there is replaced, never followed. Reads (ReadSmall): what is planted where a file goes
// is refused from its metadata, before anything is read.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to a temporary file beside path, syncs it and renames it over path, so that readers
// see the old content or the new, never a mix.
func Write(path string, data []byte, perm os.FileMode) error { return write(path, data, perm, true) }

// Replace is Write without the sync, for small state files on a hot path where losing the newest
// content in a crash costs nothing but a hint.
func Replace(path string, data []byte, perm os.FileMode) error { return write(path, data, perm, false) }

// WritePrivate is Write for a file only its user may read: mode 0600 on Unix; on Windows a DACL granting
// the user, SYSTEM and Administrators alone, protected from what the folder would pass on, set as the file
// is created, before it holds anything.
func WritePrivate(path string, data []byte) error {
	return writeWith(path, data, 0o600, true, createPrivate)
}

func write(path string, data []byte, perm os.FileMode, sync bool) error {
	return writeWith(path, data, perm, sync, os.CreateTemp)
}

func writeWith(path string, data []byte, perm os.FileMode, sync bool, create func(dir, pattern string) (*os.File, error)) error {
	tmp, err := create(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		_ = tmp.Close()
		return err
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			_ = tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return rename(tmp.Name(), path)
}
