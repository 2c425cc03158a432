package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// Explanation is what `docker acrcheck explain` prints: the causes, best first, in the documented JSON form.
type Explanation struct {
	Registry string        `json:"registry,omitempty"`
	Causes   []CauseOutput `json:"causes"`
}

// CauseOutput is one cause in an explanation.
type CauseOutput struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Why        string `json:"why"`
	Fix        string `json:"fix"`
	Confidence string `json:"confidence"`
}

// Explain classifies text and fills the fixes with the registry it names.
func Explain(text string) Explanation {
	text = Normalize(text)
	e := Explanation{Registry: Host(text), Causes: []CauseOutput{}}
	for _, m := range Classify(text) {
		e.Causes = append(e.Causes, CauseOutput{ID: m.ID, Title: m.Title, Why: m.Why,
			Fix: cause.FixWithEvidence(m.ID, e.Registry, text), Confidence: m.Confidence})
	}
	return e
}

// WriteJSON writes the explanation as JSON.
func (e Explanation) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

// WriteText writes the explanation for a person; limit caps the causes shown (0: all).
func (e Explanation) WriteText(w io.Writer, limit int) error {
	var b strings.Builder
	if len(e.Causes) == 0 {
		b.WriteString("No known registry problem matches this text.\n")
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
		fmt.Fprintf(&b, "\n%d. %s [%s, %s confidence]\n   why: %s\n   fix: %s\n", i+1, c.Title, c.ID, c.Confidence, c.Why, c.Fix)
	}
	if e.Registry != "" {
		fmt.Fprintf(&b, "\nTo confirm: docker acrcheck %s\n", e.Registry)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
