// Package cause is the vocabulary every layer of acrdiag speaks: the cause ids, the catalogue (a title, why
// it happens and the commands that fix it), the Entra ID error codes mapped to causes, the causes Azure's
// configuration refines, the one-line summary of an error that failure records carry, and the redaction
// of tokens every message passes through. It links nothing but the standard library, because the
// credential helper and the plugin start with it.
package cause
