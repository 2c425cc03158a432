package engine

import (
	"context"
	"os"
	"os/exec"
	"strings"

	"github.com/docker/cli/cli/command"
	"github.com/moby/moby/client"

	"github.com/acrdiag/acrdiag/internal/check"
)

// dockerSide is what the diagnosis reads from the docker CLI that runs the plugin.
type dockerSide struct{ cli command.Cli }

func (d dockerSide) ClientVersion(ctx context.Context) (string, error) {
	docker := os.Getenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND")
	if docker == "" {
		docker = "docker"
	}
	// The client's version prints even when the daemon does not answer (and the command then fails).
	out, _ := exec.CommandContext(ctx, docker, "version", "--format", "{{.Client.Version}}").Output()
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]), nil
}

func (d dockerSide) Info(ctx context.Context) (check.DaemonInfo, error) {
	res, err := d.cli.Client().Info(ctx, client.InfoOptions{})
	if err != nil {
		return check.DaemonInfo{}, err
	}
	return check.DaemonInfo{ServerVersion: res.Info.ServerVersion, HTTPSProxy: res.Info.HTTPSProxy, NoProxy: res.Info.NoProxy}, nil
}

func (d dockerSide) ConfigPath() string { return d.cli.ConfigFile().Filename }

func (d dockerSide) StoredAuth(host string) (check.StoredAuth, error) {
	cfg := d.cli.ConfigFile()
	var a check.StoredAuth
	switch {
	case os.Getenv("DOCKER_AUTH_CONFIG") != "" && strings.Contains(os.Getenv("DOCKER_AUTH_CONFIG"), host):
		a.Source = "DOCKER_AUTH_CONFIG"
	case cfg.CredentialHelpers[host] != "":
		a.Helper = cfg.CredentialHelpers[host]
		a.Source = "credHelpers: " + a.Helper
	case cfg.CredentialsStore != "":
		a.Helper = cfg.CredentialsStore
		a.Source = "credsStore: " + a.Helper
	default:
		if _, ok := cfg.AuthConfigs[host]; ok {
			a.Source = "config.json auths"
		}
	}
	ac, err := cfg.GetAuthConfig(host)
	if err != nil {
		return a, err
	}
	a.Username, a.Secret = ac.Username, ac.Password
	if ac.IdentityToken != "" {
		a.Secret, a.IdentityToken = ac.IdentityToken, true
	}
	return a, nil
}
