package cause

import "github.com/acrdiag/acrdiag/internal/lazyre"

// jwtLike matches anything shaped like a JWT (Entra and ACR tokens), so that a token quoted in an upstream
// error never reaches a log, a record, an explanation or a diagnosis.
var jwtLike = lazyre.New(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// Redact removes anything that looks like a token from text. Every message acrdiag shows or keeps passes
// here: failure records, the helper's error line and log, explanations.
func Redact(text string) string { return jwtLike().ReplaceAllString(text, "<token redacted>") }
