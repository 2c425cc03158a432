package kubelet

import (
	"time"
)

// MaxCacheDuration caps how long the kubelet may keep a token: a role removed or an ABAC mode switched
// takes effect within it, though the token itself lives three hours.
const MaxCacheDuration = time.Hour

// CacheMargin is how long before the token expires the kubelet stops using its cached copy: a pull that
// starts then still gets a token that lasts through it.
const CacheMargin = 5 * time.Minute

// NoCredentials is the answer for an image that is not ACR's: the kubelet pulls anonymously, and caches
// nothing, so a later answer for the same host is asked again.
func NoCredentials(req Request) Response {
	return Response{APIVersion: req.APIVersion, Kind: ResponseKind, CacheKeyType: CacheKeyRegistry, CacheDuration: "0s",
		Auth: map[string]AuthConfig{}}
}

// Credentials is the answer with a token for key (the registry host as the image names it), cached for
// what the token's life allows.
func Credentials(req Request, key, username, password string, cacheFor time.Duration) Response {
	r := NoCredentials(req)
	r.CacheDuration = cacheFor.String()
	r.Auth[key] = AuthConfig{Username: username, Password: password}
	return r
}

// CacheDuration is how long the kubelet may cache a token issued at now that expires at expiresOn: until
// CacheMargin before it expires, at most MaxCacheDuration, never after it expires. 0 when the token lives
// less than the margin.
func CacheDuration(now, expiresOn time.Time) time.Duration {
	d := min(expiresOn.Sub(now)-CacheMargin, MaxCacheDuration)
	if d < time.Second {
		return 0
	}
	return d.Truncate(time.Second)
}
