package winacl

import "fmt"

// UnsafeError is a machine configuration file, or its folder, that someone other than an administrator
// could have written: acrdiag does not use it, and says how to fix it.
type UnsafeError struct {
	Path    string // the file or folder whose security is wrong
	Problem string
	Dir     string // the configuration's folder, where the fix applies
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("%s %s, so another user could have written it, and acrdiag ignores the machine configuration. Fix, from an elevated prompt once you have checked what it holds: %s",
		e.Path, e.Problem, FixCommand(e.Dir))
}

// FixCommand makes a machine configuration folder and what it holds safe, in acrdiag's words and in
// icacls's (PowerShell or cmd).
func FixCommand(dir string) string {
	return fmt.Sprintf(`docker acrcheck setup --system; or: icacls "%s" /setowner *%s /T; icacls "%s" /inheritance:r /grant:r "*%s:(OI)(CI)F" "*%s:(OI)(CI)F" "*%s:(OI)(CI)RX" /T`,
		dir, SIDAdministrators, dir, SIDSystem, SIDAdministrators, SIDUsers)
}
