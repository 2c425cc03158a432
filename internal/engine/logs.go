package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrdiag/acrdiag/internal/azure"
	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/check"
	"github.com/acrdiag/acrdiag/internal/cli"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/jwt"
	"github.com/acrdiag/acrdiag/internal/loginserver"
	"github.com/acrdiag/acrdiag/internal/renew"
	"github.com/acrdiag/acrdiag/internal/tokencache"
)

// logsOutput is the JSON form of `docker acrcheck logs`.
type logsOutput struct {
	Registry   string     `json:"registry"`
	ResourceID string     `json:"resourceId"`
	Since      string     `json:"since"`
	Matching   []string   `json:"matching"` // identities and IPs the events were filtered by; empty with --all
	Events     []logEvent `json:"events"`
}

type logEvent struct {
	Time      time.Time `json:"time"`
	Identity  string    `json:"identity"`
	IP        string    `json:"ip"`
	Result    string    `json:"result"`
	Reason    string    `json:"reason"`
	UserAgent string    `json:"userAgent,omitempty"`
}

func newLogsCommand(st cli.Streams, docker func() check.Docker) *cobra.Command {
	return cli.NewLogsCommand(func(cmd *cobra.Command, registry string, o *cli.LogsFlags) error {
		return runLogs(cmd.Context(), st, docker, registry, o)
	})
}

func runLogs(ctx context.Context, st cli.Streams, docker func() check.Docker, input string, o *cli.LogsFlags) error {
	cfg, err := config.Load()
	if err != nil {
		return configError(err)
	}
	ls, err := loginserver.ParseLoginServer(input, cfg.LoginServerSuffixes...)
	if err != nil {
		return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("logs: %v", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	chain := tokencache.ChainFor(cfg, ls)
	src := renew.NewChainSource(chain)
	client := azure.New(renew.Credential(src), azure.WithCloud(chain.Cloud))
	fail := func(what string, err error) error {
		msg := fmt.Sprintf("logs: %s: %v", what, err)
		var nf *azure.NotFoundError
		switch {
		case azure.IsDenied(err):
			msg += "\nReading login events needs the Reader role on the registry (or Log Analytics Reader on the workspace)."
		case errors.As(err, &nf) && len(nf.Similar) == 0:
			msg += "\nIf the registry exists, this identity may not read it: reading login events needs the Reader role on the registry" +
				" (az role assignment create --assignee <object id> --role Reader --scope $(az acr show -n " + ls.Registry + " --query id -o tsv))."
		}
		return &cli.ExitError{Code: 1, Msg: msg}
	}
	armTok, err := src.Token(ctx, renew.ARMScope(chain.Cloud))
	if err != nil {
		id, detail := renew.Classify(err)
		return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("logs: no Entra token for Azure Resource Manager: %s. Fix: %s [%s]", detail, cause.FixFor(id, ls.Host), id)}
	}
	ref, err := client.Find(ctx, ls.Host, azure.Scope{Subscription: o.Subscription, ResourceGroup: o.ResourceGroup})
	if err != nil {
		return fail("find "+ls.Host+" in Azure", err)
	}
	settings, err := client.LoginEventSettings(ctx, ref)
	if err != nil {
		return fail("read the diagnostic settings of "+ref.ID, err)
	}
	if !slices.ContainsFunc(settings, func(s azure.LogSetting) bool { return s.Workspace != "" }) {
		return &cli.ExitError{Code: 1, Msg: fmt.Sprintf("logs: %s does not send its login events to Log Analytics, so failed logins are not recorded;\n%s",
			ls.Host, check.EnableLoginEventsCommand(ref.ID))}
	}
	events, err := client.LoginEvents(ctx, ref, ls.Host, o.Since)
	if err != nil {
		return fail("query the login events of "+ref.ID, err)
	}
	out := logsOutput{Registry: ls.Host, ResourceID: ref.ID, Since: o.Since.String(), Matching: []string{}, Events: []logEvent{}}
	if !o.All {
		out.Matching = matchingIdentities(armTok, docker, ls.Host, o.IP)
	}
	for _, ev := range events {
		if !o.All && (!ev.Failed() || !matches(ev, out.Matching)) {
			continue
		}
		out.Events = append(out.Events, logEvent{Time: ev.Time.UTC(), Identity: ev.Identity, IP: ev.CallerIP, Result: ev.Result, Reason: ev.Description, UserAgent: ev.UserAgent})
	}
	if o.Format == "json" {
		enc := json.NewEncoder(st.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeLogsText(st.Out, out, o.All)
}

// matchingIdentities are what this machine logs in as: the Entra identity's ids and name, the username
// Docker holds for the registry, and an IP the user named.
func matchingIdentities(armToken string, docker func() check.Docker, host, ip string) []string {
	var ids []string
	if c, err := jwt.Inspect(armToken); err == nil {
		for _, s := range []string{c.ObjectID, c.UPN, c.AppID} {
			if s != "" {
				ids = append(ids, s)
			}
		}
	}
	if d := docker(); d != nil {
		if a, err := d.StoredAuth(host); err == nil && a.Username != "" && !a.IdentityToken && a.Username != "<token>" && a.Username != loginserver.EmptyGUID {
			ids = append(ids, a.Username)
		}
	}
	if ip != "" {
		ids = append(ids, ip)
	}
	return ids
}

func matches(ev azure.LoginEvent, ids []string) bool {
	for _, id := range ids {
		if strings.EqualFold(ev.Identity, id) || ev.CallerIP == id {
			return true
		}
	}
	return false
}

func writeLogsText(w io.Writer, out logsOutput, all bool) error {
	what := "Failed logins by " + strings.Join(out.Matching, ", ")
	if all {
		what = "Login events"
	}
	if len(out.Events) == 0 {
		_, err := fmt.Fprintf(w, "%s to %s in the last %s: none.\n(ContainerRegistryLoginEvents of %s; events reach Log Analytics a few minutes late.)\n", what, out.Registry, out.Since, out.ResourceID)
		return err
	}
	_, _ = fmt.Fprintf(w, "%s to %s in the last %s (%d):\n", what, out.Registry, out.Since, len(out.Events))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "TIME (UTC)\tIDENTITY\tIP\tRESULT\tREASON")
	for _, ev := range out.Events {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.Time.Format("2006-01-02 15:04:05"), ev.Identity, ev.IP, ev.Result, oneLine(ev.Reason))
	}
	return tw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
