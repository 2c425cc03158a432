package jwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ACRIssuer is the iss claim of tokens ACR issues.
const ACRIssuer = "Azure Container Registry"

// maxTokenSize bounds what is parsed as a token; real ACR tokens are a few kilobytes.
const maxTokenSize = 64 << 10

// Claims are what acrdiag reads from a token. The signature is not verified: a token is only ever shown,
// checked for expiry and sent back to the service that issued it. Reading the payload takes a base64 and a
// JSON decode; a JWT library would add its crypto packages' start-up to every credential helper call.
type Claims struct {
	Issuer    string
	Subject   string
	Audience  []string
	IssuedAt  time.Time
	Expiry    time.Time
	Tenant    string   // tid (Entra) or tenant (ACR)
	ObjectID  string   // oid (Entra)
	AppID     string   // appid or azp
	UPN       string   // upn or unique_name (Entra user tokens)
	GrantType string   // ACR: refresh_token or access_token
	Actions   []string // ACR refresh tokens: permissions.actions (read, write, delete...)
	ABAC      bool     // ACR: aad_identity present, the registry uses ABAC repository permissions
	Access    []Access // ACR access tokens: what the token grants
}

// Access is one entry of an ACR access token's access claim.
type Access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// ErrNotJWT means the text is not a JWT (an admin password, a repository-scoped token password...).
var ErrNotJWT = errors.New("not a JWT")

// LooksLikeJWT reports whether s has the shape of a JWT, cheaply, before parsing.
func LooksLikeJWT(s string) bool {
	return len(s) < maxTokenSize && strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ")
}

// Inspect reads a token's claims without verifying it.
func Inspect(raw string) (Claims, error) {
	if !LooksLikeJWT(raw) {
		return Claims{}, ErrNotJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.Split(raw, ".")[1], "="))
	if err != nil {
		return Claims{}, fmt.Errorf("%w: payload: %w", ErrNotJWT, err)
	}
	mc := map[string]any{}
	if err := json.Unmarshal(payload, &mc); err != nil {
		return Claims{}, fmt.Errorf("%w: payload: %w", ErrNotJWT, err)
	}
	c := Claims{
		Issuer: str(mc, "iss"), Subject: str(mc, "sub"), ObjectID: str(mc, "oid"),
		Tenant: first(str(mc, "tid"), str(mc, "tenant")), AppID: first(str(mc, "appid"), str(mc, "azp")),
		UPN: first(str(mc, "upn"), str(mc, "unique_name")), GrantType: str(mc, "grant_type"),
	}
	switch aud := mc["aud"].(type) {
	case string:
		c.Audience = []string{aud}
	case []any:
		c.Audience = stringList(aud)
	}
	c.Expiry, c.IssuedAt = unixTime(mc["exp"]), unixTime(mc["iat"])
	_, c.ABAC = mc["aad_identity"]
	if perms, ok := mc["permissions"].(map[string]any); ok {
		for k, v := range perms { // ACR writes both actions and Actions
			if strings.EqualFold(k, "actions") {
				c.Actions = stringList(v)
			}
		}
	}
	if list, ok := mc["access"].([]any); ok {
		for _, a := range list {
			if m, ok := a.(map[string]any); ok {
				c.Access = append(c.Access, Access{Type: str(m, "type"), Name: str(m, "name"), Actions: stringList(m["actions"])})
			}
		}
	}
	return c, nil
}

// IsACR reports whether ACR issued the token.
func (c Claims) IsACR() bool { return c.Issuer == ACRIssuer }

// IsEntra reports whether Entra ID issued the token.
func (c Claims) IsEntra() bool {
	return strings.HasPrefix(c.Issuer, "https://sts.") || strings.HasPrefix(c.Issuer, "https://login.")
}

// ExpiredBy reports whether the token is expired, or will be within margin of now.
func (c Claims) ExpiredBy(now time.Time, margin time.Duration) bool {
	return !c.Expiry.IsZero() && !now.Add(margin).Before(c.Expiry)
}

// Identity is the principal the token names, for messages: a UPN, else an object id, app id or subject.
func (c Claims) Identity() string {
	return first(c.UPN, c.ObjectID, c.AppID, c.Subject)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func unixTime(v any) time.Time {
	if f, ok := v.(float64); ok && f > 0 && f < 1e11 {
		return time.Unix(int64(f), 0)
	}
	return time.Time{}
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
