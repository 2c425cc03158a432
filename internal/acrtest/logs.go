package acrtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The fake Log Analytics answers resource-centric queries of a registry's ContainerRegistryLoginEvents:
// the registry's logins the kit served, when the registry's diagnostic settings send them to a workspace.
const (
	logsHost     = "api.loganalytics.io"
	audienceLogs = "https://api.loganalytics.io"
)

var loginEventColumns = []string{"TimeGenerated", "Identity", "CallerIpAddress", "LoginServer", "ResultType", "ResultDescription", "UserAgent", "OperationName"}

// serveLogs answers resource-centric queries: POST /v1{resource id}/query.
func (k *Kit) serveLogs(w http.ResponseWriter, r *http.Request, id *Identity, entry *Request) {
	resourceID, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1"), "/query")
	m := registryPath.FindStringSubmatch(strings.ToLower(resourceID))
	var reg *registry
	if ok && m != nil && m[4] == "" && r.Method == http.MethodPost {
		for _, cand := range k.sortedRegistries() {
			if strings.EqualFold(cand.config().ResourceID(), resourceID) {
				reg = cand
			}
		}
	}
	var body struct {
		Query    string `json:"query"`
		Timespan string `json:"timespan"`
	}
	switch {
	case reg == nil || !reg.mayRead(id.Name, "Microsoft.Insights/logs/ContainerRegistryLoginEvents/read"):
		entry.Error = "InsufficientAccessError"
		armError(w, 403, "InsufficientAccessError", "The provided credentials have insufficient access to perform the requested operation")
		return
	case decodeJSON(r, &body) != nil || !strings.Contains(body.Query, "ContainerRegistryLoginEvents"):
		entry.Error = "BadArgumentError"
		armError(w, 400, "BadArgumentError", "The request had some invalid properties")
		return
	}
	since := time.Time{}
	if start, _, ok := strings.Cut(body.Timespan, "/"); ok {
		since, _ = time.Parse(time.RFC3339Nano, start)
	}
	writeJSON(w, 200, map[string]any{"tables": []any{map[string]any{"name": "PrimaryResult", "columns": logColumns(), "rows": k.loginEvents(reg, since)}}})
}

func logColumns() []any {
	var out []any
	for _, c := range loginEventColumns {
		typ := "string"
		if c == "TimeGenerated" {
			typ = "datetime"
		}
		out = append(out, map[string]any{"name": c, "type": typ})
	}
	return out
}

// loginEvents are the registry's logins since the given time, newest first, as ACR records them: the
// object id or user principal name of an Entra identity, else the username as given.
func (k *Kit) loginEvents(reg *registry, since time.Time) []any {
	cfg := reg.config()
	rows := []any{}
	if !cfg.ARM.LoginEvents {
		return rows
	}
	log := k.log.snapshot()
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		if e.Service != "registry" || !strings.EqualFold(e.Host, cfg.Host()) || e.Time.Before(since) ||
			(e.Path != "/oauth2/token" && e.Path != "/oauth2/exchange") || e.Grant == "" || e.Grant == "anonymous" {
			continue
		}
		who := e.Identity
		if id := k.identity(e.Identity); id != nil {
			who = id.ObjectID
			if id.Kind == UserIdentity || id.Kind == DeveloperCLIUser {
				who = id.Name + "@contoso.example"
			}
		}
		desc := "OK"
		if e.Status >= 400 {
			desc = e.Error // ACR's error code: UNAUTHORIZED, DENIED...
		}
		rows = append(rows, []any{e.Time.UTC().Format(time.RFC3339Nano), who, e.ClientIP, cfg.Host(), strconv.Itoa(e.Status), desc, e.UserAgent, "Login"})
	}
	return rows
}

// decodeJSON reads a bounded JSON request body.
func decodeJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}
