package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// Explanation is what `docker acrcheck explain` prints: the causes, best first, in the documented JSON form.
type Explanation struct {
	Registry   string        `json:"registry,omitempty"`
	Repository string        `json:"repository,omitempty"`
	Action     string        `json:"action,omitempty"` // pull, push, build or login, when the text tells
	Tool       string        `json:"tool,omitempty"`   // the program that printed the text, when it can be told
	References []Ref         `json:"references,omitempty"`
	Causes     []CauseOutput `json:"causes"`
	// Earlier says where the reason is when the text only reports that an earlier step failed and names no
	// cause itself (a kubelet's back-off, a CI step's exit code)
	Earlier string `json:"earlier,omitempty"`
}

// CauseOutput is one cause in an explanation.
type CauseOutput struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Why        string   `json:"why"`
	Fix        string   `json:"fix"`
	Confidence string   `json:"confidence"`
	Evidence   []string `json:"evidence,omitempty"`  // the facts the cause rests on
	Diagnosis  string   `json:"diagnosis,omitempty"` // with --check: confirmed or ruled out
}

// Input is what is explained: the text, and what the caller knows beyond it.
type Input struct {
	Text     string
	Action   string // pull, push, build or login: the command that failed, when the caller knows it
	Registry string // the registry the command used, when the text does not name one
}

// Explain explains text: its facts, what machine knows about the registry it names (nil: nothing, as
// with --offline), and the causes they support, best first, each with its evidence and the fix filled in.
func Explain(text string, machine *Machine) Explanation {
	return ExplainInput(Input{Text: text}, machine)
}

// ExplainInput is Explain with what the caller knows beyond the text.
func ExplainInput(in Input, machine *Machine) Explanation {
	return ExplainFacts(Extract(in.Text), in, machine)
}

// ExplainFacts is ExplainInput for facts already extracted from in.Text.
func ExplainFacts(f *Facts, in Input, machine *Machine) Explanation {
	if in.Action != "" {
		f.Action = in.Action
	}
	host := f.Host()
	if host == "" {
		host = in.Registry
	}
	e := Explanation{Registry: host, Repository: f.Repository(), Action: f.Action, Tool: f.Tool, References: f.Refs, Causes: []CauseOutput{}}
	for _, m := range rank(f, machine.findings(f, host)) {
		e.Causes = append(e.Causes, CauseOutput{ID: m.ID, Title: m.Title, Why: m.Why,
			Fix: cause.FixWithEvidence(m.ID, host, f.Text+"\n"+strings.Join(m.Evidence, "\n")), Confidence: m.Confidence, Evidence: m.Evidence})
	}
	if len(e.Causes) == 0 && host != "" {
		// about a registry, but nothing known: say so, with the diagnosis of that registry as the next step
		u, _ := cause.Lookup(cause.Unknown)
		e.Causes = append(e.Causes, CauseOutput{ID: u.ID, Title: u.Title, Why: u.Why, Fix: cause.FixFor(u.ID, host), Confidence: Low,
			Evidence: []string{"the text names " + host + ", but nothing in it points to a known cause"}})
	}
	if e.nothingKnown() {
		// nothing in the text but perhaps a report that an earlier step failed: its reason was printed elsewhere
		e.Earlier = findEarlier(f.lower)
	}
	return e
}

// nothingKnown reports whether the explanation names no cause, not even a candidate after "unknown".
func (e Explanation) nothingKnown() bool {
	return len(e.Causes) == 0 || len(e.Causes) == 1 && e.Causes[0].ID == cause.Unknown
}

// WriteText writes the explanation for a person; limit caps the causes shown (0: all).
func (e Explanation) WriteText(w io.Writer, limit int) error {
	var b strings.Builder
	if e.nothingKnown() {
		b.WriteString("No known registry problem matches this text.\n")
		if e.Earlier != "" {
			fmt.Fprintf(&b, "It only reports that an earlier step failed: %s. Explain that message instead: docker acrcheck explain '<message>'\n", e.Earlier)
		}
		if e.Registry != "" {
			fmt.Fprintf(&b, "Diagnose the registry itself: docker acrcheck %s\n", e.Registry)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	if e.Registry != "" {
		fmt.Fprintf(&b, "Registry: %s\n", e.Registry)
	}
	b.WriteString("Likely causes, best first:\n")
	for i, c := range e.Causes {
		if limit > 0 && i == limit {
			break
		}
		verdict := ""
		if c.Diagnosis != "" {
			verdict = ", " + c.Diagnosis + " by the diagnosis"
		}
		fmt.Fprintf(&b, "\n%d. %s [%s, %s confidence%s]\n   why: %s\n", i+1, c.Title, c.ID, c.Confidence, verdict, c.Why)
		for _, ev := range c.Evidence {
			fmt.Fprintf(&b, "   evidence: %s\n", ev)
		}
		fmt.Fprintf(&b, "   fix: %s\n", c.Fix)
	}
	if e.Registry != "" {
		fmt.Fprintf(&b, "\nTo confirm: docker acrcheck %s\n", e.Registry)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
