package kubelet

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// MatchImage reports whether image matches pattern as the kubelet matches a provider's matchImages (and
// the keys of a response's auth) against an image: the same number of host labels, each label matched by
// its glob (a `*` never spans a dot), the same port (none matches none only), and the pattern's path a
// prefix of the image's. This is the kubelet's URLsMatchStr (pkg/credentialprovider/keyring.go).
func MatchImage(pattern, image string) bool {
	p, err := parseSchemeless(pattern)
	if err != nil {
		return false
	}
	t, err := parseSchemeless(image)
	if err != nil {
		return false
	}
	pLabels, pPort := splitHost(p)
	tLabels, tPort := splitHost(t)
	if pPort != tPort || len(pLabels) != len(tLabels) || !strings.HasPrefix(t.Path, p.Path) {
		return false
	}
	for i, glob := range pLabels {
		// filepath.Match, as the kubelet uses: its errors (a malformed glob) count as no match
		if ok, err := filepath.Match(glob, tLabels[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// parseSchemeless parses a pattern or image without a scheme, as the kubelet does: as if it had https://.
func parseSchemeless(s string) (*url.URL, error) { return url.Parse("https://" + s) }

func splitHost(u *url.URL) ([]string, string) {
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, ""
	}
	return strings.Split(host, "."), port
}

// ImageHost is the registry part of an image as the kubelet matches it (host and port as written), the
// key of a response's auth that is sure to match the image; "" when image does not parse.
func ImageHost(image string) string {
	u, err := parseSchemeless(image)
	if err != nil {
		return ""
	}
	return u.Host
}
