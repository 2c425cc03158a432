package plugin

import "testing"

// TestLineDiff: the dry run shows what changes, not the whole file as new.
func TestLineDiff(t *testing.T) {
	before := "{\n\t\"a\": 1,\n\t\"b\": 2\n}\n"
	after := "{\n\t\"a\": 1,\n\t\"b\": 3,\n\t\"c\": 4\n}\n"
	want := "  {\n  \t\"a\": 1,\n- \t\"b\": 2\n+ \t\"b\": 3,\n+ \t\"c\": 4\n  }\n"
	if got := lineDiff(before, after); got != want {
		t.Errorf("lineDiff:\n%s\nwant:\n%s", got, want)
	}
}
