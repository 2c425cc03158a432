package lastfailure

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acrdiag/acrdiag/internal/testfs"
)

func TestAddKeepsNewestFirstAndRedacts(t *testing.T) {
	dir := testfs.TempDir(t)
	for i := 0; i < keep+5; i++ {
		if err := Add(dir, Record{Host: "a.azurecr.io", Cause: "auth.no_identity", Detail: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	_ = Add(dir, Record{Host: "b.azurecr.io", Cause: "auth.token_expired", Detail: "token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl expired"})
	records, err := Read(dir)
	if err != nil || len(records) != keep || records[0].Host != "b.azurecr.io" {
		t.Fatalf("records = %d, %v", len(records), err)
	}
	if strings.Contains(records[0].Detail, "eyJ") || !strings.Contains(records[0].Detail, "<token redacted>") {
		t.Errorf("detail not redacted: %q", records[0].Detail)
	}
	if r, ok := Last(dir, "a.azurecr.io"); !ok || r.Cause != "auth.no_identity" {
		t.Errorf("Last = %+v", r)
	}
	testfs.WantPerm(t, filepath.Join(dir, FileName), 0o600)
}

func TestCorruptFileIsReplaced(t *testing.T) {
	dir := testfs.TempDir(t)
	_ = os.WriteFile(filepath.Join(dir, FileName), []byte("\x00garbage"), 0o600)
	if err := Add(dir, Record{Host: "a.azurecr.io", Cause: "c"}); err != nil {
		t.Fatal(err)
	}
	if records, err := Read(dir); err != nil || len(records) != 1 {
		t.Errorf("records = %v, %v", records, err)
	}
}

// TestUnusableRecordFiles: a directory, a huge file or a corrupt one in the record's place is named with
// its fix, never taken for "no failure", and a huge one is not read.
func TestUnusableRecordFiles(t *testing.T) {
	for name, plant := range map[string]func(path string) error{
		"a directory": func(p string) error { return os.Mkdir(p, 0o700) },
		"a huge file": func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			err = f.Truncate(4 << 30) // sparse: costs nothing unless read
			return errors.Join(err, f.Close())
		},
		"corrupt JSON": func(p string) error { return os.WriteFile(p, []byte(`[{"host":`), 0o600) },
	} {
		dir := testfs.TempDir(t)
		path := filepath.Join(dir, FileName)
		if err := plant(path); err != nil {
			t.Fatal(err)
		}
		_, err := Read(dir)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != path || !strings.Contains(err.Error(), "rm -rf") {
			t.Errorf("%s: Read = %v", name, err)
		}
		addErr := Add(dir, Record{Host: "corp.azurecr.io", Cause: "auth.no_identity", Detail: "x"})
		if name == "corrupt JSON" {
			if recs, err := Read(dir); addErr != nil || err != nil || len(recs) != 1 {
				t.Errorf("a corrupt record is not replaced by the new one: %v %v %v", addErr, err, recs)
			}
		} else if addErr == nil {
			t.Errorf("%s: Add overwrote it", name)
		}
	}
}

// FuzzRead: any record file is read as records or refused with a FileError naming it; never a panic, and
// after an Add the new record is the newest unless the file is not acrdiag's to replace.
func FuzzRead(f *testing.F) {
	for _, s := range []string{`[]`, `[{"host":"a.azurecr.io","cause":"auth.no_identity"}]`, `null`, `{`, "\x00\xff"} {
		f.Add(s)
	}
	dir := testfs.TempDir(f) // one per fuzzing process, the file rewritten for each input: a directory per input is slow
	f.Fuzz(func(t *testing.T, content string) {
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
			t.Skip()
		}
		if _, err := Read(dir); err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Read: %v is no FileError", err)
			}
		}
		if err := Add(dir, Record{Host: "new.azurecr.io", Cause: "auth.no_identity", Detail: "eyJhbGciOi.eyJzdWIiOi.c2ln"}); err != nil {
			return
		}
		recs, err := Read(dir)
		if err != nil || len(recs) == 0 || recs[0].Host != "new.azurecr.io" || strings.Contains(recs[0].Detail, "eyJ") {
			t.Fatalf("after Add: %v %+v", err, recs)
		}
	})
}

// TestStateFilesAreNotWrittenThroughLinks: a symlink planted where the record or the activity file goes is
// replaced, and its target keeps its content.
func TestStateFilesAreNotWrittenThroughLinks(t *testing.T) {
	dir := testfs.TempDir(t)
	victim := filepath.Join(testfs.TempDir(t), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileName, activityFile} {
		testfs.SymlinkOrSkip(t, victim, filepath.Join(dir, name))
	}
	NoteActivity(dir, "corp.azurecr.io")
	_ = Add(dir, Record{Host: "corp.azurecr.io", Cause: "auth.no_identity", Detail: "x"})
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("a planted link redirected a write: the target now holds %q", b)
	}
	if h, ok := RecentActivity(dir, time.Minute); !ok || h != "corp.azurecr.io" {
		t.Errorf("RecentActivity = %q, %v", h, ok)
	}
}
