package loginserver

import "strings"

// Suggest guesses the login server meant by a bare registry name or a host with a mistyped suffix
// (azurecr.com, azurcr.io, azure-cr.io): "" when nothing close enough is meant as ACR. extraSuffixes are
// the suffixes an administrator added.
func Suggest(in string, extraSuffixes ...string) string {
	s := strings.ToLower(strings.TrimSpace(in))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	s = strings.TrimSuffix(s, ":443")
	if alnum(s, 5, 50) {
		return s + ".azurecr.io"
	}
	label, rest, ok := strings.Cut(s, ".")
	if !ok || !validRegistryLabel(label) {
		return ""
	}
	if _, _, ok := matchSuffix(s, extraSuffixes); ok {
		return "" // already an ACR suffix: nothing to correct
	}
	best, bestDist := "", 3 // a typo is at most two edits away, and the closest suffix wins
	for _, c := range Clouds {
		if d := editDistance(rest, c.Suffix); d < bestDist {
			best, bestDist = label+"."+c.Suffix, d
		}
		// a word stuck to the suffix: az-azurecr.io, myazurecr.io.com
		if word, tld, _ := strings.Cut(c.Suffix, "."); best == "" && strings.Contains(rest, word) && strings.Contains(rest, tld) {
			best = label + "." + c.Suffix
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
