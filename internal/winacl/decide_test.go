package winacl

import (
	"strings"
	"testing"
)

// Access masks as Windows shows them: full control, read and execute, and the "create files and folders"
// right %ProgramData% gives Users on the folders it holds (WD, AD, WEA, WA).
const (
	full         = 0x1f01ff
	readExecute  = 0x1200a9
	createFiles  = 0x116
	aUser        = "S-1-5-21-1004336348-1177238915-682003330-1001"
	creatorOwner = "S-1-3-0"
)

// TestWriterProblem: only a folder or file that Administrators, SYSTEM or TrustedInstaller own and only
// they may write passes; what %ProgramData% gives a new folder, a folder a user created first, a NULL DACL
// and a write grant to Everyone are each refused, naming who could write.
func TestWriterProblem(t *testing.T) {
	secured := []ACE{{SID: SIDSystem, Allow: true, Mask: full}, {SID: SIDAdministrators, Allow: true, Mask: full}, {SID: SIDUsers, Allow: true, Mask: readExecute}}
	for _, tc := range []struct {
		name string
		d    Descriptor
		want string // "" when it passes
	}{
		{"secured by setup --system", Descriptor{Owner: SIDAdministrators, DACL: secured}, ""},
		{"owned by SYSTEM (Intune, Group Policy)", Descriptor{Owner: SIDSystem, DACL: secured}, ""},
		{"owned by TrustedInstaller", Descriptor{Owner: SIDTrustedInstaller, DACL: secured}, ""},
		{"created by an administrator, inheriting from ProgramData", Descriptor{Owner: SIDAdministrators, DACL: append(secured[:3:3],
			ACE{SID: creatorOwner, Allow: true, InheritOnly: true, Mask: full}, ACE{SID: SIDUsers, Allow: true, Mask: createFiles})}, "may be written by Users"},
		{"created by a user first", Descriptor{Owner: aUser, DACL: append(secured[:3:3], ACE{SID: aUser, Allow: true, Mask: full})}, "is owned by " + aUser},
		{"no DACL", Descriptor{Owner: SIDAdministrators, NullDACL: true}, "no access control list"},
		{"Everyone may write", Descriptor{Owner: SIDAdministrators, DACL: append(secured[:3:3], ACE{SID: SIDEveryone, Allow: true, Mask: 0x40000000})}, "may be written by Everyone"},
		{"Authenticated Users may change the ACL", Descriptor{Owner: SIDAdministrators, DACL: append(secured[:3:3], ACE{SID: SIDAuthenticated, Allow: true, Mask: 0x40000})}, "Authenticated Users"},
		{"a deny entry is no grant", Descriptor{Owner: SIDAdministrators, DACL: append(secured[:3:3], ACE{SID: SIDUsers, Mask: full})}, ""},
		{"an object entry that grants write", Descriptor{Owner: SIDAdministrators, DACL: append(secured[:3:3], ACE{Allow: true, Mask: 0x2})}, "an object-specific entry"},
	} {
		got := tc.d.WriterProblem(nil)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestUnsafeErrorSaysTheFix: the refusal names the path, who could write it, that acrdiag ignores the
// machine configuration, and both fixes with the folder quoted (it has a space on many machines).
func TestUnsafeErrorSaysTheFix(t *testing.T) {
	dir := `C:\Program Data\acrdiag`
	msg := (&UnsafeError{Path: dir, Problem: "may be written by Users, not only by administrators", Dir: dir}).Error()
	for _, want := range []string{dir + " may be written by Users", "ignores the machine configuration", "docker acrcheck setup --system",
		`icacls "` + dir + `" /setowner *S-1-5-32-544 /T`, `/inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}
