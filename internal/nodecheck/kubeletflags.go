package nodecheck

import "strings"

// Defaults where AKS puts the provider setup, used when no running kubelet names its own.
const (
	DefaultProviderConfig = "/var/lib/kubelet/credential-provider-config.yaml"
	DefaultBinDir         = "/var/lib/kubelet/credential-provider"
)

// The kubelet flags that set up credential providers.
const (
	flagProviderConfig = "--image-credential-provider-config"
	flagBinDir         = "--image-credential-provider-bin-dir"
)

// flagValue is the value of a flag in a command line: --flag=value or --flag value.
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
