package helper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"

	"github.com/acrdiag/acrdiag/internal/enginepath"
	"github.com/acrdiag/acrdiag/internal/registry"
	"github.com/acrdiag/acrdiag/internal/token"
)

// execRenewer runs `acrdiag renew HOST`. Keeping azidentity and net/http out of the helper
// makes the cached answer, by far the most frequent, nearly as cheap as starting a process.
type execRenewer struct{}

func (execRenewer) Renew(ctx context.Context, ls registry.LoginServer) (token.RenewResult, error) {
	path, err := enginepath.Find()
	if err != nil {
		return token.RenewResult{}, err
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, token.RenewCommand, ls.Host)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	runErr := cmd.Run()
	var res token.RenewResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		if runErr == nil {
			runErr = err
		}
		return token.RenewResult{}, fmt.Errorf("run %s %s: %w %s", path, token.RenewCommand, runErr, bytes.TrimSpace(stderr.Bytes()))
	}
	return res, nil
}
