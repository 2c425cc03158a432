// Package explain holds the cause catalogue: every failure acrdiag names has an id, a title, why it
// happens and the commands that fix it. Checks, the helper's failure records and explanations all speak
// in these ids.
package explain
