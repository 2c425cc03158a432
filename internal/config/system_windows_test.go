//go:build windows

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/winacl"
)

// TestPlantedSystemConfigIsRefused: a %ProgramData%\acrdiag\config.json in a folder an ordinary user made
// (before any administrator) is not used, whatever it says: its suffix is not trusted, its lock does not
// hold, the user's file still applies, and the error names who could write it and the fix.
func TestPlantedSystemConfigIsRefused(t *testing.T) {
	programData := testfs.TempDir(t)
	t.Setenv("ProgramData", programData)
	t.Setenv("ACRDIAG_SYSTEM_CONFIG", "")
	user := filepath.Join(testfs.TempDir(t), "config.json")
	t.Setenv("ACRDIAG_CONFIG", user)
	planted := filepath.Join(programData, "acrdiag", "config.json")
	if err := os.MkdirAll(filepath.Dir(planted), 0o755); err != nil {
		t.Fatal(err)
	}
	if d, err := winacl.Read(filepath.Dir(planted)); err == nil && d.WriterProblem(nil) == "" {
		t.Skip("the test runs as an administrator: its folders are ones only administrators may write")
	}
	if err := os.WriteFile(planted, []byte(`{"loginServerSuffixes":["evil.example.com"],"tenant":"planted","locked":["tenant"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(user, []byte(`{"tenant":"mine"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load()
	var ue *winacl.UnsafeError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), planted) || !strings.Contains(err.Error(), "icacls") ||
		!strings.Contains(err.Error(), "docker acrcheck setup --system") {
		t.Errorf("error %v: want the planted file refused, with the fix", err)
	}
	if len(cfg.LoginServerSuffixes) != 0 || cfg.Tenant != "mine" {
		t.Errorf("configuration %+v: the planted file was used", cfg)
	}
}
