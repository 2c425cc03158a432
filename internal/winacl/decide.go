package winacl

import (
	"fmt"
	"strings"
)

// Well-known SIDs: the accounts that may write the machine's configuration, and the groups every user is in.
const (
	SIDAdministrators   = "S-1-5-32-544"
	SIDSystem           = "S-1-5-18"
	SIDTrustedInstaller = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
	SIDUsers            = "S-1-5-32-545"
	SIDEveryone         = "S-1-1-0"
	SIDAuthenticated    = "S-1-5-11"
	SIDInteractive      = "S-1-5-4"
)

// trustedWriters may write the machine's configuration: what an image, Intune or Group Policy runs as.
var trustedWriters = map[string]string{SIDAdministrators: "Administrators", SIDSystem: "SYSTEM", SIDTrustedInstaller: "TrustedInstaller"}

// wellKnownNames name the SIDs a message is likeliest to show.
var wellKnownNames = map[string]string{SIDUsers: "Users", SIDEveryone: "Everyone", SIDAuthenticated: "Authenticated Users", SIDInteractive: "INTERACTIVE"}

// writeRights are the access rights that let their holder change what a file or folder holds, or who may:
// write or append data (in a folder: add a file or a folder), delete, delete a child, change the ACL or
// the owner, and the generic rights that include them.
const writeRights uint32 = 0x2 | 0x4 | 0x40 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000

// ACE is an access control entry as the decision needs it.
type ACE struct {
	SID         string // "" when the entry's layout has no plain SID (object ACEs)
	Allow       bool
	InheritOnly bool // applies to the folder's children only, not to the object
	Mask        uint32
}

// Descriptor is the owner and DACL of a file or folder.
type Descriptor struct {
	Owner    string
	NullDACL bool // no DACL at all: everyone has full control
	DACL     []ACE
}

// Name is a SID as a message shows it: its account name when known, and the SID.
type Name func(sid string) string

// DefaultName names the well-known SIDs and leaves others as they are.
func DefaultName(sid string) string {
	if n, ok := trustedWriters[sid]; ok {
		return n
	}
	if n, ok := wellKnownNames[sid]; ok {
		return n
	}
	return sid
}

// WriterProblem says why the object is not one only administrators could have written: an owner other
// than Administrators, SYSTEM or TrustedInstaller (an owner may always change the ACL), no DACL, or an
// entry granting anyone else a write right. "" when only they could.
func (d Descriptor) WriterProblem(name Name) string {
	if name == nil {
		name = DefaultName
	}
	if _, ok := trustedWriters[d.Owner]; !ok {
		return fmt.Sprintf("is owned by %s, not by Administrators, SYSTEM or TrustedInstaller", name(d.Owner))
	}
	if d.NullDACL {
		return "has no access control list, so everyone may change it"
	}
	var writers []string
	for _, a := range d.DACL {
		if !a.Allow || a.InheritOnly || a.Mask&writeRights == 0 {
			continue
		}
		if _, ok := trustedWriters[a.SID]; ok {
			continue
		}
		w := name(a.SID)
		if a.SID == "" {
			w = "an object-specific entry"
		}
		writers = append(writers, w)
	}
	if len(writers) > 0 {
		return "may be written by " + strings.Join(writers, ", ") + ", not only by administrators"
	}
	return ""
}
