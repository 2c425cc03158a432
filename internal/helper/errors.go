package helper

import (
	"fmt"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// Error is a get failure the user sees: Docker 28.1 and later print a helper's stdout message verbatim and
// stop, so it is one line with the cause, what happened and the fix.
type Error struct {
	Host   string
	Cause  string // a catalogue id
	Detail string
}

func (e *Error) Error() string {
	title := e.Cause
	if c, ok := cause.Lookup(e.Cause); ok {
		title = strings.ToLower(c.Title[:1]) + c.Title[1:]
	}
	return cause.Redact(fmt.Sprintf("acrdiag: no credentials for %s: %s (%s). Fix: %s. Details: docker acrcheck %s [%s]",
		e.Host, title, e.Detail, cause.FixWithEvidence(e.Cause, e.Host, e.Detail), e.Host, e.Cause))
}
