package helper

import (
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/testfs"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// listStore holds stored logins for List.
type listStore struct {
	emptyStore
	stored map[string]string
}

func (s listStore) List() (map[string]string, error) { return maps.Clone(s.stored), nil }

// TestListNamesEveryRegistryTheHelperAnswers: list names stored logins with their usernames, and the ACR
// registries of the configuration, the token cache and Docker's credHelpers entries naming acrdiag with the
// empty GUID; never a foreign host, another helper's registry or a malformed name.
func TestListNamesEveryRegistryTheHelperAnswers(t *testing.T) {
	const guid = loginserver.EmptyGUID
	tests := []struct {
		name       string
		stored     map[string]string
		registries []string
		cached     []string
		docker     string
		want       map[string]string
	}{
		{name: "nothing anywhere", want: map[string]string{}},
		{name: "stored logins only", stored: map[string]string{"https://index.docker.io/v1/": "bob"},
			want: map[string]string{"https://index.docker.io/v1/": "bob"}},
		{name: "configured registries", registries: []string{"configured.azurecr.io", "https://Other.azurecr.io/v2/"},
			want: map[string]string{"configured.azurecr.io": guid, "other.azurecr.io": guid}},
		{name: "cached registries", cached: []string{"cached.azurecr.cn"}, want: map[string]string{"cached.azurecr.cn": guid}},
		{name: "credHelpers naming acrdiag, not other helpers", docker: `{"credHelpers":{"minereg.azurecr.io":"acrdiag","theirsreg.azurecr.io":"pass","ghcr.io":"acrdiag"}}`,
			want: map[string]string{"minereg.azurecr.io": guid}},
		{name: "a stored login keeps its username", stored: map[string]string{"configured.azurecr.io": "admin"}, registries: []string{"configured.azurecr.io"},
			want: map[string]string{"configured.azurecr.io": "admin"}},
		{name: "malformed names in files are left out", registries: []string{"myregistry.privatelink.azurecr.io", "evil.example"},
			docker: `{"credHelpers":{"x.azurecr.io.evil.example":"acrdiag"}}`, want: map[string]string{}},
		{name: "an invalid config.json costs only its entries", docker: `{"credHelpers":`, cached: []string{"cachedreg.azurecr.io"},
			want: map[string]string{"cachedreg.azurecr.io": guid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dockerDir := testfs.TempDir(t)
			t.Setenv("DOCKER_CONFIG", dockerDir)
			if tt.docker != "" {
				if err := os.WriteFile(filepath.Join(dockerDir, "config.json"), []byte(tt.docker), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cache, err := tokencache.OpenFileCache(filepath.Join(testfs.TempDir(t), "cache"))
			if err != nil {
				t.Fatal(err)
			}
			for _, host := range tt.cached {
				if _, err := cache.Fill(host, "id", func(tokencache.Entry) bool { return false }, func() (tokencache.Entry, error) {
					return tokencache.Entry{RefreshToken: "secret-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			stored := tt.stored
			if stored == nil {
				stored = map[string]string{}
			}
			h := New(WithConfig(config.Config{Registries: tt.registries, CacheDir: testfs.TempDir(t)}, nil),
				WithStore(listStore{stored: stored}), WithCache(cache), WithStderr(io.Discard))
			got, err := h.List()
			if err != nil || !maps.Equal(got, tt.want) {
				t.Errorf("List = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

var _ credentials.Helper = (*Helper)(nil)
