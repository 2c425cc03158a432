package acrtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// handlerTransport hands requests straight to a handler, bypassing the emulator's authorization: it is how
// the kit puts content into a registry before a test starts.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil { // a server request always has a body
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r // clients resolve relative Location headers against it
	return resp, nil
}

// Seed puts a small random image at repo:tag of the named registry and returns it.
func (k *Kit) Seed(registryName, repoTag string) (v1.Image, error) {
	reg := k.registries[registryName]
	if reg == nil {
		return nil, fmt.Errorf("acrtest: unknown registry %s", registryName)
	}
	ref, err := name.ParseReference(reg.config().Host() + "/" + repoTag)
	if err != nil {
		return nil, err
	}
	img, err := random.Image(1024, 1)
	if err != nil {
		return nil, err
	}
	if err := remote.Write(ref, img, remote.WithTransport(handlerTransport{reg.backend})); err != nil {
		return nil, fmt.Errorf("seed %s: %w", ref, err)
	}
	return img, nil
}
