package engine

import (
	"fmt"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/cli"
)

// configError ends a command whose work depends on acrdiag's configuration when a file of it is invalid:
// guessing the identity or the suffixes the administrator meant would be worse than stopping.
func configError(err error) error {
	return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("acrdiag: %v. Fix: %s [%s]", err, cause.FixFor(cause.ConfigInvalid, ""), cause.ConfigInvalid)}
}
