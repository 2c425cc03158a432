package acrcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/explain"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// HookSubcommand is the argument the docker CLI passes to run a plugin's hook.
const HookSubcommand = "docker-cli-plugin-hooks"

// hookRequest is what the docker CLI sends (hooks.Request in v29, HookPluginData before: the same JSON).
type hookRequest struct {
	RootCmd      string            `json:"RootCmd"`
	Flags        map[string]string `json:"Flags"`
	CommandError string            `json:"CommandError"`
}

// hookResponse is a "next steps" message (hooks.Response): Type 0, a text/template the CLI renders.
type hookResponse struct {
	Type     int    `json:"Type"`
	Template string `json:"Template"`
}

// recentFailure is how old a helper failure may be to explain the command that just failed.
const recentFailure = 10 * time.Minute

// RunHook answers the docker CLI after a login, push or pull: nothing on success or on errors that are not
// about a registry; otherwise at most 10 lines with the cause, the evidence and the fix. Offline: the error
// text and the helper's failure record are all it reads.
func RunHook(arg string, out io.Writer) {
	var req hookRequest
	if json.Unmarshal([]byte(arg), &req) != nil || strings.TrimSpace(req.CommandError) == "" {
		return
	}
	lines := hookMessage(req, time.Now())
	if len(lines) == 0 {
		return
	}
	// The CLI renders the message as a text/template: literal braces are escaped, and the registry the
	// error does not name becomes the command's first argument (the image or the server).
	tmpl := strings.ReplaceAll(strings.Join(lines, "\n"), "{{", `{{"{{"}}`)
	tmpl = strings.ReplaceAll(tmpl, argPlaceholder, "{{arg . 0}}")
	_ = json.NewEncoder(out).Encode(hookResponse{Type: 0, Template: tmpl})
}

// argPlaceholder stands for the command's first argument until the template is built.
const argPlaceholder = "\x00ARG0\x00"

// aboutACR tells error text that comes from ACR even when it names no host.
var aboutACR = lazyre.New(`(?i)azurecr\.|aka\.ms/acr|x-ms-correlation`)

func hookMessage(req hookRequest, now time.Time) []string {
	text := explain.Normalize(req.CommandError)
	if strings.Contains(req.RootCmd, "push") || strings.Contains(req.RootCmd, "build") {
		text += "\n(during a push)" // the registry's "unauthorized" on a push is about push rights
	}
	matches := explain.Classify(text)
	generic := len(matches) == 0 || isGenericAuth(matches[0].ID)
	cfg, _ := config.Load()

	// Which registry: the one the error names; else, for an error that comes from a registry but does not
	// say which, the one the credential helper was just asked about.
	host := explain.Host(text)
	if host == "" && (generic || aboutACR().MatchString(text)) {
		if rec, ok := lastfailure.Last(cfg.CacheDir, ""); ok && now.Sub(rec.Time) < recentFailure && generic {
			host = rec.Host
		} else if h, ok := lastfailure.RecentActivity(cfg.CacheDir, 2*time.Minute); ok {
			host = h
		} else if aboutACR().MatchString(text) {
			host = argPlaceholder
		}
	}
	if host == "" {
		return nil // not about a registry acrdiag knows of
	}
	rec, haveRec := lastfailure.Last(cfg.CacheDir, host)
	haveRec = haveRec && now.Sub(rec.Time) < recentFailure

	var causeID string
	switch {
	case haveRec && (generic || matches[0].ID == rec.Cause || matches[0].Confidence != explain.High):
		// The helper knows why it had no credentials: that explains the registry's bare "unauthorized".
		causeID = rec.Cause
	case len(matches) > 0:
		causeID = matches[0].ID
	default:
		return nil
	}
	c, ok := cause.Lookup(causeID)
	if !ok {
		return nil
	}
	lines := []string{fmt.Sprintf("acrdiag: %s (%s)", c.Title, causeID)}
	evidence := text
	if haveRec && causeID == rec.Cause {
		lines = append(lines, "  "+clip(fmt.Sprintf("acrdiag could not get a token for %s at %s: %s", rec.Host, rec.Time.Local().Format("15:04"), rec.Detail), 200))
		evidence += " " + rec.Detail
	} else {
		lines = append(lines, "  "+clip(c.Why, 200))
	}
	fixHost := host
	if host == argPlaceholder {
		fixHost = "" // the fix keeps its <registry> placeholders
	}
	lines = append(lines, "  Fix: "+clip(cause.FixWithEvidence(causeID, fixHost, evidence), 300))
	for _, m := range matches {
		if m.ID != causeID && m.Confidence == explain.High {
			lines = append(lines, "  Also possible: "+m.Title+" ("+m.ID+")")
			break
		}
	}
	return append(lines, "  Details: docker acrcheck "+host)
}

// isGenericAuth is a cause the registry's bare "unauthorized" points to, which a helper record explains better.
func isGenericAuth(id string) bool {
	return id == cause.AuthzPullDenied || id == cause.AuthzPushDenied || id == cause.AuthInvalidCredentials
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
