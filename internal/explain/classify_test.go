package explain

import (
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
)

func TestClassifyHandlesMessyText(t *testing.T) {
	denied := "client with IP '1.2.3.4' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."
	tests := []struct {
		name, text, want string
	}{
		{"ANSI colours", "\x1b[31mError:\x1b[0m " + denied, cause.NetworkFirewallDenied},
		{"Windows line endings", "line one\r\nError response from daemon: Get \"https://r.azurecr.io/v2/\": net/http: TLS handshake timeout\r\n", cause.NetworkTimeout},
		{"at the end of a 10 MB log", strings.Repeat("Step 3/9 : RUN make\n", 500000) + "Error response from daemon: Head \"https://r.azurecr.io/v2/app/manifests/1\": " + denied + "\n", cause.NetworkFirewallDenied},
		{"a bare 401 is no cause", "Error response from daemon: Head \"https://myregistry.azurecr.io/v2/app/manifests/1\": unauthorized: authentication required", cause.Unknown},
		{"German around it", "Fehler beim Herunterladen des Images: " + denied + " Bitte prüfen.", cause.NetworkFirewallDenied},
	}
	for _, tt := range tests {
		got := Classify(tt.text)
		if len(got) == 0 || got[0].ID != tt.want {
			t.Errorf("%s: %v, want %s first", tt.name, ids(got), tt.want)
		}
	}
	for _, text := range []string{"", "everything is fine", "\x00\xff\xfe binary \x01", strings.Repeat("€", 10000), "Bonjour, tout va bien."} {
		if got := Classify(text); len(got) != 0 {
			t.Errorf("%.30q matched %v", text, ids(got))
		}
	}
}

func TestHost(t *testing.T) {
	for text, want := range map[string]string{
		`Head "https://MyAcr.azurecr.io/v2/app/manifests/1": unauthorized`: "myacr.azurecr.io",
		`pull access denied for contoso-e7ggejfuhzhgedc8.azurecr.io/app`:   "contoso-e7ggejfuhzhgedc8.azurecr.io",
		`lookup govreg.azurecr.us on 10.0.0.10:53: no such host`:           "govreg.azurecr.us",
		`Cannot connect to the Docker daemon`:                              "",
	} {
		if got := Host(text); got != want {
			t.Errorf("Host(%q) = %q, want %q", text, got, want)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, c := range referenceCorpus[:10] {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Classify(text)
		for i := 1; i < len(got); i++ {
			if got[i].Score > got[i-1].Score {
				t.Fatalf("not best first: %v", got)
			}
		}
		for i, m := range got {
			if m.Confidence != High && m.Confidence != Medium && m.Confidence != Low {
				t.Fatalf("confidence %q", m.Confidence)
			}
			if _, ok := cause.Lookup(m.ID); !ok || len(m.Evidence) == 0 {
				t.Fatalf("%s: not in the catalogue, or without evidence", m.ID)
			}
			if m.ID == cause.Unknown && i != 0 {
				t.Fatalf("unknown ranked %d: %v", i, ids(got))
			}
		}
	})
}

func TestLiteralPrefixes(t *testing.T) {
	for alt, want := range map[string]string{
		`cannot connect to the docker daemon`:         "cannot connect to the docker daemon",
		`client with ip '[0-9a-f.:]+' is not allowed`: "client with ip '",
		`\.data\.azurecr\.[a-z]+`:                     ".data.azurecr.",
		`dial tcp (10|172)`:                           "dial tcp ",
		`\bpush`:                                      "",
		`AADSTS700082`:                                "aadsts700082",
		`token (is |has )?expired`:                    "token ",
		`pushe?d`:                                     "push",
		`x509:`:                                       "x509:",
	} {
		if got := literalPrefix(alt); got != want {
			t.Errorf("literalPrefix(%q) = %q, want %q", alt, got, want)
		}
	}
	if got := splitAlternatives(`a|b(c|d)|[|]e|f\|g`); len(got) != 4 || got[1] != "b(c|d)" || got[2] != "[|]e" || got[3] != `f\|g` {
		t.Errorf("splitAlternatives = %q", got)
	}
}

func TestRegistryRepositoryAndAction(t *testing.T) {
	for text, want := range map[string][3]string{
		`ERROR: failed to solve: failed to push corp.azurecr.io/team/app:1: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://corp.azurecr.io/oauth2/token: 401 Unauthorized`: {"corp.azurecr.io", "team/app", "push"},
		`Error response from daemon: Head "https://corp.azurecr.io/v2/base/images/manifests/1": unauthorized`:                                                                                                                {"corp.azurecr.io", "base/images", "pull"},
		`failed to solve: corp.azurecr.io/base:1: failed to resolve source metadata for corp.azurecr.io/base:1: 401 Unauthorized`:                                                                                            {"corp.azurecr.io", "base", "build"},
		`Error response from daemon: Get "https://corp.azurecr.io/v2/": unauthorized: authentication required`:                                                                                                               {"corp.azurecr.io", "", "login"},
	} {
		f := Extract(text)
		if got := [3]string{f.Host(), f.Repository(), f.Action}; got != want {
			t.Errorf("%.60q: registry, repository, action = %q, want %q", text, got, want)
		}
	}
}
