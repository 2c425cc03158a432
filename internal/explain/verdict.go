package explain

import (
	"slices"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// CheckOutcome is one check of a diagnosis, as `explain --check` compares it with the explanation.
type CheckOutcome struct {
	ID     string // the check's id: dns, tcp, permissions...
	Status string // pass, warn, fail, skip
	Cause  string // the cause it found, for warn and fail
}

// refines lists the causes the diagnosis can name more precisely than text can: finding one confirms the
// broader cause an explanation named. Azure's configuration refines some (cause.RefinedByAzure); the DNS and
// the stored credentials refine others.
var refines = func() map[string][]string {
	m := map[string][]string{
		cause.NetworkPrivateEndpoint:   {cause.NetworkPrivateOnly},
		cause.AuthAnonymousPullBlocked: {cause.AuthTokenExpired},
	}
	for broad, precise := range cause.RefinedByAzure {
		m[broad] = append(m[broad], precise...)
	}
	return m
}()

// detectors are the checks that find a cause when it is there: when each of them ran and passed, the
// cause is ruled out for this machine, now.
var detectors = map[string][]string{
	cause.DockerDaemonUnreachable: {"docker_daemon"},
	cause.DockerCredentialStore:   {"docker_credentials", "docker_sides"},
	cause.RegistryNameInvalid:     {"name"},
	cause.RegistryNotFound:        {"dns"},
	cause.NetworkDNSFailure:       {"dns"},
	cause.NetworkProxyError:       {"proxy", "tcp"},
	cause.NetworkTLSError:         {"tls"},
	cause.NetworkTimeout:          {"tcp"},
	cause.NetworkConnectionReset:  {"tcp", "tls"},
	cause.NetworkFirewallDenied:   {"challenge", "exchange"},
	cause.NetworkPrivateEndpoint:  {"dns", "tcp"},
	cause.NetworkDataEndpoint:     {"data_endpoint"},
	cause.AuthNoIdentity:          {"identity"},
	cause.AuthzPullDenied:         {"permissions"},
	cause.AuthzPushDenied:         {"permissions"},
	cause.AuthAudienceRejected:    {"exchange"},
}

// Verdicts the diagnosis gives a cause.
const (
	Confirmed = "confirmed"
	RuledOut  = "ruled out"
)

// Compare marks each cause of the explanation confirmed or ruled out by a diagnosis of its registry. It
// reports whether a problem was confirmed.
func (e *Explanation) Compare(checks []CheckOutcome) (confirmed bool) {
	found := map[string]bool{}
	for _, c := range checks {
		if (c.Status == "fail" || c.Status == "warn") && c.Cause != "" {
			found[c.Cause] = true
		}
	}
	passed := func(id string) bool {
		return slices.ContainsFunc(checks, func(c CheckOutcome) bool { return c.ID == id && c.Status == "pass" })
	}
	for i, c := range e.Causes {
		e.Causes[i].Diagnosis = ""
		switch {
		case found[c.ID] || slices.ContainsFunc(refines[c.ID], func(id string) bool { return found[id] }):
			e.Causes[i].Diagnosis = Confirmed
			confirmed = true
		case len(detectors[c.ID]) > 0 && !slices.ContainsFunc(detectors[c.ID], func(id string) bool { return !passed(id) }):
			e.Causes[i].Diagnosis = RuledOut
		}
	}
	return confirmed
}
