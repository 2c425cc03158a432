package lastfailure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddKeepsNewestFirstAndRedacts(t *testing.T) {
	dir := t.TempDir()
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
	if st, _ := os.Stat(filepath.Join(dir, FileName)); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v", st.Mode())
	}
}

func TestCorruptFileIsReplaced(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, FileName), []byte("\x00garbage"), 0o600)
	if err := Add(dir, Record{Host: "a.azurecr.io", Cause: "c"}); err != nil {
		t.Fatal(err)
	}
	if records, err := Read(dir); err != nil || len(records) != 1 {
		t.Errorf("records = %v, %v", records, err)
	}
}
