package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
)

var errNoTags = errors.New("the repository has no tags")

const manifestTypes = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, " +
	"application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"

// answer is a data-plane response, read and closed.
type answer struct {
	StatusCode int
	Status     string
	Header     http.Header
}

// registryGet is an authorized data-plane GET that does not follow redirects.
func (e *Env) registryGet(ctx context.Context, path, bearer string) (answer, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+e.LS.Host+path, nil)
	if err != nil {
		return answer{}, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", manifestTypes)
	resp, err := e.httpClient().Do(req)
	if err != nil {
		return answer{}, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return answer{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}, body, err
}

// blobDigest finds a blob of the repository: the config of the first tag's (first) manifest.
func (e *Env) blobDigest(ctx context.Context, bearer string) (string, error) {
	repo := e.Opts.Repository
	resp, body, err := e.registryGet(ctx, "/v2/"+repo+"/tags/list", bearer)
	if err != nil {
		return "", err
	}
	var tags struct{ Tags []string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tags) != nil || len(tags.Tags) == 0 {
		return "", errNoTags
	}
	ref := tags.Tags[0]
	for range 2 { // an index, then one of its manifests
		resp, body, err = e.registryGet(ctx, "/v2/"+repo+"/manifests/"+ref, bearer)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET manifest %s: %s", ref, resp.Status)
		}
		var m struct {
			Config    struct{ Digest string }
			Layers    []struct{ Digest string }
			Manifests []struct{ Digest string }
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return "", fmt.Errorf("manifest %s: %w", ref, err)
		}
		switch {
		case len(m.Layers) > 0:
			return m.Layers[0].Digest, nil
		case m.Config.Digest != "":
			return m.Config.Digest, nil
		case len(m.Manifests) > 0:
			ref = m.Manifests[0].Digest
			continue
		}
		break
	}
	return "", errNoTags
}

// dataEndpointCheck: a layer download is redirected to a data endpoint or storage host; can this machine
// reach it? Login works and pulls still fail when it cannot.
func dataEndpointCheck(ctx context.Context, e *Env) Result {
	if e.Name != nil || e.Opts.Repository == "" {
		return skip("no --repository given")
	}
	a, err := e.access()
	if err != nil || len(a.Granted) == 0 {
		return skip("no pull token for " + e.Opts.Repository + " (see the permissions check)")
	}
	digest, err := e.blobDigest(ctx, a.Token)
	if errors.Is(err, errNoTags) {
		return skip(e.Opts.Repository + " has no tags: nothing to download")
	}
	if err != nil {
		return skip("could not find a layer: " + cause.Summarize(err.Error()))
	}
	resp, _, err := e.registryGet(ctx, "/v2/"+e.Opts.Repository+"/blobs/"+digest, a.Token)
	if err != nil {
		return e.connectFailure(e.LS.Host, err)
	}
	if resp.StatusCode == http.StatusOK {
		return pass("layers download from the login server itself")
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode/100 != 3 || err != nil || loc.Host == "" {
		return e.fail(cause.NetworkDataEndpoint, fmt.Sprintf("a layer download answered %s without a redirect", resp.Status), "")
	}
	host := loc.Hostname()
	r := e.tlsTo(ctx, host)
	if r.Status == Fail {
		r.Cause = cause.NetworkDataEndpoint
		r.Fix = cause.FixFor(cause.NetworkDataEndpoint, e.LS.Host)
		r.Summary = "layers download from " + host + ", which this machine cannot reach: " + r.Summary
		return r
	}
	kind := "a storage account"
	if strings.Contains(host, ".data.") {
		kind = "the dedicated data endpoint"
	}
	return pass(fmt.Sprintf("layers download from %s (%s), reachable", host, kind))
}
