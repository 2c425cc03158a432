package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/cli/cli-plugins/hooks"

	"github.com/acrdiag/acrdiag/internal/cause"
	"github.com/acrdiag/acrdiag/internal/config"
	"github.com/acrdiag/acrdiag/internal/dockerconfig"
	"github.com/acrdiag/acrdiag/internal/explain"
	"github.com/acrdiag/acrdiag/internal/lastfailure"
	"github.com/acrdiag/acrdiag/internal/lazyre"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// hookRequest is what the docker CLI sends (hooks.Request; HookPluginData before v29.4, the same JSON).
type hookRequest = hooks.Request

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
	// {{arg . 0}}, not hooks.TemplateReplaceArg's {{argValue 0}}: CLIs before 29.4 render only the former,
	// and every CLI since 26.1 still does.
	tmpl = strings.ReplaceAll(tmpl, argPlaceholder, "{{arg . 0}}")
	_ = json.NewEncoder(out).Encode(hooks.Response{Type: hooks.NextSteps, Template: tmpl})
}

// argPlaceholder stands for the command's first argument until the template is built.
const argPlaceholder = "\x00ARG0\x00"

// aboutACR tells error text that comes from ACR even when it names no host.
var aboutACR = lazyre.New(`(?i)azurecr\.|aka\.ms/acr|x-ms-correlation`)

// hookContext is what the hook knows beyond the request: the machine's records and the failing command's
// own arguments. Tests fill it in; RunHook reads the real ones.
type hookContext struct {
	Now        time.Time
	CacheDir   string
	Machine    *explain.Machine
	parentArgs func() []string // the docker CLI's arguments, when the platform tells
}

func hookMessage(req hookRequest, now time.Time) []string {
	dir := config.CacheDir()
	hc := hookContext{Now: now, CacheDir: dir, parentArgs: parentArgs}
	hc.Machine = &explain.Machine{CacheDir: dir, FailureWithin: recentFailure, Now: now}
	if p, err := dockerconfig.Path(); err == nil {
		hc.Machine.DockerConfig = p
	}
	return hc.message(req)
}

// commandAction is what the failing command did: a build pulls its base images before it pushes.
func commandAction(rootCmd string) string {
	switch {
	case strings.Contains(rootCmd, "build"):
		return "build"
	case strings.Contains(rootCmd, "push"):
		return "push"
	case strings.Contains(rootCmd, "pull"), strings.Contains(rootCmd, "run"), strings.Contains(rootCmd, "create"):
		return "pull"
	case strings.Contains(rootCmd, "login"):
		return "login"
	}
	return ""
}

// registryOfCommand is the registry the failing command used: the one its error names; else one of its
// own arguments; else, for an error that comes from a registry but does not say which, the one the
// credential helper was asked about in the last two minutes.
func (hc hookContext) registryOfCommand(f *explain.Facts) string {
	if host := f.Host(); host != "" {
		return host
	}
	text := f.Text
	if hc.parentArgs != nil {
		for _, arg := range hc.parentArgs() {
			// an image (host/repo:tag) or a login server: its first path component, parsed as a login server
			first, _, _ := strings.Cut(strings.TrimPrefix(arg, "https://"), "/")
			if strings.HasPrefix(arg, "-") {
				continue
			}
			ls, err := loginserver.ParseLoginServer(first)
			if err == nil {
				return ls.Host
			}
			if !errors.Is(err, loginserver.ErrNotACR) {
				return strings.ToLower(first) // meant as ACR, a name that cannot work: explained as such
			}
		}
	}
	if h, ok := lastfailure.RecentActivity(hc.CacheDir, 2*time.Minute); ok {
		return h
	}
	if aboutACR().MatchString(text) {
		return argPlaceholder
	}
	return ""
}

func (hc hookContext) message(req hookRequest) []string {
	f := explain.Extract(req.CommandError) // once: extraction is most of the hook's time
	text := f.Text
	host := hc.registryOfCommand(f)
	if host == "" || (f.Host() == "" && !aboutARegistry(f)) {
		return nil // not about a registry acrdiag knows of
	}
	in := explain.Input{Text: text, Action: commandAction(req.RootCmd)}
	if host != argPlaceholder {
		in.Registry = host
	}
	e := explain.ExplainFacts(f, in, hc.Machine)
	if len(e.Causes) == 0 || len(e.Causes) == 1 && e.Causes[0].ID == cause.Unknown {
		return nil // nothing to add to the command's own error: the hook stays quiet
	}
	top := e.Causes[0]
	lines := []string{fmt.Sprintf("acrdiag: %s (%s)", top.Title, top.ID)}
	if len(top.Evidence) > 0 {
		lines = append(lines, "  "+clip(top.Evidence[0], 200))
	}
	if top.ID != cause.Unknown {
		lines = append(lines, "  "+clip(top.Why, 200))
	}
	lines = append(lines, "  Fix: "+clip(top.Fix, 300)) // filled with the registry and the evidence; <registry> when unknown
	if top.ID == cause.Unknown {
		// no cause stands out: name the candidates, the diagnosis tells which
		var candidates []string
		for _, c := range e.Causes[1:min(len(e.Causes), 4)] {
			candidates = append(candidates, c.ID)
		}
		if len(candidates) > 0 {
			lines = append(lines, "  Possible: "+strings.Join(candidates, ", "))
		}
	}
	for _, c := range e.Causes[1:] {
		if top.ID != cause.Unknown && c.ID != cause.Unknown && c.Confidence != explain.Low {
			lines = append(lines, "  Also possible: "+c.Title+" ("+c.ID+")")
			break
		}
	}
	return append(lines, "  Details: docker acrcheck "+host)
}

// aboutARegistry is error text that a registry's answer or a credential lookup can explain, as opposed to
// the daemon's or the command line's own errors.
func aboutARegistry(f *explain.Facts) bool {
	if aboutACR().MatchString(f.Text) {
		return true
	}
	m := f.Classify()
	return len(m) > 0 && !strings.HasPrefix(m[0].ID, "docker.daemon") && m[0].ID != cause.DockerClientTooOld
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
