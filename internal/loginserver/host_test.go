package loginserver

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseLoginServer(t *testing.T) {
	tests := []struct {
		in       string
		host     string // "" when an error is expected
		notACR   bool   // ErrNotACR expected
		suggest  string // NameError suggestion expected
		region   string
		cloud    string
		extraSfx []string
	}{
		{in: "myregistry.azurecr.io", host: "myregistry.azurecr.io", cloud: "AzureCloud"},
		{in: "  https://MyRegistry.AzureCR.io/v2/ \n", host: "myregistry.azurecr.io"},
		{in: "myregistry.azurecr.io/team/app", host: "myregistry.azurecr.io"},
		{in: "myregistry.azurecr.io:443", host: "myregistry.azurecr.io"},
		{in: "myregistry.azurecr.io.", host: "myregistry.azurecr.io"},
		{in: "contosoacrregistry-e7ggejfuhzhgedc8.azurecr.io", host: "contosoacrregistry-e7ggejfuhzhgedc8.azurecr.io"},
		{in: "myregistry.eastus.geo.azurecr.io", host: "myregistry.eastus.geo.azurecr.io", region: "eastus"},
		{in: "chinareg1.azurecr.cn", host: "chinareg1.azurecr.cn", cloud: "AzureChinaCloud"},
		{in: "govreg01.azurecr.us", host: "govreg01.azurecr.us", cloud: "AzureUSGovernment"},
		{in: "stackreg1.azurecr.contoso.local", host: "stackreg1.azurecr.contoso.local", extraSfx: []string{".azurecr.contoso.local"}},
		{in: "myregistry.azurecr.io:5000", notACR: true},
		{in: "ftp://myregistry.azurecr.io", notACR: true},
		{in: "user:pw@myregistry.azurecr.io", notACR: true},
		{in: "https://user@myregistry.azurecr.io/", notACR: true},
		{in: "myregistry.azurecr.io.evil.example", notACR: true},
		{in: "evilazurecr.io", notACR: true},
		{in: "docker.io", notACR: true},
		{in: "https://index.docker.io/v1/", notACR: true},
		{in: "", notACR: true},
		{in: "myregistry.azurecr.io\x00", notACR: true},
		{in: "azurecr.io"},
		{in: "myregistry.privatelink.azurecr.io", suggest: "myregistry.azurecr.io"},
		{in: "myregistry.eastus.data.azurecr.io", suggest: "myregistry.azurecr.io"},
		{in: "my_registry.azurecr.io"},
		{in: "abc.azurecr.io"},
		{in: "xn--mnchen-3ya.azurecr.io"},
		{in: "a.b.c.azurecr.io"},
	}
	for _, tt := range tests {
		ls, err := ParseLoginServer(tt.in, tt.extraSfx...)
		switch {
		case tt.host != "":
			if err != nil || ls.Host != tt.host || ls.Region != tt.region || (tt.cloud != "" && ls.Cloud.Name != tt.cloud) {
				t.Errorf("ParseLoginServer(%q) = %+v, %v; want host %s region %q cloud %q", tt.in, ls, err, tt.host, tt.region, tt.cloud)
			}
		case tt.notACR:
			if !errors.Is(err, ErrNotACR) {
				t.Errorf("ParseLoginServer(%q) = %+v, %v; want ErrNotACR", tt.in, ls, err)
			}
		default:
			var ne *NameError
			if !errors.As(err, &ne) || ne.Suggestion != tt.suggest {
				t.Errorf("ParseLoginServer(%q) = %+v, %v; want a NameError suggesting %q", tt.in, ls, err, tt.suggest)
			}
		}
	}
}

// TestUnicodeAndWideSuffixesAreNotACR: no Unicode look-alike of an ACR host, and no one-label
// administrator suffix, ever makes a host ACR.
func TestUnicodeAndWideSuffixesAreNotACR(t *testing.T) {
	for _, in := range []string{"healthy.azurecr.\u0130o", "healthy.azurecr.\u0131o", "\u212Aontoso.azurecr.io", "myregistry.azurecr.\uff49o", "myrégistry.azurecr.io"} {
		if _, err := ParseLoginServer(in); !errors.Is(err, ErrNotACR) {
			t.Errorf("ParseLoginServer(%q) = %v, want ErrNotACR", in, err)
		}
	}
	for _, suffix := range []string{"io", ".io.", "com", "*.io", "http://corp.example", "corp..example", "cörp.example"} {
		if _, err := ParseLoginServer("anything."+strings.Trim(suffix, "."), suffix); err == nil {
			t.Errorf("suffix %q made a host ACR", suffix)
		}
	}
	var ne *NameError
	if _, err := ParseLoginServer("http://healthy.azurecr.io/v2/"); !errors.As(err, &ne) || ne.Suggestion != "healthy.azurecr.io" {
		t.Errorf("http:// gives %v, want a name error suggesting https", err)
	}
	if _, err := ParseLoginServer("myregistry.acr.corp.example", "acr.corp.example"); err != nil {
		t.Errorf("a two-label administrator suffix: %v", err)
	}
}

func TestParseLoginServerHugeBinaryInput(t *testing.T) {
	in := strings.Repeat("\xff\x00myregistry.azurecr.io", 1<<16)
	if _, err := ParseLoginServer(in); !errors.Is(err, ErrNotACR) {
		t.Errorf("1 MB of binary: %v, want ErrNotACR", err)
	}
}

// FuzzParseLoginServer: whatever the server string and an administrator's suffix, an accepted host is an
// ASCII, lower-case host that ends, at a label boundary, in a built-in suffix or in that suffix when it is
// a valid one; the suffix it names is the one it ends in.
func FuzzParseLoginServer(f *testing.F) {
	for _, s := range []string{"myregistry.azurecr.io", "https://a.azurecr.cn/v2/", "x.azurecr.io.evil.example", "azurecr.io", "a:b@c", "healthy.azurecr.\u0130o", "\u212Aontoso.azurecr.io"} {
		f.Add(s, "")
	}
	f.Add("myregistry.acr.corp.example", "acr.corp.example")
	f.Add("myregistry.evil.io", "io")
	f.Add("https://r.ACR.Corp.Example./v2/", ".acr.corp.example.")
	f.Fuzz(func(t *testing.T, in, suffix string) {
		ls, err := ParseLoginServer(in, suffix)
		if err != nil {
			return
		}
		configured := []string{}
		for _, c := range Clouds {
			configured = append(configured, c.Suffix)
		}
		if ValidSuffix(suffix) {
			configured = append(configured, strings.Trim(strings.ToLower(strings.TrimSpace(suffix)), "."))
		}
		if !isASCII(ls.Host) || ls.Host != strings.ToLower(ls.Host) || strings.ContainsAny(ls.Host, "/@:\\ \x00") ||
			!slices.Contains(configured, ls.Cloud.Suffix) || !strings.HasSuffix(ls.Host, "."+ls.Cloud.Suffix) || strings.HasPrefix(ls.Host, ".") {
			t.Fatalf("accepted %q (suffix %q) as %+v", in, suffix, ls)
		}
		// The host is in the input as it was typed, up to ASCII case: no Unicode folding made it (a Kelvin
		// sign folds to k, while a client using IDNA contacts another host).
		if !strings.Contains(asciiLower(in), ls.Host) {
			t.Fatalf("accepted %q as %q, which it does not spell", in, ls.Host)
		}
	})
}

// asciiLower lowers A to Z only, as a DNS name's case is defined.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
