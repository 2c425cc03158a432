package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/acr"
	"github.com/acrdiag/acrdiag/internal/azurejson"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/kubelet"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/nodeidentity"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// kubeletDeadline stays inside the kubelet's own limit for a provider (one minute), so that a slow Entra
// ID ends in acrdiag's explanation rather than in the kubelet killing it.
const kubeletDeadline = 50 * time.Second

func newKubeletProviderCommand(st cli.Streams) *cobra.Command {
	f := &cli.IdentityFlags{}
	cmd := &cobra.Command{
		Use:   "kubelet-credential-provider [AZURE_JSON]",
		Short: "Answer the kubelet's image credential provider request on stdin (credentialprovider.kubelet.k8s.io/v1)",
		Long: `Reads one CredentialProviderRequest on stdin and writes one CredentialProviderResponse on stdout: an ACR
refresh token for the image's registry, from the pod's service account token (tokenAttributes), the
identity of azure.json, a managed identity, or the environment. Images of other registries get no
credentials. A failure is one line on stderr with its cause and fix, also kept for 'acrdiag node'.
AZURE_JSON is the same as --azure-json (acr-credential-provider's form).`,
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if f.AzureJSON != "" && f.AzureJSON != args[0] {
					return cli.UsageError("kubelet-credential-provider: --azure-json %s and the argument %s name two files", f.AzureJSON, args[0])
				}
				f.AzureJSON = args[0]
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), kubeletDeadline)
			defer cancel()
			return runKubeletProvider(ctx, st, f)
		},
	}
	cli.AddIdentityFlags(cmd, f)
	return cmd
}

// providerFailure is a failure of the provider: the kubelet logs the stderr line and pulls without
// credentials; the record lets `acrdiag node` and `docker acrcheck last` explain it later.
type providerFailure struct {
	host, cause, detail string
}

func runKubeletProvider(ctx context.Context, st cli.Streams, f *cli.IdentityFlags) error {
	cfg, cfgErr := config.Load()
	resp, pf := kubeletAnswer(ctx, st, f, cfg, cfgErr)
	if pf != nil {
		detail := cause.Redact(pf.detail)
		if cfg.CacheDir != "" {
			_ = lastfailure.Add(cfg.CacheDir, lastfailure.Record{Host: pf.host, Action: "kubelet", Cause: pf.cause, Detail: detail})
		}
		what := "no credentials for " + pf.host
		if pf.host == "" {
			what = "no answer for the kubelet"
		}
		return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("acrdiag: %s: %s. Fix: %s [%s]", what, detail,
			cause.FixWithEvidence(pf.cause, pf.host, detail), pf.cause)}
	}
	if err := json.NewEncoder(st.Out).Encode(resp); err != nil {
		return &cli.ExitError{Code: 2, Msg: "acrdiag: write the response for the kubelet: " + err.Error()}
	}
	return nil
}

// kubeletAnswer turns the request into the response, or the failure to report.
func kubeletAnswer(ctx context.Context, st cli.Streams, f *cli.IdentityFlags, cfg config.Config, cfgErr error) (kubelet.Response, *providerFailure) {
	req, err := kubelet.ReadRequest(st.In)
	if err != nil {
		return kubelet.Response{}, &providerFailure{cause: cause.KubeletRequestInvalid, detail: err.Error()}
	}
	if cfgErr != nil {
		return kubelet.Response{}, &providerFailure{host: kubelet.ImageHost(req.Image), cause: cause.ConfigInvalid, detail: cfgErr.Error()}
	}
	ls, err := loginserver.ParseLoginServer(req.Image, cfg.LoginServerSuffixes...)
	if errors.Is(err, loginserver.ErrNotACR) {
		return kubelet.NoCredentials(req), nil // not ours, or a look-alike: no connection at all
	}
	if err != nil {
		return kubelet.Response{}, &providerFailure{host: kubelet.ImageHost(req.Image), cause: cause.RegistryNameInvalid, detail: err.Error()}
	}
	fail := func(id, detail string) (kubelet.Response, *providerFailure) {
		return kubelet.Response{}, &providerFailure{host: ls.Host, cause: id, detail: detail}
	}
	choice, err := selectNodeIdentity(req, f, cfg, ls)
	if err != nil {
		return fail(identityCause(err), err.Error())
	}
	got, err := (&renew.Renewer{Source: choice.Source(), ACR: acr.NewClient()}).Renew(ctx, ls)
	if err != nil {
		id, detail := renew.Classify(err)
		return fail(id, fmt.Sprintf("%s (identity: %s)", detail, choice.Description))
	}
	now := time.Now()
	switch tokencache.JudgeLifetime(now, got.Claims.Expiry, kubelet.CacheMargin) {
	case tokencache.LifetimeExpired, tokencache.LifetimeTooShort:
		return fail(cause.AuthTokenExpired, fmt.Sprintf("the registry issued a token that expires at %s, too soon to pull with; check this node's clock against the registry's (date -u)",
			got.Claims.Expiry.UTC().Format(time.RFC3339)))
	}
	return kubelet.Credentials(req, kubelet.ImageHost(req.Image), loginserver.EmptyGUID, got.RefreshToken, kubelet.CacheDuration(now, got.Claims.Expiry)), nil
}

// selectNodeIdentity reads azure.json when it is given and picks the identity for the request.
func selectNodeIdentity(req kubelet.Request, f *cli.IdentityFlags, cfg config.Config, ls loginserver.LoginServer) (nodeidentity.Choice, error) {
	o := nodeidentity.Options{ServiceAccountToken: req.ServiceAccountToken, Annotations: req.ServiceAccountAnnotations,
		ClientID: f.ClientID, ResourceID: f.ResourceID, Cloud: ls.Cloud.Name, Chain: tokencache.ChainFor(cfg, ls)}
	if f.AzureJSON != "" {
		aj, err := azurejson.Read(f.AzureJSON)
		if err != nil {
			return nodeidentity.Choice{}, err
		}
		o.AzureJSON = &aj
	}
	return nodeidentity.Select(o)
}

// identityCause names why no identity could be picked.
func identityCause(err error) string {
	var ae *nodeidentity.AnnotationError
	var je *azurejson.Error
	switch {
	case errors.As(err, &ae):
		return cause.KubeletSAAnnotations
	case errors.As(err, &je):
		return cause.KubeletAzureJSON
	}
	return cause.Unknown
}
