package loginserver

import (
	"errors"
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

func FuzzParseLoginServer(f *testing.F) {
	for _, s := range []string{"myregistry.azurecr.io", "https://a.azurecr.cn/v2/", "x.azurecr.io.evil.example", "azurecr.io", "a:b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ls, err := ParseLoginServer(in)
		if err != nil {
			return
		}
		// Whatever is accepted is an ASCII, lower-case host that ends with a known suffix at a label boundary.
		if !isASCII(ls.Host) || ls.Host != strings.ToLower(ls.Host) || strings.ContainsAny(ls.Host, "/@:") || !strings.HasSuffix(ls.Host, "."+ls.Cloud.Suffix) {
			t.Fatalf("accepted %q as %+v", in, ls)
		}
	})
}
