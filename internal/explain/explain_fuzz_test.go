package explain

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// FuzzExplain: whatever text explain is given, the explanation names as its registry only a host under an
// ACR suffix (its name may be what is wrong), every cause is the catalogue's, unknown only first, and neither the JSON nor the text output
// repeats a token the input quoted.
func FuzzExplain(f *testing.F) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, c := range referenceCorpus[:10] {
		f.Add(c.text)
	}
	f.Add(`Head "https://mine.azurecr.io/v2/app/manifests/1": unauthorized: invalid token ` + token)
	f.Add("\x1b[31mError\x1b[0m: Get \"https://\u212Aontoso.azurecr.io/v2/\": x509: certificate signed by unknown authority\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		e := Explain(text, nil)
		if e.Registry != "" {
			// A registry may be named to say what is wrong with its name, but it is always ACR's.
			if _, err := loginserver.ParseLoginServer(e.Registry); errors.Is(err, loginserver.ErrNotACR) || e.Registry != strings.ToLower(e.Registry) {
				t.Fatalf("registry %q is not ACR's (%v)", e.Registry, err)
			}
		}
		for i, c := range e.Causes {
			if _, ok := cause.Lookup(c.ID); !ok || (c.ID == cause.Unknown && i != 0) {
				t.Fatalf("cause %d %q", i, c.ID)
			}
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		if err := e.WriteText(&out, 0); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{string(b), out.String()} {
			if strings.Contains(s, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0") {
				t.Fatalf("repeated the token: %s", s)
			}
		}
	})
}
