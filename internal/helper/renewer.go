package helper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"time"

	"github.com/acrdiag/acrdiag/internal/enginepath"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/token"
)

// execRenewer runs `acrdiag renew HOST`. Keeping azidentity and net/http out of the helper
// makes the cached answer, by far the most frequent, nearly as cheap as starting a process.
type execRenewer struct{}

func (execRenewer) Renew(ctx context.Context, ls loginserver.LoginServer) (token.RenewResult, error) {
	path, err := enginepath.Find()
	if err != nil {
		return token.RenewResult{}, err
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, token.RenewCommand, ls.Host)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	// The engine and what it runs (az, through azidentity) end with the helper: see runEngine in renewer_*.go.
	cmd.WaitDelay = time.Second // a grandchild left holding the output does not hold the answer
	started, runErr := runEngine(cmd)
	if !started {
		return token.RenewResult{}, &engineError{path: path, err: runErr, notStarted: true}
	}
	var res token.RenewResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if runErr == nil {
			runErr = err
		}
		return token.RenewResult{}, &engineError{path: path, err: fmt.Errorf("%w %s", runErr, bytes.TrimSpace(stderr.Bytes()))}
	}
	return res, nil
}

// engineError is an engine that could not be started (missing, not executable, for another platform), or
// that gave no result.
type engineError struct {
	path       string
	err        error
	notStarted bool
}

func (e *engineError) Error() string {
	if e.notStarted {
		return fmt.Sprintf("the acrdiag engine %s cannot be run: %v", e.path, e.err)
	}
	return fmt.Sprintf("%s %s gave no result: %v", e.path, token.RenewCommand, e.err)
}

func (e *engineError) Unwrap() error { return e.err }
