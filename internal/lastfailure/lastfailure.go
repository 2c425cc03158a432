package lastfailure

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cachedir"
	"github.com/acrdiag/acrdiag/internal/cause"
)

// FileName is the record's name in the cache directory.
const FileName = "last-failure.json"

// keep is how many records the file holds, newest first.
const keep = 20

// Record is one failure. It never holds a secret.
type Record struct {
	Time   time.Time `json:"time"`
	Host   string    `json:"host"`
	Action string    `json:"action"` // get, store, erase
	Cause  string    `json:"cause"`  // an id of the cause catalogue
	Detail string    `json:"detail"` // one line: what happened
}

// Add prepends r to the record file in dir.
func Add(dir string, r Record) error {
	r.Detail = cause.Redact(r.Detail)
	if len(r.Detail) > 1000 {
		r.Detail = r.Detail[:1000] + "..."
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	if err := cachedir.Prepare(dir); err != nil {
		return err // another user's or a shared directory: a record planted there must not be trusted either
	}
	records, err := Read(dir)
	var fe *FileError
	if errors.As(err, &fe) && !strings.HasPrefix(fe.Reason, "is corrupt") {
		return err // a directory, a huge or unreadable file: not ours to replace
	} // a corrupt record is replaced by the new one
	records = append([]Record{r}, records...)
	if len(records) > keep {
		records = records[:keep]
	}
	b, err := json.MarshalIndent(records, "", "  ")
	if err != nil {
		return err
	}
	// replaced without a sync: a record lost to a power cut costs only a less specific explanation
	return atomicfile.Replace(filepath.Join(dir, FileName), b, 0o600)
}

// maxFileSize bounds the record file: 20 records of at most a kilobyte of detail. A bigger file is not
// acrdiag's, and reading it would slow the hook after every failed command.
const maxFileSize = 256 << 10

// FileError is a record file that cannot be used: not a regular file, too big, unreadable or corrupt.
type FileError struct {
	Path   string
	Reason string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("the failure record %s %s; remove it (rm -rf %q) and the helper starts a new one", e.Path, e.Reason, e.Path)
}

// Read returns the records in dir, newest first; none when there is no file. A file that cannot be used
// is a *FileError that names it and the fix.
func Read(dir string) ([]Record, error) {
	path := filepath.Join(dir, FileName)
	b, err := atomicfile.ReadSmall(path, maxFileSize, false)
	var unfit *atomicfile.UnfitError
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case errors.As(err, &unfit) && !unfit.Mode.IsRegular():
		return nil, &FileError{path, "is not a regular file"}
	case errors.As(err, &unfit):
		return nil, &FileError{path, fmt.Sprintf("is %d bytes, more than a failure record can be", unfit.Size)}
	case err != nil:
		return nil, &FileError{path, "cannot be read: " + err.Error()}
	}
	var records []Record
	if err := json.Unmarshal(b, &records); err != nil {
		return nil, &FileError{path, "is corrupt (" + err.Error() + ")"}
	}
	return records, nil
}

// Last returns the newest record for host ("" for any host).
func Last(dir, host string) (Record, bool) {
	records, _ := Read(dir)
	for _, r := range records {
		if host == "" || r.Host == host {
			return r, true
		}
	}
	return Record{}, false
}
