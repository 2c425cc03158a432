package helper

import (
	"strings"
	"testing"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// TestErrorLineRedactsTokens: a token an upstream error quoted (Entra's, the registry's) never reaches the
// helper's error line, which Docker and CI logs keep, nor its failure record.
func TestErrorLineRedactsTokens(t *testing.T) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	const host = "myregistry.azurecr.io"
	dir := testfs.TempDir(t)
	renewer := fakeRenewer{res: engineproc.RenewResult{Cause: cause.AuthInvalidCredentials, Detail: "the exchange refused the access token " + token + ": invalid"}}
	h := New(WithConfig(config.Config{CacheDir: dir}, nil), WithStore(emptyStore{}), WithCache(tokencache.NullCache{}), WithRenewer(renewer), WithStderr(&strings.Builder{}))
	_, _, err := h.Get(host)
	if err == nil || strings.Contains(err.Error(), "eyJ") || !strings.Contains(err.Error(), "<token redacted>") {
		t.Errorf("error line %v", err)
	}
	if rec, ok := lastfailure.Last(dir, host); !ok || strings.Contains(rec.Detail, "eyJ") {
		t.Errorf("record %+v %v", rec, ok)
	}
	direct := (&Error{Host: host, Cause: cause.Unknown, Detail: "boom " + token}).Error()
	if strings.Contains(direct, "eyJ") {
		t.Errorf("Error() = %q", direct)
	}
}
