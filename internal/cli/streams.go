package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// Streams are where a command reads and writes.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Std are the process's own streams.
func Std() Streams { return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// ExitError ends a command with a status: 1 problems found or could not apply, 2 usage or internal error.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// UsageError ends a command with status 2: the user asked for something that cannot be.
func UsageError(format string, args ...any) error {
	return &ExitError{Code: 2, Msg: fmt.Sprintf(format, args...)}
}

// Failure ends a command with status 1: a problem found, or a change that could not be made.
func Failure(format string, args ...any) error {
	return &ExitError{Code: 1, Msg: fmt.Sprintf(format, args...)}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Exit prints err, with any token it quotes redacted, and returns the exit status it carries.
func Exit(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			_, _ = fmt.Fprintln(stderr, cause.Redact(ee.Msg))
		}
		return ee.Code
	}
	_, _ = fmt.Fprintln(stderr, cause.Redact(err.Error()))
	return 2
}
