package helper

import (
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// helperName is how Docker's config.json names this helper (docker-credential-<name>).
const helperName = "acrdiag"

// List names every registry the helper answers for, with the username its get would answer: what docker
// login stored (with the stored username), and the ACR registries of acrdiag's configuration (registries, registryIdentities), of its token
// cache and of Docker's credHelpers entries naming acrdiag (with the empty GUID, ACR's token username).
// Clients that ask get only for the hosts list returns (regctl with credsStore) need the second kind too.
// No network call, never a secret.
func (h *Helper) List() (map[string]string, error) {
	list, err := h.store.List()
	if err != nil {
		h.warnf("acrdiag: could not list the stored credentials: %s", cause.Summarize(err.Error()))
		list = map[string]string{}
	}
	for _, host := range h.answeredHosts() {
		ls, isACR, err := h.parse(host)
		if !isACR || err != nil {
			continue // a foreign or malformed name in someone's file is not a registry this helper answers
		}
		if _, stored := list[ls.Host]; !stored {
			list[ls.Host] = loginserver.EmptyGUID
		}
	}
	return list, nil
}

// answeredHosts are the registry names, unchecked, that acrdiag's configuration, its cache and Docker's
// config.json send to this helper.
func (h *Helper) answeredHosts() []string {
	hosts := append([]string{}, h.cfg.Registries...)
	for host := range h.cfg.RegistryIdentities {
		hosts = append(hosts, host)
	}
	if hl, ok := h.cache.(tokencache.HostLister); ok {
		hosts = append(hosts, hl.Hosts()...)
	}
	if path, err := dockerconfig.Path(); err == nil {
		if f, err := dockerconfig.Load(path); err == nil {
			for host, name := range f.CredHelpers() {
				if name == helperName {
					hosts = append(hosts, host)
				}
			}
		}
	}
	return hosts
}
