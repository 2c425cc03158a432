package plugin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
)

// The clients setup configures: Docker (and what reads its config.json: buildx, crane, regctl, ORAS, helm
// without a login of its own) and the containers tools (skopeo, podman, buildah), which ignore credsStore
// and read credHelpers from containers' auth.json first.
const (
	clientDocker     = "docker"
	clientContainers = "containers"
)

var setupClients = []string{clientDocker, clientContainers}

// target is one file setup edits and what it wants there.
type target struct {
	client string
	path   string
	change dockerconfig.Change
}

// parseClients checks the --clients list.
func parseClients(list []string) ([]string, error) {
	for _, c := range list {
		if !slices.Contains(setupClients, c) {
			return nil, cli.UsageError("setup: --clients %q: not one of %s (e.g. --clients docker,containers)", c, strings.Join(setupClients, ", "))
		}
	}
	return list, nil
}

// targetFiles are the files setup edits for the clients: Docker's config.json, containers' auth.json files.
func targetFiles(clients []string) ([]target, error) {
	var out []target
	if slices.Contains(clients, clientDocker) {
		path, err := dockerconfig.Path()
		if err != nil {
			return nil, fmt.Errorf("find Docker's config.json: %w", err)
		}
		out = append(out, target{client: clientDocker, path: path})
	}
	if slices.Contains(clients, clientContainers) {
		paths, err := dockerconfig.ContainersAuthPaths()
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			out = append(out, target{client: clientContainers, path: p})
		}
	}
	return out, nil
}

// withChanges fills in what each file gets: credHelpers entries for hosts everywhere; the hook only in
// Docker's file, the one client that runs CLI plugin hooks. A containers file with no host to add is dropped.
func withChanges(targets []target, hosts []string, hooks bool) []target {
	helpers := map[string]string{}
	for _, h := range hosts {
		helpers[h] = "acrdiag"
	}
	var out []target
	for _, t := range targets {
		t.change = dockerconfig.Change{CredHelpers: helpers}
		if t.client == clientDocker && hooks {
			t.change.PluginHooks = map[string]string{"hooks": hookCommands, "error-hooks": errorHookCommands}
			t.change.Features = map[string]string{"hooks": "true"}
		}
		if t.client == clientContainers && len(hosts) == 0 {
			continue
		}
		out = append(out, t)
	}
	return out
}
