package check

// All is every check, in the order a report lists them: environment, name, network, identity, permissions.
var All = []Check{
	{"docker_client", dockerClientCheck},
	{"docker_daemon", dockerDaemonCheck},
	{"docker_credentials", credentialsCheck},
	{"docker_sides", dockerSidesCheck},
	{"helm_credentials", helmCredentialsCheck},
	{"name", nameCheck},
	{"proxy", proxyCheck},
	{"dns", dnsCheck},
	{"tcp", tcpCheck},
	{"tls", tlsCheck},
	{"challenge", challengeCheck},
	{"identity", identityCheck},
	{"exchange", exchangeCheck},
	{"anonymous_pull", anonymousCheck},
	{"permissions", permissionsCheck},
	{"data_endpoint", dataEndpointCheck},
	{"azure_registry", azureRegistryCheck},
	{"network_rules", networkRulesCheck},
	{"replica_endpoints", replicaEndpointsCheck},
	{"roles", rolesCheck},
	{"stored_user", storedUserCheck},
	{"trusted_services", trustedServicesCheck},
	{"login_events", loginEventsCheck},
}

// ByID finds a check.
func ByID(id string) (Check, bool) {
	for _, c := range All {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// IDs lists the checks' ids.
func IDs() []string {
	ids := make([]string, len(All))
	for i, c := range All {
		ids[i] = c.ID
	}
	return ids
}
