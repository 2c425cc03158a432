package config

import (
	"errors"
	"os"

	"github.com/acrdiag/acrdiag/internal/winacl"
)

// readSystemFile reads the machine's configuration. At its default place on Windows it must be one only
// administrators could have written: any user may create folders in %ProgramData%, and a file planted there
// before an administrator writes one would add login-server suffixes (tokens sent to the planter's host)
// or lock every user's choices. A file the environment names (ACRDIAG_SYSTEM_CONFIG) is that environment's
// choice, as ACRDIAG_CONFIG is; on Unix, /etc is root's.
func readSystemFile(path string) (*Config, error) {
	if os.Getenv("ACRDIAG_SYSTEM_CONFIG") == "" {
		if _, err := os.Stat(path); err == nil {
			if err := winacl.CheckMachineFile(path); err != nil {
				var ue *winacl.UnsafeError
				if !errors.As(err, &ue) {
					err = errors.New("cannot check who may write it: " + err.Error())
				}
				return nil, &FileError{Path: path, Err: err}
			}
		}
	}
	return readFile(path)
}
