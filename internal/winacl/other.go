//go:build !windows

package winacl

// CheckMachineFile trusts the file's mode where there are no ACLs to check (Unix: root's 0644 file).
func CheckMachineFile(string) error { return nil }

// SecureMachineFile leaves the mode as written where there are no ACLs to set.
func SecureMachineFile(string, bool) error { return nil }
