package helper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

const storeHost = "myregistry.azurecr.io"

func storeCreds() *credentials.Credentials {
	return &credentials.Credentials{ServerURL: storeHost, Username: "admin", Secret: "hunter2"}
}

// testStore is a FileStore in a temporary directory whose notes are kept.
func testStore(t *testing.T) (*FileStore, *[]string) {
	t.Helper()
	var notes []string
	s := &FileStore{Path: filepath.Join(testfs.TempDir(t), "acrdiag", "credentials.json"),
		Warn: func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }}
	return s, &notes
}

// setAside lists the copies a store kept of a corrupt file.
func setAside(t *testing.T, s *FileStore) []string {
	t.Helper()
	m, _ := filepath.Glob(s.Path + ".corrupt-*")
	return m
}

// assertUserError checks the shape of what store prints when it fails: one line, acrdiag's prefix, the file,
// the reason, and the fix.
func assertUserError(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "acrdiag: ") || strings.Contains(msg, "\n") || !strings.Contains(msg, ". Fix: ") {
		t.Errorf("error %q, want one line: acrdiag: what happened (why). Fix: ...", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error %q holds the secret", msg)
	}
}

// TestFileStoreSetsAsideOnlyACorruptFile: a file that does not parse is kept aside and the user told, with
// the fix; a file that cannot be read (permission denied, a directory in its place) makes store fail with a
// clear message and changes nothing, so that its entries are not silently lost.
func TestFileStoreSetsAsideOnlyACorruptFile(t *testing.T) {
	t.Run("corrupt", func(t *testing.T) {
		s, notes := testStore(t)
		_ = os.MkdirAll(filepath.Dir(s.Path), 0o700)
		if err := os.WriteFile(s.Path, []byte(`{"auths": {"a.azurecr.io": `), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(storeCreds()); err != nil {
			t.Fatalf("store over a corrupt file: %v", err)
		}
		aside := setAside(t, s)
		if len(aside) != 1 {
			t.Fatalf("copies kept aside: %v, want 1", aside)
		}
		if b, _ := os.ReadFile(aside[0]); string(b) != `{"auths": {"a.azurecr.io": ` {
			t.Errorf("the copy kept aside holds %q", b)
		}
		if u, p, err := s.Get(storeHost); err != nil || u != "admin" || p != "hunter2" {
			t.Errorf("after the reset: %q %q %v", u, p, err)
		}
		if len(*notes) != 1 {
			t.Fatalf("notes %q, want one", *notes)
		}
		note := (*notes)[0]
		for _, w := range []string{"acrdiag: ", s.Path, "is corrupt", aside[0], "Fix: ", "docker login"} {
			if !strings.Contains(note, w) {
				t.Errorf("note %q does not say %q", note, w)
			}
		}
	})
	unreadable := func(t *testing.T, s *FileStore, notes *[]string, want ...string) {
		t.Helper()
		before, _ := os.Lstat(s.Path)
		err := s.Add(storeCreds())
		assertUserError(t, err, append([]string{s.Path, "nothing was changed"}, want...)...)
		if aside := setAside(t, s); len(aside) != 0 {
			t.Errorf("an unreadable file was set aside as %v", aside)
		}
		if after, err := os.Lstat(s.Path); err != nil || !os.SameFile(before, after) || after.ModTime() != before.ModTime() {
			t.Errorf("the unreadable file was changed: %v", err)
		}
		if len(*notes) != 0 {
			t.Errorf("notes %q", *notes)
		}
		if _, _, err := s.Get(storeHost); err == nil || credentials.IsErrCredentialsNotFound(err) {
			t.Errorf("get from an unreadable file = %v, want its error, not 'not found'", err)
		}
	}
	t.Run("a directory in its place", func(t *testing.T) {
		s, notes := testStore(t)
		if err := os.MkdirAll(s.Path, 0o700); err != nil {
			t.Fatal(err)
		}
		unreadable(t, s, notes, "is not a regular file but a directory", "mv ")
	})
	t.Run("permission denied (injected)", func(t *testing.T) {
		s, notes := testStore(t)
		_ = os.MkdirAll(filepath.Dir(s.Path), 0o700)
		if err := os.WriteFile(s.Path, []byte(`{"auths":{"a.azurecr.io":{"username":"u","secret":"s"}}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		s.openFile = func(name string) (*os.File, error) {
			return nil, &os.PathError{Op: "open", Path: name, Err: syscall.EACCES}
		}
		unreadable(t, s, notes, "permission denied", "chown", "chmod 600 "+s.Path)
	})
	t.Run("permission denied (chmod 000)", func(t *testing.T) {
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			t.Skip("root reads a file of mode 000 (the injected case above and e2e's TestStoreHardening cover it)")
		}
		s, notes := testStore(t)
		_ = os.MkdirAll(filepath.Dir(s.Path), 0o700)
		if err := os.WriteFile(s.Path, []byte(`{"auths":{}}`), 0o000); err != nil {
			t.Fatal(err)
		}
		unreadable(t, s, notes, "permission denied", "chown")
	})
}

// TestFileStoreChecksSizeBeforeReading: a credentials file far larger than any acrdiag writes is an error
// naming the file and the fix, decided without reading it, and is left as it is.
func TestFileStoreChecksSizeBeforeReading(t *testing.T) {
	s, notes := testStore(t)
	_ = os.MkdirAll(filepath.Dir(s.Path), 0o700)
	f, err := os.Create(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	_ = f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, getErr := s.Get(storeHost)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("get allocated %d bytes, want the size checked before reading", alloc)
	}
	assertUserError(t, getErr, s.Path, "bytes", "mv "+s.Path)
	err = s.Add(storeCreds())
	assertUserError(t, err, s.Path, "nothing was changed", "mv "+s.Path)
	if st, _ := os.Stat(s.Path); st.Size() != 64<<20 || len(setAside(t, s)) != 0 || len(*notes) != 0 {
		t.Errorf("the oversized file was changed or set aside: %d bytes, %v, %q", st.Size(), setAside(t, s), *notes)
	}
}

// TestFileStoreErrorsSayWhatWhyAndFix: a store that cannot be written says so with acrdiag's prefix, the
// reason in words and the command that fixes it, not as a bare Go error.
func TestFileStoreErrorsSayWhatWhyAndFix(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"disk full", syscall.ENOSPC, []string{"the disk is full", "df -h "}},
		{"quota", syscall.EDQUOT, []string{"quota", "df -h "}},
		{"permission denied", syscall.EACCES, []string{"may not write", "chown", "chmod 700 "}},
		{"read-only", syscall.EROFS, []string{"read-only", "ACRDIAG_CONFIG"}},
		{"anything else", syscall.EIO, []string{"input/output error", "ls -ld "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := testStore(t)
			s.writeFile = func(path string, _ []byte, _ os.FileMode) error {
				return &os.PathError{Op: "write", Path: filepath.Join(filepath.Dir(path), ".credentials.json.tmp-123"), Err: tt.err}
			}
			err := s.Add(storeCreds())
			assertUserError(t, err, append([]string{"could not store the credentials for " + storeHost, s.Path}, tt.want...)...)
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
		})
	}
	t.Run("a directory that cannot be made", func(t *testing.T) {
		file := filepath.Join(testfs.TempDir(t), "a-file")
		_ = os.WriteFile(file, nil, 0o600)
		s := &FileStore{Path: filepath.Join(file, "acrdiag", "credentials.json")}
		assertUserError(t, s.Add(storeCreds()), "could not store the credentials for "+storeHost, filepath.Join(file, "acrdiag"))
	})
}

// TestFileStoreLockIsNotCreatedThroughALink: a link planted where the store's lock goes creates nothing at
// its target.
func TestFileStoreLockIsNotCreatedThroughALink(t *testing.T) {
	s, _ := testStore(t)
	_ = os.MkdirAll(filepath.Dir(s.Path), 0o700)
	victim := filepath.Join(testfs.TempDir(t), "victim")
	testfs.SymlinkOrSkip(t, victim, s.Path+".lock")
	if err := s.Add(storeCreds()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(victim); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock was created through the planted link at %s (%v)", victim, err)
	}
}

// TestStoreNeverFailsOnOrdinaryInput: whatever docker login hands over for any server is stored.
func TestStoreNeverFailsOnOrdinaryInput(t *testing.T) {
	s, notes := testStore(t)
	for _, c := range []*credentials.Credentials{
		{ServerURL: "https://index.docker.io/v1/", Username: "bob", Secret: "pw"},
		{ServerURL: storeHost, Username: loginserver.EmptyGUID, Secret: "eyJhbGciOiJub25lIn0.eyJleHAiOjF9."},
		{ServerURL: "https://myregistry.azurecr.io/v2/", Username: "<token>", Secret: "x"},
		{ServerURL: "localhost:5000", Username: "", Secret: ""},
		{ServerURL: "ünïcode.example", Username: "ü", Secret: strings.Repeat("s", 50<<10)},
	} {
		if err := s.Add(c); err != nil {
			t.Errorf("store %q: %v", c.ServerURL, err)
		}
	}
	if list, err := s.List(); err != nil || len(list) != 5 || len(*notes) != 0 {
		t.Errorf("list = %v, %v; notes %q", list, err, *notes)
	}
}

// TestHelperStoreFailureIsRecorded: a store that fails is said to docker login (which prints it) and kept in
// the failure record with its fix, for the hook and docker acrcheck last.
func TestHelperStoreFailureIsRecorded(t *testing.T) {
	s, _ := testStore(t)
	s.writeFile = func(string, []byte, os.FileMode) error {
		return &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}
	}
	dir := testfs.TempDir(t)
	h := New(WithConfig(config.Config{CacheDir: dir}, nil), WithStore(s), WithCache(tokencache.NullCache{}), WithStderr(io.Discard))
	err := h.Add(storeCreds())
	assertUserError(t, err, "the disk is full")
	rec, ok := lastfailure.Last(dir, storeHost)
	if !ok || rec.Action != "store" || rec.Cause != cause.DockerCredentialStore || !strings.Contains(rec.Detail, "df -h") {
		t.Errorf("record %+v, want the store failure with its fix", rec)
	}
}
