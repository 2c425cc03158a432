package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// TestWindowsBinaries: the Windows builds, under wine, against the kit on loopback, for a user whose profile
// path has a space and non-ASCII letters: setup edits a Docker Desktop config.json (CRLF, credsStore
// desktop) under %USERPROFILE%; the helper finds acrdiag.exe beside itself and gets a token through the
// proxy with the credential %ProgramData%'s configuration locks (the user's file asks for another), once
// ACRDIAG_SYSTEM_CONFIG names it (at its default place, a file an ordinary user owns is refused); six
// helpers at once share one exchange through the cache lock; store, list and erase use the file under
// %AppData%; setup --system writes the machine's file and the Default profile's config.json.
func TestWindowsBinaries(t *testing.T) {
	kit := acrtest.Start(t, acrtest.Options{})
	w := newWineSession(t, kit)
	host := kit.Host("myregistry")
	w.setEnv(kit.IdentityEnv("ci-sp")...)

	system := filepath.Join(w.prefix, "drive_c", "ProgramData", "acrdiag", "config.json")
	userDir, cacheDir := w.appData(false, "acrdiag"), w.appData(true, "acrdiag")
	dockerDir := filepath.Join(w.profile, ".docker")
	t.Cleanup(func() {
		for _, p := range []string{filepath.Dir(system), userDir, cacheDir, dockerDir} {
			_ = os.RemoveAll(p)
		}
	})
	w.writeFile(system, `{"credential":"EnvironmentCredential","locked":["credential"]}`)
	w.writeFile(filepath.Join(userDir, "config.json"), `{"credential":"AzureCLICredential"}`) // no az here: it would fail
	// wine makes every file the Unix user's, as if an ordinary user had made %ProgramData%\acrdiag before
	// any administrator: at its default place the machine's configuration is refused, with the fix.
	if r := w.exe("", "docker-acrcheck", "acrcheck", "setup", "--system-registries", "--dry-run"); r.exitCode == 0 ||
		!strings.Contains(r.stderr, "ignores the machine configuration") || !strings.Contains(r.stderr, "icacls") {
		t.Errorf("a %%ProgramData%% configuration an ordinary user owns was not refused: %s", r)
	}
	w.setEnv(`ACRDIAG_SYSTEM_CONFIG=C:\ProgramData\acrdiag\config.json`) // named by the environment: its choice
	w.writeFile(filepath.Join(dockerDir, "config.json"), "{\r\n\t\"auths\": {},\r\n\t\"credsStore\": \"desktop\",\r\n\t\"currentContext\": \"desktop-linux\"\r\n}\r\n")

	if r := w.exe("", "docker-acrcheck", "acrcheck", "setup", "--no-hooks", host); r.exitCode != 0 {
		t.Fatalf("setup: %s", r)
	}
	var cfg struct {
		CredsStore  string            `json:"credsStore"`
		CredHelpers map[string]string `json:"credHelpers"`
	}
	b, _ := os.ReadFile(filepath.Join(dockerDir, "config.json"))
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.CredHelpers[host] != "acrdiag" || cfg.CredsStore != "desktop" {
		t.Errorf("config.json after setup (%v): %s", err, b)
	}

	user, secret := w.mustGet(host)
	if user != acrtest.EmptyGUID || secret == "" {
		t.Errorf("get answered user %q and a secret of %d bytes", user, len(secret))
	}
	exchanges := func() int {
		return len(kit.Requests(acrtest.Filter{Service: "registry", Host: host, Path: "/oauth2/exchange", Identity: "ci-sp"}))
	}
	if n := exchanges(); n != 1 {
		t.Errorf("%d exchanges, want 1", n)
	}
	if len(kit.Requests(acrtest.Filter{Service: "proxy", Host: host + ":443"})) == 0 {
		t.Error("the helper's engine did not go through the proxy")
	}

	w.exe(host, "docker-credential-acrdiag", "erase") // forgets the cached token
	if got := w.concurrentGets(host, 6); got != 6 {
		t.Errorf("%d of 6 concurrent gets answered", got)
	}
	if n := exchanges(); n != 2 {
		t.Errorf("%d exchanges after 6 concurrent gets of an empty cache, want 2 (one shared)", n)
	}

	creds := `{"ServerURL":"` + host + `","Username":"admin","Secret":"hunter2"}`
	if r := w.exe(creds, "docker-credential-acrdiag", "store"); r.exitCode != 0 {
		t.Fatalf("store: %s", r)
	}
	if _, err := os.Stat(filepath.Join(userDir, "credentials.json")); err != nil {
		t.Errorf("the credentials are not in %%AppData%%\\acrdiag: %v", err)
	}
	if r := w.exe("", "docker-credential-acrdiag", "list"); !strings.Contains(r.stdout, `"`+host+`":"admin"`) {
		t.Errorf("list after store: %s", r)
	}
	if user, secret := w.mustGet(host); user != "admin" || secret != "hunter2" {
		t.Errorf("get after store: %q", user)
	}
	w.exe(host, "docker-credential-acrdiag", "erase")
	// the stored login is gone; list still names the registry the helper answers for, with the empty GUID
	if r := w.exe("", "docker-credential-acrdiag", "list"); r.exitCode != 0 || strings.Contains(r.stdout, `"`+host+`":"admin"`) {
		t.Errorf("list after erase: %s", r)
	}
	// An image builder's setup for every user: the registry into the machine's file, the helper and the
	// hook into the Default profile's config.json, which Windows copies for a new user.
	r := w.exe("", "docker-acrcheck", "acrcheck", "setup", "--system", host)
	skel := filepath.Join(w.prefix, "drive_c", "users", "Default", ".docker", "config.json")
	b, _ = os.ReadFile(skel)
	if r.exitCode != 0 || !strings.Contains(string(b), `"`+host+`": "acrdiag"`) || !strings.Contains(string(b), `"hooks": "true"`) {
		t.Errorf("setup --system (%s): the Default profile's config.json is %q", r, b)
	}
	if b, _ := os.ReadFile(system); !strings.Contains(string(b), `"credential": "EnvironmentCredential"`) || !strings.Contains(string(b), host) {
		t.Errorf("the machine's configuration after setup --system: %s", b)
	}
	_ = os.RemoveAll(filepath.Dir(skel))
	w.assertNoSecretsLeaked()
}

// concurrentGets starts n helpers at once for host and counts the token answers.
func (w *wineSession) concurrentGets(host string, n int) int {
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for range n {
		wg.Go(func() {
			cmd := exec.Command(w.wine, filepath.Join(w.bin, "docker-credential-acrdiag.exe"), "get")
			cmd.Env, cmd.Dir, cmd.Stdin = w.env, w.home, strings.NewReader(host)
			out, err := cmd.Output()
			if err == nil && bytes.Contains(out, []byte(acrtest.EmptyGUID)) {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return ok
}
