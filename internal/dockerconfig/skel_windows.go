//go:build windows

package dockerconfig

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows/registry"
)

// skeletonHome is the Default profile Windows copies for a user's first sign-in: the ProfileList's Default
// value (C:\Users\Default unless the image moved it).
func skeletonHome() string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList`, registry.QUERY_VALUE)
	if err == nil {
		defer func() { _ = k.Close() }()
		if v, _, err := k.GetStringValue("Default"); err == nil && v != "" {
			if expanded, err := registry.ExpandString(v); err == nil {
				return expanded
			}
		}
	}
	return filepath.Join(os.Getenv("SystemDrive")+`\`, "Users", "Default")
}
