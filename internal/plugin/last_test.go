package plugin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/testfs"
)

// TestLastNamesAnUnusableRecord: a corrupt record, or a directory where the record goes, is never "no
// failure": last fails (exit 1) naming the file and the fix, in text and in JSON.
func TestLastNamesAnUnusableRecord(t *testing.T) {
	for name, plant := range map[string]func(path string) error{
		"a directory":   func(p string) error { return os.Mkdir(p, 0o700) },
		"a corrupt one": func(p string) error { return os.WriteFile(p, []byte(`[{"host":"a.azurecr.io",`), 0o600) },
		"no record":     nil,
	} {
		dir := testfs.TempDir(t)
		t.Setenv("ACRDIAG_CACHE_DIR", dir)
		path := filepath.Join(dir, lastfailure.FileName)
		if plant != nil {
			if err := plant(path); err != nil {
				t.Fatal(err)
			}
		}
		for _, format := range []string{"text", "json"} {
			var out, errOut strings.Builder
			cmd := newLastCommand(cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
			cmd.SetArgs([]string{"--format", format})
			err := cmd.Execute()
			var ee *cli.ExitError
			if plant == nil {
				if err != nil || (!strings.Contains(out.String(), "no failure") && !strings.Contains(out.String(), `"failure": null`)) {
					t.Errorf("%s, %s: %v %q", name, format, err, out.String())
				}
				continue
			}
			if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(ee.Msg, path) || !strings.Contains(ee.Msg, "rm -rf") || strings.Contains(out.String(), "no failure") {
				t.Errorf("%s, %s: last = %v, printed %q; want exit 1 naming %s and the fix", name, format, err, out.String(), path)
			}
		}
	}
}
