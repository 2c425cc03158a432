package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/acrdiag/acrdiag/internal/acrtest"
)

// credentialFor is the AZURE_TOKEN_CREDENTIALS value that makes azidentity use an identity kind, so that no
// test ever runs the whole chain (whose managed identity probe would leave the machine).
var credentialFor = map[acrtest.IdentityKind]string{
	acrtest.ServicePrincipal:     "EnvironmentCredential",
	acrtest.CertificatePrincipal: "EnvironmentCredential",
	acrtest.WorkloadIdentity:     "WorkloadIdentityCredential",
	acrtest.ManagedIdentity:      "ManagedIdentityCredential",
	acrtest.UserIdentity:         "AzureCLICredential",
	acrtest.DeveloperCLIUser:     "AzureDeveloperCLICredential",
}

// identityVars are every variable an identity of the kit may set.
var identityVars = []string{"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH",
	"AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_CONFIG_DIR", "AZD_CONFIG_DIR"}

// useIdentity gives the session the named kit identity, as the machine's only Entra identity.
func (s *session) useIdentity(name string) {
	s.noIdentity()
	id := s.kit.Identity(name)
	s.setEnv("AZURE_TOKEN_CREDENTIALS=" + credentialFor[id.Kind])
	s.setEnv(s.kit.IdentityEnv(name)...)
	if id.Kind == acrtest.UserIdentity || id.Kind == acrtest.DeveloperCLIUser {
		s.setEnv("PATH=" + s.kit.AzDir + string(os.PathListSeparator) + s.getEnv("PATH"))
	}
}

// noIdentity leaves the session without any Entra identity (the environment credential finds nothing).
func (s *session) noIdentity() {
	s.setEnv("AZURE_TOKEN_CREDENTIALS=EnvironmentCredential")
	s.unsetEnv(identityVars...)
}

// useHelper writes a config.json that sends the given registries to docker-credential-acrdiag.
func (s *session) useHelper(hosts ...string) {
	s.t.Helper()
	helpers := map[string]string{}
	for _, h := range hosts {
		helpers[h] = "acrdiag"
	}
	b, _ := json.Marshal(map[string]any{"credHelpers": helpers})
	if err := os.WriteFile(filepath.Join(s.dockerConfig, "config.json"), b, 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// helper runs docker-credential-acrdiag ACTION with stdin.
func (s *session) helper(action, stdin string) result {
	s.t.Helper()
	return s.run(stdin, filepath.Join(binDir, "docker-credential-acrdiag"), action)
}

// credentialsJSON is what Docker hands to a helper's store.
func credentialsJSON(server, user, secret string) string {
	b, _ := json.Marshal(map[string]string{"ServerURL": server, "Username": user, "Secret": secret})
	return string(b)
}

// getAnswer decodes a helper's get answer.
func getAnswer(r result) (user, secret string, err error) {
	var a struct{ ServerURL, Username, Secret string }
	if r.exitCode != 0 {
		return "", "", fmt.Errorf("get failed: %s", strings.TrimSpace(r.stdout))
	}
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		return "", "", fmt.Errorf("get answer %q: %w", r.stdout, err)
	}
	return a.Username, a.Secret, nil
}

// lastFailures reads the helper's failure record of the session.
func (s *session) lastFailures() []map[string]string {
	b, err := os.ReadFile(filepath.Join(s.home, ".cache", "acrdiag", "last-failure.json"))
	if err != nil {
		return nil
	}
	var out []map[string]string
	_ = json.Unmarshal(b, &out)
	return out
}
