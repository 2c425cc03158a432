//go:build windows

package winacl

import (
	"errors"
	"fmt"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Read returns the owner and DACL of a file or folder.
func Read(path string) (Descriptor, error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return Descriptor{}, fmt.Errorf("read the security of %s: %w", path, err)
	}
	var d Descriptor
	owner, _, err := sd.Owner()
	if err != nil {
		return Descriptor{}, fmt.Errorf("read the owner of %s: %w", path, err)
	}
	if owner != nil {
		d.Owner = owner.String()
	}
	dacl, _, err := sd.DACL()
	switch {
	case errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND), err == nil && dacl == nil:
		d.NullDACL = true
		return d, nil
	case err != nil:
		return Descriptor{}, fmt.Errorf("read the access control list of %s: %w", path, err)
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return Descriptor{}, fmt.Errorf("read entry %d of the access control list of %s: %w", i, path, err)
		}
		d.DACL = append(d.DACL, entry(ace))
	}
	return d, nil
}

// ACE types whose SID follows the mask (allowed, denied, and their callback forms); the object forms
// carry GUIDs first.
const (
	aceAllowed, aceDenied, aceAllowedCallback, aceDeniedCallback = 0, 1, 9, 10
	aceDeniedObject, aceDeniedCallbackObject                     = 6, 12
)

func entry(ace *windows.ACCESS_ALLOWED_ACE) ACE {
	t := ace.Header.AceType
	a := ACE{
		Allow:       t != aceDenied && t != aceDeniedCallback && t != aceDeniedObject && t != aceDeniedCallbackObject,
		InheritOnly: ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0,
		Mask:        uint32(ace.Mask),
	}
	if t == aceAllowed || t == aceDenied || t == aceAllowedCallback || t == aceDeniedCallback {
		a.SID = (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String()
	}
	return a
}

// accountName is a SID as Windows names it ("CONTOSO\eve (S-1-5-21-...)"), or the well-known name.
func accountName(sid string) string {
	if n := DefaultName(sid); n != sid {
		return n
	}
	s, err := windows.StringToSid(sid)
	if err != nil {
		return sid
	}
	account, domain, _, err := s.LookupAccount("")
	if err != nil {
		return sid
	}
	return fmt.Sprintf(`%s\%s (%s)`, domain, account, sid)
}

// CheckMachineFile refuses a machine configuration file that someone other than an administrator could
// have written: the file itself, or its folder (where another could replace it).
func CheckMachineFile(path string) error {
	for _, p := range []string{filepath.Dir(path), path} {
		d, err := Read(p)
		if err != nil {
			return err
		}
		if problem := d.WriterProblem(accountName); problem != "" {
			return &UnsafeError{Path: p, Problem: problem, Dir: filepath.Dir(path)}
		}
	}
	return nil
}

// The machine configuration's security: owned by Administrators, full control for SYSTEM and
// Administrators, read for Users, nothing inherited from %ProgramData% (whose Users may create files).
const (
	machineDirSDDL  = "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)"
	machineFileSDDL = "O:BAD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FRFX;;;BU)"
)

// SecureMachineFile makes a machine configuration file, or folder, one only administrators may write:
// Administrators its owner and a protected DACL in place of whatever it had (which removes any entry
// another user planted).
func SecureMachineFile(path string, dir bool) error {
	sddl := machineFileSDDL
	if dir {
		sddl = machineDirSDDL
	}
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return fmt.Errorf("build the security of %s: %w", path, err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	info := windows.SECURITY_INFORMATION(windows.OWNER_SECURITY_INFORMATION | windows.DACL_SECURITY_INFORMATION | windows.PROTECTED_DACL_SECURITY_INFORMATION)
	if err := windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, info, owner, nil, dacl, nil); err != nil {
		return fmt.Errorf("make Administrators the owner of %s and let users only read it: %w (run it from an elevated prompt)", path, err)
	}
	return nil
}

// PrivateAttributes are the security attributes of a file only the current user may read, as 0600 makes
// one on Unix: full control for the user, SYSTEM and Administrators, nothing inherited.
func PrivateAttributes() (*windows.SecurityAttributes, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("find the current user: %w", err)
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;FA;;;" + user.User.Sid.String() + ")(A;;FA;;;SY)(A;;FA;;;BA)")
	if err != nil {
		return nil, fmt.Errorf("build a private security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}
