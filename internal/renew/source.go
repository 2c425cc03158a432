package renew

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// Scopes of the Entra tokens the exchange accepts.
const (
	ScopeACR = "https://containerregistry.azure.net/.default"
)

// armScopes are the ARM audiences per cloud, the fallback when the ACR audience cannot be had.
var armScopes = map[string]string{
	"AzureCloud":        "https://management.core.windows.net//.default",
	"AzureChinaCloud":   "https://management.core.chinacloudapi.cn//.default",
	"AzureUSGovernment": "https://management.core.usgovcloudapi.net//.default",
}

// ARMScope is the ARM audience scope for a cloud (public cloud's when the cloud is not known).
func ARMScope(cloudName string) string {
	if s, ok := armScopes[cloudName]; ok {
		return s
	}
	return armScopes["AzureCloud"]
}

// Source gets Entra access tokens: the one Entra dependency of the exchange.
type Source interface {
	Token(ctx context.Context, scope string) (string, error)
}

// chainSource is the azidentity default chain, built on first use so that a cached answer pays for none of it.
type chainSource struct {
	opts tokencache.ChainOptions
	once sync.Once
	cred azcore.TokenCredential
	err  error

	mu       sync.Mutex
	answered string // which credential of the chain gave the first token
}

// NewChainSource returns the Entra token source for the machine's identity: environment service principal
// (secret or certificate), workload identity, managed identity, Azure CLI, Azure Developer CLI.
func NewChainSource(opts tokencache.ChainOptions) Source {
	listen()
	return &chainSource{opts: opts}
}

func (s *chainSource) build() {
	if s.opts.Credential != "" && (s.opts.Pinned || os.Getenv("AZURE_TOKEN_CREDENTIALS") == "") {
		// The config selects the chain the way the environment variable would; a registry's own identity
		// wins over the variable, which names the machine's default.
		_ = os.Setenv("AZURE_TOKEN_CREDENTIALS", s.opts.Credential)
	}
	if s.opts.ClientID != "" {
		// The one way to pick the app of the environment, workload and managed identity credentials of
		// azidentity's default chain (this process serves one registry).
		_ = os.Setenv("AZURE_CLIENT_ID", s.opts.ClientID)
	}
	// A proxy that refuses Entra ID (or the managed identity endpoint) is named, and not asked again.
	o := &azidentity.DefaultAzureCredentialOptions{TenantID: s.opts.TenantID, ClientOptions: ClientOptions(s.opts.Cloud, s.opts.NoRetry)}
	s.cred, s.err = azidentity.NewDefaultAzureCredential(o)
}

func (s *chainSource) Token(ctx context.Context, scope string) (string, error) {
	s.once.Do(s.build)
	if s.err != nil {
		return "", fmt.Errorf("set up Entra credentials: %w", s.err)
	}
	tok, err := s.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	if s.answered == "" {
		s.answered = lastAnswered() // logged by the chain during this first successful GetToken
	}
	s.mu.Unlock()
	return tok.Token, nil
}

// Answered implements Answerer.
func (s *chainSource) Answered() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered
}
