package cause

import (
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
)

var (
	aadsts     = lazyre.New(`AADSTS\d+: [^\r\n]*?(?:\.\s|$|\r|\n)`)
	azCLIError = lazyre.New(`ERROR: [^\r\n]*`)
	spaces     = lazyre.New(`\s+`)
)

// Summarize boils an error message down to its telling part, on one line: Entra's AADSTS sentence, the Azure
// CLI's ERROR line, or the message with its whitespace folded.
func Summarize(msg string) string {
	if m := aadsts().FindString(msg); m != "" {
		msg = m
	} else if m := azCLIError().FindString(msg); m != "" {
		msg = m
	}
	msg = strings.TrimSpace(spaces().ReplaceAllString(msg, " "))
	msg = strings.TrimSuffix(msg, ".")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}
