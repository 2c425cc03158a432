package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report in the documented JSON form.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

var marks = map[Status]struct{ plain, color string }{
	Pass: {"PASS", "\033[32m✔\033[0m"},
	Warn: {"WARN", "\033[33m!\033[0m"},
	Fail: {"FAIL", "\033[31m✘\033[0m"},
	Skip: {"SKIP", "\033[2m-\033[0m"},
}

// WriteText writes the report for a person: a line per check, evidence and fix under findings, and the
// causes at the end. color adds symbols and colours (a terminal without NO_COLOR only).
func (r Report) WriteText(w io.Writer, color bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Diagnosis of %s\n\n", r.Registry)
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.ID))
	}
	indent := strings.Repeat(" ", width+10)
	for _, c := range r.Checks {
		mark := marks[c.Status].plain
		if color {
			mark = marks[c.Status].color + "   "
		}
		fmt.Fprintf(&b, "  %s  %-*s  %s\n", mark, width, c.ID, c.Summary)
		if c.Status == Pass || c.Status == Skip {
			continue
		}
		if c.Detail != "" {
			fmt.Fprintf(&b, "%s%s\n", indent, c.Detail)
		}
		if c.Fix != "" {
			fmt.Fprintf(&b, "%sfix: %s\n", indent, c.Fix)
		}
		if c.Cause != "" {
			fmt.Fprintf(&b, "%scause: %s\n", indent, c.Cause)
		}
	}
	b.WriteString("\n")
	switch n := len(r.Causes); {
	case r.OK:
		b.WriteString("No problem found.\n")
	case n == 1:
		fmt.Fprintf(&b, "1 problem found: %s\n", r.Causes[0])
	default:
		fmt.Fprintf(&b, "%d problems found: %s\n", n, strings.Join(r.Causes, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
