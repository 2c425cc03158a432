package jwt

import (
	"strings"
	"testing"
)

// TestTruncated: a JWT cut at the Windows Credential Manager's limit, or before its signature, is
// truncated; whole tokens of any other length and passwords are not.
func TestTruncated(t *testing.T) {
	long := unsigned(map[string]any{"iss": ACRIssuer, "pad": strings.Repeat("x", 3000)})
	whole := unsigned(map[string]any{"iss": ACRIssuer})
	for name, tc := range map[string]struct {
		secret string
		want   bool
	}{
		"a long token cut at 2560 bytes": {long[:WinCredMaxSecret], true},
		"a token cut in its payload":     {whole[:strings.Index(whole, ".")+5], true},
		"a whole long token":             {long, false},
		"a whole short token":            {whole, false},
		"a password of 2560 bytes":       {strings.Repeat("p", WinCredMaxSecret), false},
		"a password":                     {"hunter2", false},
	} {
		if got := Truncated(tc.secret); got != tc.want {
			t.Errorf("%s: Truncated = %v, want %v", name, got, tc.want)
		}
	}
}
