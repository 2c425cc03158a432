package nodecheck

import (
	"os"
	"strings"

	"github.com/acrdiag/acrdiag/internal/azurejson"
	"github.com/acrdiag/acrdiag/internal/kubelet"
	"github.com/acrdiag/acrdiag/internal/nodeidentity"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// Options are what the user named; empty paths are found (the running kubelet's flags, the provider's
// arguments, AKS's defaults).
type Options struct {
	Image          string // what matchImages are matched against: REGISTRY/REPOSITORY
	Host           string // the registry's login server
	ProviderConfig string
	BinDir         string
	AzureJSON      string
	ClientID       string
	ResourceID     string
	Cloud          string                  // the registry's cloud
	CacheDir       string                  // where this acrdiag keeps records, when the provider's env names none
	Chain          tokencache.ChainOptions // acrdiag's configured chain, for an identity from the environment
}

// Setup is the node's provider setup, found once and shared by the checks.
type Setup struct {
	Opts Options

	ConfigPath, ConfigFrom string // the file, and what named it
	BinDir, BinDirFrom     string
	Config                 kubelet.ProviderConfig
	ConfigErr              error

	Matching []kubelet.Provider // the providers the kubelet runs for Opts.Image, in order
	Provider *kubelet.Provider  // the first of them

	AzureJSONPath, AzureJSONFrom string
	AzureJSON                    *azurejson.Config
	AzureJSONErr                 error

	Identity    nodeidentity.Choice
	IdentityErr error
	CacheDir    string // where the provider records its failures
}

// Find reads the provider setup: the config, the provider the image goes to, and its azure.json and
// environment. It reads files only.
func Find(o Options) *Setup {
	s := &Setup{Opts: o, CacheDir: o.CacheDir}
	kubeletArgs := runningKubelet()
	s.ConfigPath, s.ConfigFrom = pick(o.ProviderConfig, flagValue(kubeletArgs, flagProviderConfig), DefaultProviderConfig, flagProviderConfig)
	s.BinDir, s.BinDirFrom = pick(o.BinDir, flagValue(kubeletArgs, flagBinDir), DefaultBinDir, flagBinDir)
	s.Config, s.ConfigErr = kubelet.ReadProviderConfig(s.ConfigPath)
	for _, p := range s.Config.Providers {
		if p.Matches(o.Image) {
			s.Matching = append(s.Matching, p)
		}
	}
	if len(s.Matching) > 0 {
		s.Provider = &s.Matching[0]
	}
	s.findAzureJSON()
	return s
}

// pick is the flag's value, else the running kubelet's, else the default, and says which.
func pick(flag, running, def, kubeletFlag string) (string, string) {
	switch {
	case flag != "":
		return flag, "given"
	case running != "":
		return running, "the running kubelet's " + kubeletFlag
	}
	return def, "AKS's default; no running kubelet names one"
}

// providerArgs are the flags an acrdiag provider runs with, as its config gives them.
func (s *Setup) providerArgs() []string {
	if s.Provider == nil {
		return nil
	}
	return s.Provider.Args
}

// IsAcrdiag reports whether the provider the image goes to is acrdiag's kubelet-credential-provider.
func (s *Setup) IsAcrdiag() bool {
	return s.Provider != nil && len(s.Provider.Args) > 0 && s.Provider.Args[0] == "kubelet-credential-provider"
}

func (s *Setup) findAzureJSON() {
	args := s.providerArgs()
	fromArgs := flagValue(args, "--azure-json")
	if fromArgs == "" {
		for _, a := range args { // acr-credential-provider's and acrdiag's positional form
			if !strings.HasPrefix(a, "-") && strings.HasSuffix(a, ".json") {
				fromArgs = a
				break
			}
		}
	}
	switch {
	case s.Opts.AzureJSON != "":
		s.AzureJSONPath, s.AzureJSONFrom = s.Opts.AzureJSON, "given"
	case fromArgs != "":
		s.AzureJSONPath, s.AzureJSONFrom = fromArgs, "the provider's args"
	default:
		if _, err := os.Stat(azurejson.DefaultPath); err == nil && s.Opts.ClientID == "" && s.Opts.ResourceID == "" && !s.IsAcrdiag() {
			s.AzureJSONPath, s.AzureJSONFrom = azurejson.DefaultPath, "the default place"
		}
	}
	if s.AzureJSONPath == "" {
		return
	}
	c, err := azurejson.Read(s.AzureJSONPath)
	if err != nil {
		s.AzureJSONErr = err
		return
	}
	s.AzureJSON = &c
}

// ProviderEnv is the environment the kubelet gives the provider beyond its own: the config's env.
func (s *Setup) ProviderEnv() map[string]string {
	env := map[string]string{}
	if s.Provider != nil {
		for _, e := range s.Provider.Env {
			env[e.Name] = e.Value
		}
	}
	return env
}

// SelectIdentity picks the identity the provider would use for a pod without a service account token
// (the node's); call it once the provider's environment is in place.
func (s *Setup) SelectIdentity() {
	if dir := s.ProviderEnv()["ACRDIAG_CACHE_DIR"]; dir != "" {
		s.CacheDir = dir
	}
	if s.AzureJSONErr != nil {
		s.IdentityErr = s.AzureJSONErr
		return
	}
	args := s.providerArgs()
	o := nodeidentity.Options{AzureJSON: s.AzureJSON, Cloud: s.Opts.Cloud,
		ClientID: first(s.Opts.ClientID, flagValue(args, "--client-id")), ResourceID: first(s.Opts.ResourceID, flagValue(args, "--resource-id"))}
	o.Chain = s.Opts.Chain
	s.Identity, s.IdentityErr = nodeidentity.Select(o)
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
