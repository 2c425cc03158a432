//go:build !unix

package cachedir

import "os"

// checkDirSafe trusts the directory's ACL on platforms without Unix owners and modes (the user's profile
// directory on Windows is private to the user).
func checkDirSafe(string, os.FileInfo) error { return nil }
