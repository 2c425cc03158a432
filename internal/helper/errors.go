package helper

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/acrdiag/acrdiag/internal/explain"
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
	if c, ok := explain.Lookup(e.Cause); ok {
		title = strings.ToLower(c.Title[:1]) + c.Title[1:]
	}
	return fmt.Sprintf("acrdiag: no credentials for %s: %s (%s). Fix: %s. Details: docker acrcheck %s [%s]",
		e.Host, title, e.Detail, explain.FixFor(e.Cause, e.Host), e.Host, e.Cause)
}

var (
	aadsts     = regexp.MustCompile(`AADSTS\d+: [^\r\n]*?(?:\.\s|$|\r|\n)`)
	azCLIError = regexp.MustCompile(`ERROR: [^\r\n]*`)
	spaces     = regexp.MustCompile(`\s+`)
)

// oneLine boils an error message down to its telling part, on one line: Entra's AADSTS sentence, the Azure
// CLI's ERROR line, or the message with its whitespace folded.
func oneLine(msg string) string {
	if m := aadsts.FindString(msg); m != "" {
		msg = m
	} else if m := azCLIError.FindString(msg); m != "" {
		msg = m
	}
	msg = strings.TrimSpace(spaces.ReplaceAllString(msg, " "))
	msg = strings.TrimSuffix(msg, ".")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}
