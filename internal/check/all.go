package check

// All is every check, in the order a report lists them: environment, name, network, identity, permissions.
var All = []Check{
	{"docker_client", dockerClientCheck},
	{"docker_daemon", dockerDaemonCheck},
	{"docker_credentials", credentialsCheck},
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
}
