package explain

import (
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// Confidence of a match.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// Match is a cause that explains a text, with how sure the classifier is and the evidence it rests on.
type Match struct {
	cause.Cause
	Confidence string
	Score      int
	Evidence   []string
}

var ansi = lazyre.New(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

// maxClassified bounds the text looked at: the start and the end of a huge log, where errors are.
const maxClassified = 1 << 20

// Normalize makes pasted text comparable and safe to quote: no colour codes, no carriage returns, no
// tokens, and for huge text only its first and last half megabyte.
func Normalize(text string) string {
	if len(text) > maxClassified {
		text = text[:maxClassified/2] + "\n...\n" + text[len(text)-maxClassified/2:]
	}
	if strings.Contains(text, "\x1b") {
		text = ansi().ReplaceAllString(text, "")
	}
	return cause.Redact(strings.ReplaceAll(text, "\r", ""))
}

// Host picks the first ACR login server named in the text (or the one a mistyped name meant), in lower case.
func Host(text string) string { return Extract(text).Host() }

// Classify returns the causes the text points to, best first; none when nothing matches.
func Classify(text string) []Match {
	return Extract(text).Classify()
}

// Classify ranks the causes the facts alone point to.
func (f *Facts) Classify() []Match {
	return rank(f, nil)
}

// rank scores the causes the rules find in the facts, plus what the machine adds (local), best first.
// When nothing stronger than a hint supports any cause, "unknown" comes first: a confident wrong cause
// costs a user more than an honest "unknown".
func rank(f *Facts, local []finding) []Match {
	var all []finding
	for _, r := range rules {
		all = append(all, r(f)...)
	}
	all = adjust(f, append(all, local...))
	// the strongest evidence first: what the helper recorded outweighs a phrase of the text
	slices.SortStableFunc(all, func(a, b finding) int { return b.weight - a.weight })
	score := map[string]int{}
	best := map[string]int{}
	evidence := map[string][]string{}
	for _, v := range all {
		if v.weight <= 0 {
			continue
		}
		score[v.cause] += v.weight
		best[v.cause] = max(best[v.cause], v.weight)
		if !slices.Contains(evidence[v.cause], v.evidence) {
			evidence[v.cause] = append(evidence[v.cause], v.evidence)
		}
	}
	var out []Match
	for id, sc := range score {
		c, ok := cause.Lookup(id)
		if !ok {
			continue
		}
		conf := Low
		switch {
		case best[id] >= 3:
			conf = High
		case best[id] == 2:
			conf = Medium
		}
		out = append(out, Match{Cause: c, Confidence: conf, Score: best[id]*100 + sc, Evidence: evidence[id]})
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > 0 && out[0].Confidence == Low {
		u, _ := cause.Lookup(cause.Unknown)
		out = append([]Match{{Cause: u, Confidence: Low, Score: out[0].Score + 1, Evidence: []string{"only hints, none that points to one cause"}}}, out...)
	}
	return out
}
