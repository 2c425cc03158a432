package cli

import (
	"errors"
	"strings"
	"testing"
)

// TestExitRedactsTokens: a token an upstream error quoted never reaches the terminal or a CI log.
func TestExitRedactsTokens(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, err := range []error{&ExitError{Code: 1, Msg: "no token for r.azurecr.io: invalid token " + jwt}, errors.New("boom " + jwt)} {
		var out strings.Builder
		if code := Exit(err, &out); code == 0 || strings.Contains(out.String(), "eyJ") || !strings.Contains(out.String(), "<token redacted>") {
			t.Errorf("Exit(%v) = %d, printed %q", err, code, out.String())
		}
	}
}
