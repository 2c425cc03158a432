package lastfailure

import (
	"os"
	"path/filepath"
	"time"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
	"github.com/acrdiag/acrdiag/internal/cachedir"
)

// activityFile names the registry the helper answered for last, so that the CLI hook can tell which
// registry a failed command was about when the error does not say.
const activityFile = "last-registry"

// maxHostSize bounds the file: a login server is at most 253 bytes.
const maxHostSize = 300

// activityRefresh is how often a repeated call for the same registry refreshes the record.
const activityRefresh = 30 * time.Second

// NoteActivity records that the helper was asked about host. It is on the helper's hot path: no sync;
// losing it costs only a less specific hint.
func NoteActivity(dir, host string) {
	if dir == "" {
		return
	}
	p := filepath.Join(dir, activityFile)
	if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) < activityRefresh && st.Size() == int64(len(host)) {
		if b, err := os.ReadFile(p); err == nil && string(b) == host {
			return // a burst of calls for one registry writes once
		}
	}
	if cachedir.Prepare(dir) != nil {
		return // the token cache has said why once; a hint is not worth a second line
	}
	// replaced, never written through: a link planted in its place must not redirect the write
	_ = atomicfile.Replace(p, []byte(host), 0o600)
}

// RecentActivity returns the registry the helper was last asked about, if that was within d.
func RecentActivity(dir string, d time.Duration) (string, bool) {
	p := filepath.Join(dir, activityFile)
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() || time.Since(st.ModTime()) > d {
		return "", false
	}
	b, err := atomicfile.ReadSmall(p, maxHostSize, false)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}
