package renew

import (
	"regexp"
	"strings"
)

// attempt is one credential's failure in the error of azidentity's chain (DefaultAzureCredential), which
// keeps only the text of each: "Attempted credentials:" then one tab-indented entry per credential, the
// lines of an HTTP answer indented once more.
type attempt struct {
	Credential string // EnvironmentCredential, ManagedIdentityCredential, AzureCLICredential...
	Message    string // what it said, on one line
	Request    string // "GET http://host/path", when an endpoint answered
	Status     string // "403 Forbidden", when an endpoint answered
	Body       string // the first line of the answer
}

var (
	credentialName = regexp.MustCompile(`^([A-Za-z]+Credential)(?::\s*| authentication failed\.\s*)(.*)$`)
	responseLine   = regexp.MustCompile(`^RESPONSE \d+: (.*)$`)
	requestLine    = regexp.MustCompile(`^(GET|POST) (\S+)$`)
)

// parseChain reads the attempts out of a chain's error text; nil when msg is not one.
func parseChain(msg string) []attempt {
	_, list, ok := strings.Cut(msg, "Attempted credentials:")
	if !ok {
		return nil
	}
	// Entries start with one tab, the lines of an entry's HTTP answer with two.
	var entries [][]string
	for _, l := range strings.Split(list, "\n") {
		switch {
		case strings.HasPrefix(l, "\t\t") && len(entries) > 0:
			entries[len(entries)-1] = append(entries[len(entries)-1], l)
		case strings.HasPrefix(l, "\t"):
			entries = append(entries, []string{l})
		}
	}
	var out []attempt
	for _, lines := range entries {
		m := credentialName.FindStringSubmatch(strings.TrimSpace(lines[0]))
		if m == nil {
			continue
		}
		a := attempt{Credential: m[1], Message: strings.TrimSpace(m[2])}
		for _, l := range lines[1:] {
			l = strings.TrimSpace(l)
			switch {
			case l == "" || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "To troubleshoot"):
			case requestLine.MatchString(l):
				a.Request = l
			case responseLine.MatchString(l):
				a.Status = responseLine.FindStringSubmatch(l)[1]
			case a.Status != "" && a.Body == "":
				a.Body = l
			}
		}
		out = append(out, a)
	}
	return out
}

// stoppedAt is the credential whose failure ended the chain: the last one tried.
func stoppedAt(chain []attempt) string {
	if len(chain) == 0 {
		return ""
	}
	return chain[len(chain)-1].Credential
}

// summarizeChain is the chain's failure on one line: each credential and, briefly, why it gave no token.
func summarizeChain(chain []attempt) string {
	parts := make([]string, 0, len(chain))
	for _, a := range chain {
		parts = append(parts, a.Credential+": "+a.why())
	}
	return strings.Join(parts, "; ")
}

func (a attempt) why() string {
	if a.Status != "" {
		s := a.Request + " answered " + a.Status
		if a.Request == "" {
			s = "answered " + a.Status
		}
		if a.Body != "" {
			s += " (" + clip(a.Body, 80) + ")"
		}
		if a.Credential == "ManagedIdentityCredential" {
			s += ", which is not a managed identity endpoint"
		}
		return s
	}
	msg := urlQuery.ReplaceAllString(a.Message, "$1")
	if i := strings.Index(msg, ". "); i > 0 {
		msg = msg[:i]
	}
	msg = clip(strings.TrimSuffix(strings.TrimSpace(strings.SplitN(msg, " To troubleshoot", 2)[0]), "."), 160)
	if a.Credential == "ManagedIdentityCredential" && !strings.Contains(msg, "managed identity") {
		msg += ": no managed identity answers there"
	}
	return msg
}

// urlQuery matches the query of a URL quoted in an error (the managed identity request's api-version and
// resource): noise on a line that should say what failed.
var urlQuery = regexp.MustCompile(`(https?://[^"\s?]*)\?[^"\s]*`)

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
