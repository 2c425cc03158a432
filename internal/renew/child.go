package renew

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/token"
)

// Main runs `acrdiag renew HOST` for the credential helper: it renews a token from the
// machine's identity and prints a token.RenewResult. The exit code is 0 whenever a result was printed.
func Main(args []string, stdout io.Writer) int {
	if len(args) != 1 {
		_, _ = fmt.Fprintf(stdout, "usage: acrdiag %s HOST (run by docker-credential-acrdiag)\n", token.RenewCommand)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	defer endWithParent(cancel)()
	res := renewFor(ctx, args[0])
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		return 2
	}
	return 0
}

func renewFor(ctx context.Context, host string) token.RenewResult {
	cfg, cfgErr := config.Load()
	if cfgErr != nil {
		return token.RenewResult{Cause: cause.ConfigInvalid, Detail: strings.Join(strings.Fields(cfgErr.Error()), " ")}
	}
	ls, err := loginserver.ParseLoginServer(host, cfg.LoginServerSuffixes...)
	if err != nil {
		return token.RenewResult{Cause: cause.RegistryNameInvalid, Detail: err.Error()}
	}
	client := acr.NewClient()
	r := &Renewer{Source: NewChainSource(token.ChainFor(cfg, ls)), ACR: client}
	got, err := r.Renew(ctx, ls)
	if err != nil {
		id, detail := Classify(err)
		res := token.RenewResult{Cause: id, Detail: detail}
		if id == cause.AuthzPullDenied || id == cause.AuthAudienceRejected {
			res.AnonymousPull, _ = client.AnonymousPull(ctx, ls)
		}
		return res
	}
	return token.RenewResult{RefreshToken: got.RefreshToken, ExpiresOn: got.Claims.Expiry, Principal: got.Entra.Identity(),
		Audience: got.Audience, ARMFallback: got.ARMFallback}
}
