package helper

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// A renewal that failed is shared through the cache with the helpers that wait for the same token and those
// that come soon after (buildx starts dozens at once): they answer at once with its cause instead of each
// asking the registry again, which a throttling registry answers with more 429s and a slow one with a wait
// that outlasts the lock.

// failureShare is how long a renewal failure is shared: long enough for a burst of parallel calls to take
// the answer, short enough that a fix on the user's side (a role, a firewall rule) is tried again soon.
const failureShare = 30 * time.Second

// shareFor is how long a failure of cause id is shared: a throttling registry's Retry-After (at most
// tokencache.MaxFailureShare), else failureShare. Not shared: what the helper finds without asking anyone (no
// engine, an invalid configuration or name), and a refusal of the proxy, which answers at once without the
// registry ever being asked: both must work the moment they are fixed.
func shareFor(id, detail string) time.Duration {
	switch id {
	case cause.EngineMissing, cause.ConfigInvalid, cause.RegistryNameInvalid, cause.CacheLocked, cause.NetworkProxyError:
		return 0
	case cause.RegistryThrottled:
		if d := retryAfter(detail); d > 0 {
			return min(d, tokencache.MaxFailureShare)
		}
	}
	return failureShare
}

// failure is a renewal failure, shared for as long as shareFor says.
func (h *Helper) failure(id, detail string, anonymousPull bool) *tokencache.Failure {
	f := &tokencache.Failure{Cause: id, Detail: cause.Redact(detail), AnonymousPull: anonymousPull} // kept in a file: never a token
	if d := shareFor(id, detail); d > 0 {
		f.Until = h.now().Add(d)
	}
	return f
}

// failureDetail is a failure's detail, saying so when it is another call's, shared, and when acrdiag asks again.
func (h *Helper) failureDetail(f *tokencache.Failure) string {
	if !f.Shared {
		return f.Detail
	}
	ago := max(h.now().Sub(f.At), 0).Round(time.Second)
	return fmt.Sprintf("%s; the answer of a renewal %s ago, shared with the calls after it: acrdiag asks the registry again after %s",
		f.Detail, ago, f.Until.Local().Format("15:04:05"))
}

// retryAfter reads the Retry-After of a 429 from the detail the engine gave ("... (retry after 45s) ..."):
// seconds only, as ACR sends it.
func retryAfter(detail string) time.Duration {
	_, rest, ok := strings.Cut(detail, "retry after ")
	if !ok {
		return 0
	}
	digits, _, ok := strings.Cut(rest, "s")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
