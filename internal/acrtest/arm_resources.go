package acrtest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// resourcesPath is ARM's generic resource list of a subscription, which the Azure CLI reads to find the
// resource group of a registry it knows only by name (`az acr login -n NAME`, `az acr check-health -n NAME`).
var resourcesPath = regexp.MustCompile(`^/subscriptions/([^/]+)/resources$`)

// resourceTypeFilter is the one $filter form the Azure CLI sends: resourceType eq '<type>'.
var resourceTypeFilter = regexp.MustCompile(`(?i)^\s*resourceType\s+eq\s+'([^']*)'\s*$`)

// listResources lists the subscription's resources the identity may read, in the generic shape (id, name,
// type, location, sku, tags), paged like every list. The kit's only resources are registries.
func (k *Kit) listResources(w http.ResponseWriter, r *http.Request, id *Identity, sub string) {
	const registryType = "Microsoft.ContainerRegistry/registries"
	typ := registryType
	if f := r.URL.Query().Get("$filter"); f != "" {
		m := resourceTypeFilter.FindStringSubmatch(f)
		if m == nil {
			armError(w, 400, "InvalidFilterInQueryString", fmt.Sprintf("Invalid $filter '%s' specified in the query string.", f))
			return
		}
		typ = m[1]
	}
	k.listInSubscription(w, r, sub, func(reg *registry) any {
		if !strings.EqualFold(typ, registryType) || !reg.mayRead(id.Name, registryType+"/read") {
			return nil
		}
		full := reg.armResource("")
		return map[string]any{"id": full["id"], "name": full["name"], "type": full["type"],
			"location": full["location"], "sku": full["sku"], "tags": full["tags"]}
	})
}
