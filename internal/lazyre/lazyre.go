// Package lazyre compiles regular expressions on first use: the plugin's metadata and hook calls and the
// credential helper run for a few milliseconds, and compiling every pattern at start-up would double that.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles pattern once, when first called.
func New(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
