//go:build unix

package cachedir

import (
	"fmt"
	"os"
	"syscall"
)

// geteuid is the user the cache must belong to (a variable for tests).
var geteuid = os.Geteuid

// checkDirSafe refuses a cache directory that another user owns or that group or others may write: either
// could plant a token for another identity, or swap an entry for a link.
func checkDirSafe(dir string, st os.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		if uid := geteuid(); int(sys.Uid) != uid {
			return &DirError{dir, fmt.Sprintf("belongs to uid %d, not to this user (uid %d)", sys.Uid, uid),
				fmt.Sprintf("sudo chown -R %d %s (or set ACRDIAG_CACHE_DIR to a directory of your own)", uid, dir)}
		}
	}
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		return &DirError{dir, fmt.Sprintf("is writable by group or others (%v), so another user could plant or swap cached tokens", perm),
			"chmod 700 " + dir}
	}
	return nil
}
