package cli

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// TestReadTailKeepsTheEnd: whatever the size of the input, readTail keeps exactly its last max bytes and
// counts the rest, however the reads are cut.
func TestReadTailKeepsTheEnd(t *testing.T) {
	for _, tc := range []struct {
		in      string
		max     int
		want    string
		dropped int64
	}{
		{"", 8, "", 0},
		{"short", 8, "short", 0},
		{"exactly8", 8, "exactly8", 0},
		{strings.Repeat("x", 200<<10) + "the error", 9, "the error", 200 << 10},
	} {
		got, dropped, err := readTail(io.MultiReader(strings.NewReader(tc.in)), tc.max)
		if err != nil || got != tc.want || dropped != tc.dropped {
			t.Errorf("readTail(%d bytes, %d) = %q (%d dropped), %v; want %q (%d dropped)", len(tc.in), tc.max, got, dropped, err, tc.want, tc.dropped)
		}
	}
}

func TestMiBUp(t *testing.T) {
	for n, want := range map[int64]int64{0: 0, 1: 1, 1 << 20: 1, 64<<20 + 1: 65} {
		if got := mibUp(n); got != want {
			t.Errorf("mibUp(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestExplainOfAHugeInputSaysItWasCut: a CI log longer than explain keeps is explained from its end, where
// the error is, and explain says on stderr how much it read; a log within the bound is not said to be cut.
func TestExplainOfAHugeInputSaysItWasCut(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 65 MiB")
	}
	const errLine = `Error response from daemon: Head "https://corp.azurecr.io/v2/app/manifests/1": denied: client with IP '203.0.113.9' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.` + "\n"
	line := "#12 [build 3/7] RUN go build ./... unauthorized: authentication required\n" // a misleading line, cut away
	filler := strings.Repeat(line, 65<<20/len(line)+1)[:65<<20-len(errLine)]             // with the error: 65 MiB exactly
	for name, tc := range map[string]struct {
		in      io.Reader
		wantCut bool
	}{
		"a 65 MiB log":  {io.MultiReader(strings.NewReader(filler), strings.NewReader(errLine)), true},
		"a 1 MiB log":   {io.MultiReader(strings.NewReader(filler[:1<<20]), strings.NewReader(errLine)), false},
		"an error line": {strings.NewReader(errLine), false},
	} {
		var out, errOut strings.Builder
		cmd := NewExplainCommand(Streams{In: tc.in, Out: &out, Err: &errOut}, nil, nil)
		cmd.SetArgs([]string{"--offline", "--format", "json"})
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var e struct {
			Registry string
			Causes   []struct{ ID string }
		}
		if err := json.Unmarshal([]byte(out.String()), &e); err != nil || e.Registry != "corp.azurecr.io" || len(e.Causes) == 0 || e.Causes[0].ID != "network.firewall_denied" {
			t.Errorf("%s: the error at the end was not explained: %v\n%.300s", name, err, out.String())
		}
		said := errOut.String()
		switch {
		case tc.wantCut && (!strings.Contains(said, "the input is 65 MiB") || !strings.Contains(said, "only its last 64 MiB were read")):
			t.Errorf("%s: explain did not say the input was cut: %q", name, said)
		case !tc.wantCut && said != "":
			t.Errorf("%s: said %q", name, said)
		}
	}
}
