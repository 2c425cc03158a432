package dockerconfig

import (
	"os"
	"path/filepath"
)

// SkeletonPath is the config.json every new user's profile starts with: under ACRDIAG_SKEL_DIR when set
// (images that keep their skeleton elsewhere, and tests), else the platform's skeleton home (/etc/skel on
// Linux, the Default profile on Windows). "" where there is none setup may write: macOS keeps its user
// template under System Integrity Protection.
func SkeletonPath() string {
	dir := os.Getenv("ACRDIAG_SKEL_DIR")
	if dir == "" {
		dir = skeletonHome()
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, ".docker", "config.json")
}
