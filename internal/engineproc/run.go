package engineproc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"time"

	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// Renew runs `acrdiag renew HOST` and reads its answer. Keeping azidentity and net/http out of the helper
// makes the cached answer, by far the most frequent, nearly as cheap as starting a process.
func Renew(ctx context.Context, ls loginserver.LoginServer) (RenewResult, error) {
	path, err := Find()
	if err != nil {
		return RenewResult{}, err
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, RenewCommand, ls.Host)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	// The engine and what it runs (az, through azidentity) end with the helper: see runEngine in renewer_*.go.
	cmd.WaitDelay = time.Second // a grandchild left holding the output does not hold the answer
	started, runErr := runEngine(cmd)
	if !started {
		return RenewResult{}, &Error{Path: path, Err: runErr, NotStarted: true}
	}
	var res RenewResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if runErr == nil {
			runErr = err
		}
		return RenewResult{}, &Error{Path: path, Err: fmt.Errorf("%w %s", runErr, bytes.TrimSpace(stderr.Bytes()))}
	}
	return res, nil
}

// Error is an engine that could not be started (missing, not executable, for another platform), or that
// gave no result.
type Error struct {
	Path       string
	Err        error
	NotStarted bool // the engine could not be run at all: the helper says it is missing
}

func (e *Error) Error() string {
	if e.NotStarted {
		return fmt.Sprintf("the acrdiag engine %s cannot be run: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s gave no result: %v", e.Path, RenewCommand, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
