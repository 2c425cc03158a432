package engine

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/engineproc"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// newRenewCommand is `acrdiag renew HOST`, run by the credential helper: it renews a token from the
// machine's identity and prints one engineproc.RenewResult. It exits 0 whenever it printed a result, the
// failures included: the helper reads the cause from the result.
func newRenewCommand(st cli.Streams) *cobra.Command {
	return &cobra.Command{
		Use:    engineproc.RenewCommand + " HOST",
		Short:  "Renew a token for docker-credential-acrdiag (prints a JSON result)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 80*time.Second)
			defer cancel()
			defer engineproc.EndWithParent(cancel)()
			return json.NewEncoder(st.Out).Encode(renewFor(ctx, args[0]))
		},
	}
}

func renewFor(ctx context.Context, host string) engineproc.RenewResult {
	cfg, cfgErr := config.Load()
	if cfgErr != nil {
		return engineproc.RenewResult{Cause: cause.ConfigInvalid, Detail: strings.Join(strings.Fields(cfgErr.Error()), " ")}
	}
	ls, err := loginserver.ParseLoginServer(host, cfg.LoginServerSuffixes...)
	if err != nil {
		return engineproc.RenewResult{Cause: cause.RegistryNameInvalid, Detail: err.Error()}
	}
	client := acr.NewClient()
	r := &renew.Renewer{Source: renew.NewChainSource(tokencache.ChainFor(cfg, ls)), ACR: client}
	got, err := r.Renew(ctx, ls)
	if err != nil {
		id, detail := renew.Classify(err)
		res := engineproc.RenewResult{Cause: id, Detail: detail}
		if id == cause.AuthzPullDenied || id == cause.AuthAudienceRejected {
			res.AnonymousPull, _ = client.AnonymousPull(ctx, ls)
		}
		return res
	}
	return engineproc.RenewResult{RefreshToken: got.RefreshToken, ExpiresOn: got.Claims.Expiry, Principal: got.Entra.Identity(),
		Audience: got.Audience, ARMFallback: got.ARMFallback}
}
