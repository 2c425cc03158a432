package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// hostileHost is one line of testdata/hostile-hosts.txt.
type hostileHost struct {
	line   int
	host   string
	expect string // "not-found" or "name-invalid": the section it is in
}

// readHostileHosts reads the corpus; its header documents the format.
func readHostileHosts(t *testing.T) []hostileHost {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "hostile-hosts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []hostileHost
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "[not-found]" || line == "[name-invalid]":
			section = strings.Trim(line, "[]")
			continue
		case section == "":
			t.Fatalf("hostile-hosts.txt:%d: a host before any [not-found] or [name-invalid] section", n)
		}
		host, err := strconv.Unquote(`"` + line + `"`)
		if err != nil {
			t.Fatalf("hostile-hosts.txt:%d: %q is not the inside of a Go string literal (escape \\ and \"): %v", n, line, err)
		}
		out = append(out, hostileHost{line: n, host: host, expect: section})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHelperHostileHosts drives the built helper's get with every host of testdata/hostile-hosts.txt while
// the genuine registries have secrets to lose (a password stored by docker login, a cached refresh token, a
// working service principal): none of them makes a connection, prints a secret, or answers anything but
// "not found" (or, for ACR names that cannot work, registry.name_invalid).
func TestHelperHostileHosts(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{Registries: []acrtest.Registry{{Name: "myregistry"}, {Name: "healthy"}}})
	s := newSession(t, kit)
	s.useIdentity("ci-sp")
	cfgDir := filepath.Join(s.home, ".config", "acrdiag")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"store":"file"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	// The secrets a leak would show.
	const storedPassword = "Stored-Admin-Passw0rd-7f3a9c"
	s.mustRun(credentialsJSON("myregistry.azurecr.io", "admin", storedPassword), s.helperPath(), "store")
	_, cached, err := getAnswer(s.helper("get", "healthy.azurecr.io"))
	if err != nil || cached == "" {
		t.Fatalf("seeding the cache for healthy.azurecr.io: %v", err)
	}
	secrets := map[string]string{"the stored password": storedPassword, "the cached refresh token": cached,
		"the service principal's secret": s.getEnv("AZURE_CLIENT_SECRET")}
	if secrets["the service principal's secret"] == "" {
		t.Fatal("the identity has no secret to watch for")
	}

	// Controls: the genuine names get their secrets, from the store and the cache, without a connection, so
	// a hostile name that the helper took for one of them would show.
	seen := len(kit.Requests(acrtest.Filter{}))
	for host, want := range map[string]string{
		"myregistry.azurecr.io": storedPassword, "https://myregistry.azurecr.io/v2/": storedPassword, "myregistry.azurecr.io:443": storedPassword,
		"healthy.azurecr.io": cached, "https://healthy.azurecr.io": cached, "healthy.azurecr.io/team/app": cached,
		"healthy.azurecr.io.": cached, "HEALTHY.AZURECR.IO": cached, // the same DNS name: case and the root's dot do not make another host
	} {
		if _, secret, err := getAnswer(s.helper("get", host)); err != nil || secret != want {
			t.Errorf("control get %q: %v; want its genuine secret", host, err)
		}
	}
	if reqs := kit.Requests(acrtest.Filter{}); len(reqs) != seen {
		t.Fatalf("the controls made connections (the cache is not seeded): %v", reqs[seen:])
	}

	corpus := readHostileHosts(t)
	if len(corpus) < 100 {
		t.Fatalf("hostile-hosts.txt has %d hosts; keep at least 100", len(corpus))
	}
	// What a failure prints has the secrets taken out.
	redact := func(r result) string {
		out := r.String()
		for what, secret := range secrets {
			out = strings.ReplaceAll(out, secret, "<"+what+">")
		}
		return jwtPattern.ReplaceAllString(out, "<a token>")
	}
	for _, h := range corpus {
		before := len(kit.Requests(acrtest.Filter{}))
		r := s.helper("get", h.host)
		where := "hostile-hosts.txt:" + strconv.Itoa(h.line) + " " + strconv.QuoteToASCII(h.host)
		if reqs := kit.Requests(acrtest.Filter{}); len(reqs) != before {
			t.Errorf("%s: connections were made: %v", where, reqs[before:])
		}
		for what, secret := range secrets {
			if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
				t.Errorf("%s: %s was printed", where, what)
			}
		}
		if m := jwtPattern.FindString(r.stdout + r.stderr); m != "" {
			t.Errorf("%s: a token was printed: %.40s...", where, m)
		}
		switch h.expect {
		case "not-found":
			if r.exitCode != 1 || r.stdout != notFound+"\n" || r.stderr != "" {
				t.Errorf("%s: want exactly %q, exit 1; got %s", where, notFound, redact(r))
			}
		case "name-invalid":
			line := strings.TrimSuffix(r.stdout, "\n")
			if r.exitCode != 1 || strings.Contains(line, "\n") || !strings.Contains(line, "[registry.name_invalid]") || r.stderr != "" {
				t.Errorf("%s: want one line naming registry.name_invalid, exit 1; got %s", where, redact(r))
			}
		}
	}
	s.assertNoSecretsLeaked()
	if !t.Failed() {
		t.Logf("%d hostile hosts: no connection, no secret, the right answer", len(corpus))
	}
}
