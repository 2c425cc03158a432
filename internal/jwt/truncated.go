package jwt

import "strings"

// WinCredMaxSecret is the most the Windows Credential Manager keeps of one secret
// (CRED_MAX_CREDENTIAL_BLOB_SIZE, 5 x 512 bytes). ACR refresh tokens can be longer (azure-cli #4843): the
// wincred helper, and Docker Desktop's on Windows and from WSL, then cut them short or refuse them.
const WinCredMaxSecret = 2560

// Truncated reports a secret that begins as a JWT but was cut short, as a store with a size limit leaves
// one: exactly WinCredMaxSecret bytes long, or without all three parts. A registry refuses such a token,
// and it is no password either.
func Truncated(s string) bool {
	return strings.HasPrefix(s, "eyJ") && (len(s) == WinCredMaxSecret || strings.Count(s, ".") < 2)
}
