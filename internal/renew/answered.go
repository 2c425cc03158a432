package renew

import (
	"fmt"
	"os"
	"regexp"
	"sync"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Which credential of the chain answered: DefaultAzureCredential does not tell its caller, but it logs it
// ("DefaultAzureCredential authenticated with AzureCLICredential"), as EnvironmentCredential logs which kind
// of service principal it found. Those lines are read from the SDK's log, so that the diagnosis reports the
// credential that produced the token instead of guessing it from the token's claims.

var (
	listenOnce sync.Once
	answeredMu sync.Mutex
	answered   string // the credential type that answered last, in this process
	envKind    string // what EnvironmentCredential authenticates with
)

var (
	authenticatedWith = regexp.MustCompile(`^\w+ authenticated with (\w+Credential)`)
	environmentWith   = regexp.MustCompile(`^EnvironmentCredential will authenticate with (\w+Credential)`)
)

// listen installs the SDK log listener once, before any credential exists. AZURE_SDK_GO_LOGGING=all keeps
// printing every event on stderr, as the SDK's own listener does.
func listen() {
	listenOnce.Do(func() {
		all := os.Getenv("AZURE_SDK_GO_LOGGING") == "all"
		if !all {
			azlog.SetEvents(azidentity.EventAuthentication)
		}
		azlog.SetListener(func(ev azlog.Event, msg string) {
			if ev == azidentity.EventAuthentication {
				noteAuthentication(msg)
			}
			if all {
				_, _ = fmt.Fprintf(os.Stderr, "[%s] %s: %s\n", time.Now().Format(time.StampMicro), ev, msg)
			}
		})
	})
}

func noteAuthentication(msg string) {
	answeredMu.Lock()
	defer answeredMu.Unlock()
	if m := authenticatedWith.FindStringSubmatch(msg); m != nil {
		answered = m[1]
	}
	if m := environmentWith.FindStringSubmatch(msg); m != nil {
		envKind = m[1]
	}
}

// lastAnswered is the credential the SDK last reported answering, described for a person.
func lastAnswered() string {
	answeredMu.Lock()
	defer answeredMu.Unlock()
	return describeCredential(answered, envKind)
}

// describeCredential names a credential type of the chain with what it is.
func describeCredential(credential, env string) string {
	what := map[string]string{
		"WorkloadIdentityCredential":  "workload identity",
		"ManagedIdentityCredential":   "managed identity",
		"AzureCLICredential":          "Azure CLI",
		"AzureDeveloperCLICredential": "Azure Developer CLI",
		"AzurePowerShellCredential":   "Azure PowerShell",
	}[credential]
	if credential == "EnvironmentCredential" {
		what = map[string]string{
			"ClientSecretCredential":      "service principal secret",
			"ClientCertificateCredential": "service principal certificate",
			"UsernamePasswordCredential":  "user name and password",
		}[env]
	}
	if what == "" {
		return credential
	}
	return credential + " (" + what + ")"
}

// Answerer is a Source that can tell which credential of the chain gave its tokens.
type Answerer interface {
	// Answered names the credential that answered ("AzureCLICredential (Azure CLI)"), "" before any token
	// or when the SDK did not say.
	Answered() string
}
