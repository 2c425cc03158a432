package jwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// unsigned builds a JWT with the given claims and a dummy signature: Inspect does not verify.
func unsigned(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestInspect(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name   string
		claims map[string]any
		check  func(Claims) bool
	}{
		{"acr refresh token, Actions capitalised", map[string]any{"iss": ACRIssuer, "aud": "r.azurecr.io", "exp": exp.Unix(), "tenant": "t1",
			"grant_type": "refresh_token", "permissions": map[string]any{"Actions": []string{"read"}, "NotActions": nil}},
			func(c Claims) bool {
				return c.IsACR() && !c.IsEntra() && c.Tenant == "t1" && c.Expiry.Equal(exp) && len(c.Actions) == 1 && c.Actions[0] == "read" && !c.ABAC
			}},
		{"acr token, lower-case actions and ABAC", map[string]any{"iss": ACRIssuer, "permissions": map[string]any{"actions": []string{"read", "write"}}, "aad_identity": "x"},
			func(c Claims) bool { return len(c.Actions) == 2 && c.ABAC }},
		{"acr access token", map[string]any{"iss": ACRIssuer, "access": []any{map[string]any{"type": "repository", "name": "app", "actions": []string{"pull"}}}},
			func(c Claims) bool {
				return len(c.Access) == 1 && c.Access[0].Name == "app" && c.Access[0].Actions[0] == "pull"
			}},
		{"entra v1 token", map[string]any{"iss": "https://sts.windows.net/t2/", "aud": "https://containerregistry.azure.net", "tid": "t2", "oid": "o", "appid": "a"},
			func(c Claims) bool {
				return c.IsEntra() && c.Tenant == "t2" && c.Identity() == "o" && c.Audience[0] == "https://containerregistry.azure.net"
			}},
		{"entra user token", map[string]any{"iss": "https://login.microsoftonline.com/t/v2.0", "upn": "ann@contoso.example", "oid": "o"},
			func(c Claims) bool { return c.Identity() == "ann@contoso.example" }},
	}
	for _, tt := range tests {
		c, err := Inspect(unsigned(tt.claims))
		if err != nil || !tt.check(c) {
			t.Errorf("%s: %+v, %v", tt.name, c, err)
		}
	}
}

func TestInspectRejectsWhatIsNotAJWT(t *testing.T) {
	for _, s := range []string{"", "s3cret-admin-password", "a.b", "eyJ.eyJ.x", strings.Repeat("eyJhbGciOi.", 10000), "eyJ\x00.\xff.\x01"} {
		if _, err := Inspect(s); !errors.Is(err, ErrNotJWT) {
			t.Errorf("Inspect(%.30q) = %v, want ErrNotJWT", s, err)
		}
	}
}

func TestExpiredBy(t *testing.T) {
	now := time.Now()
	c := Claims{Expiry: now.Add(10 * time.Minute)}
	if c.ExpiredBy(now, 5*time.Minute) || !c.ExpiredBy(now, 10*time.Minute) || !c.ExpiredBy(now.Add(time.Hour), 0) {
		t.Error("ExpiredBy disagrees with the clock")
	}
	if (Claims{}).ExpiredBy(now, time.Hour) {
		t.Error("a token without exp is not expired")
	}
}

// FuzzInspect: whatever a token's claims hold, Inspect reads back the issuer, tenant and expiry it was
// given, and no input makes it panic or accept a string that is not shaped like a JWT.
func FuzzInspect(f *testing.F) {
	f.Add(ACRIssuer, "tenant", int64(1), "eyJ.eyJ.x")
	f.Add("https://login.microsoftonline.com/t/v2.0", "", int64(1893456000), "")
	f.Fuzz(func(t *testing.T, iss, tenant string, exp int64, raw string) {
		if c, err := Inspect(raw); err == nil && !LooksLikeJWT(raw) {
			t.Fatalf("parsed %q as %+v", raw, c)
		}
		if exp <= 0 || exp > 1<<40 || !utf8.ValidString(iss) || !utf8.ValidString(tenant) {
			return
		}
		tok := unsigned(map[string]any{"iss": iss, "tid": tenant, "exp": exp})
		if len(tok) >= maxTokenSize {
			return
		}
		c, err := Inspect(tok)
		if err != nil {
			t.Fatalf("Inspect(%q): %v", tok, err)
		}
		if c.Issuer != iss || c.Tenant != tenant || !c.Expiry.Equal(time.Unix(exp, 0)) {
			t.Fatalf("claims %+v, want iss %q tid %q exp %d", c, iss, tenant, exp)
		}
	})
}
