package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// tokenOutput is what `az acr login --expose-token` gives, plus the username and the expiry.
type tokenOutput struct {
	LoginServer string    `json:"loginServer"`
	Username    string    `json:"username"`
	Token       string    `json:"token"`
	ExpiresOn   time.Time `json:"expiresOn"`
}

func newTokenCommand(st cli.Streams) *cobra.Command {
	return cli.NewTokenCommand(func(cmd *cobra.Command, registry string, o *cli.TokenFlags) error {
		cfg, err := config.Load()
		if err != nil {
			return configError(err)
		}
		ls, err := loginserver.ParseLoginServer(registry, cfg.LoginServerSuffixes...)
		if err != nil {
			return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("token: %v", err)}
		}
		r := &renew.Renewer{
			Source: renew.NewChainSource(tokencache.ChainFor(cfg, ls)),
			ACR:    acr.NewClient(),
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 90*time.Second)
		defer cancel()
		got, err := r.Renew(ctx, ls)
		if err != nil {
			id, detail := renew.Classify(err)
			return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("no token for %s: %s. Fix: %s [%s]",
				ls.Host, detail, cause.FixWithEvidence(id, ls.Host, detail), id)}
		}
		out := tokenOutput{LoginServer: ls.Host, Username: loginserver.EmptyGUID, Token: got.RefreshToken, ExpiresOn: got.Claims.Expiry.UTC()}
		if o.Format == "json" {
			enc := json.NewEncoder(st.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		_, err = fmt.Fprintf(st.Out, "login server: %s\nusername:     %s\nexpires:      %s\ntoken:        %s\n",
			out.LoginServer, out.Username, out.ExpiresOn.Local().Format(time.RFC3339), out.Token)
		return err
	})
}
