package helper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// TestUnrecordableFailureIsSaid: when a directory stands where the failure record goes, the helper does
// not drop its record silently: it says, once, which file is in the way and how to fix it, and still
// answers with the failure's cause. A corrupt record is replaced by the new failure, without a word.
func TestUnrecordableFailureIsSaid(t *testing.T) {
	const host = "myregistry.azurecr.io"
	renewer := fakeRenewer{res: engineproc.RenewResult{Cause: cause.NetworkFirewallDenied, Detail: "client with IP '203.0.113.9' is not allowed access"}}
	for name, tc := range map[string]struct {
		plant    func(path string) error
		wantSaid bool
	}{
		"a directory":   {func(p string) error { return os.Mkdir(p, 0o700) }, true},
		"a corrupt one": {func(p string) error { return os.WriteFile(p, []byte(`[{"host":`), 0o600) }, false},
	} {
		dir := testfs.TempDir(t)
		path := filepath.Join(dir, lastfailure.FileName)
		if err := tc.plant(path); err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		h := New(WithConfig(config.Config{CacheDir: dir}, nil), WithStore(emptyStore{}), WithCache(tokencache.NullCache{}), WithRenewer(renewer), WithStderr(&stderr))
		for range 2 {
			if _, _, err := h.Get(host); err == nil || !strings.Contains(err.Error(), "["+cause.NetworkFirewallDenied+"]") {
				t.Errorf("%s: get = %v, want the firewall's cause", name, err)
			}
		}
		said := stderr.String()
		if !tc.wantSaid {
			if rec, ok := lastfailure.Last(dir, host); said != "" || !ok || rec.Cause != cause.NetworkFirewallDenied {
				t.Errorf("%s: said %q, recorded %+v %v", name, said, rec, ok)
			}
			continue
		}
		if !strings.HasPrefix(said, "acrdiag: ") || !strings.Contains(said, path) || !strings.Contains(said, "rm -rf") || strings.Count(said, "\n") != 1 {
			t.Errorf("%s: the helper said %q, want one line naming %s and the fix", name, said, path)
		}
	}
}
