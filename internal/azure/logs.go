package azure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/monitor/azquery"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"
)

// LoginEventsCategory is the registry's resource-log category of login attempts.
const LoginEventsCategory = "ContainerRegistryLoginEvents"

// LogSetting is where the registry's diagnostic settings send login events, if anywhere.
type LogSetting struct {
	Name      string
	Workspace string // Log Analytics workspace resource id; "" when login events go elsewhere (storage, event hub)
}

// LoginEventSettings lists the diagnostic settings that capture login events.
func (c *Client) LoginEventSettings(ctx context.Context, ref Ref) ([]LogSetting, error) {
	client, err := armmonitor.NewDiagnosticSettingsClient(c.cred, c.options(""))
	if err != nil {
		return nil, err
	}
	var out []LogSetting
	pager := client.NewListPager(ref.ID, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list diagnostic settings", err)
		}
		for _, s := range page.Value {
			if s == nil || s.Properties == nil {
				continue
			}
			for _, l := range s.Properties.Logs {
				if l == nil || l.Enabled == nil || !*l.Enabled {
					continue
				}
				cat, group := deref(l.Category), deref(l.CategoryGroup)
				if strings.EqualFold(cat, LoginEventsCategory) || strings.EqualFold(group, "allLogs") || strings.EqualFold(group, "audit") {
					out = append(out, LogSetting{Name: deref(s.Name), Workspace: deref(s.Properties.WorkspaceID)})
					break
				}
			}
		}
	}
	return out, nil
}

// LoginEvent is one row of ContainerRegistryLoginEvents.
type LoginEvent struct {
	Time        time.Time
	Identity    string // object id, user principal name, or the username given (token, admin)
	CallerIP    string
	Result      string // HTTP status as ACR logs it: 200, 401, 403...
	Description string
	UserAgent   string
}

// Failed says whether the login did not succeed.
func (e LoginEvent) Failed() bool { return !strings.HasPrefix(e.Result, "2") }

// loginEventsQuery is the KQL the logs command runs, newest first, bounded.
const loginEventsQuery = `ContainerRegistryLoginEvents
| where LoginServer =~ '%s'
| project TimeGenerated, Identity, CallerIpAddress, ResultType, ResultDescription, UserAgent
| order by TimeGenerated desc
| take 500`

// LoginEvents queries the registry's login events of the last `since`, through the resource-centric Log
// Analytics API (the registry's id, so the workspace need not be known).
func (c *Client) LoginEvents(ctx context.Context, ref Ref, loginServer string, since time.Duration) ([]LoginEvent, error) {
	const op = "query login events"
	svc, ok := c.cloud.Services[azquery.ServiceNameLogs]
	if !ok {
		return nil, fmt.Errorf("%s: Log Analytics is not known in this cloud", op)
	}
	client, err := azquery.NewLogsClient(c.cred, &azquery.LogsClientOptions{ClientOptions: c.clientOptions("")})
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", op, svc.Endpoint, err)
	}
	query := fmt.Sprintf(loginEventsQuery, kqlQuote(loginServer))
	span := azquery.NewTimeInterval(time.Now().Add(-since).UTC(), time.Now().UTC())
	resp, err := client.QueryResource(ctx, ref.ID, azquery.Body{Query: &query, Timespan: &span}, nil)
	if err != nil {
		return nil, wrap(op, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("%s: %w", op, resp.Error)
	}
	var out []LoginEvent
	for _, t := range resp.Tables {
		col := map[string]int{}
		for i, c := range t.Columns {
			col[deref(c.Name)] = i
		}
		for _, row := range t.Rows {
			cell := func(name string) string {
				if i, ok := col[name]; ok && i < len(row) {
					s, _ := row[i].(string)
					return s
				}
				return ""
			}
			ev := LoginEvent{Identity: cell("Identity"), CallerIP: cell("CallerIpAddress"), Result: cell("ResultType"),
				Description: cell("ResultDescription"), UserAgent: cell("UserAgent")}
			ev.Time, _ = time.Parse(time.RFC3339Nano, cell("TimeGenerated"))
			if !ev.Time.IsZero() && ev.Time.Before(time.Now().Add(-since)) {
				continue
			}
			out = append(out, ev)
		}
	}
	return out, nil
}
