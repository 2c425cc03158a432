package explain

import (
	"errors"
	"net/netip"
	"regexp"
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
	"github.com/acrdiag/acrdiag/internal/loginserver"
)

// Ref is one registry reference in the text: a login server, an image, a URL, an `az acr` argument.
type Ref struct {
	Text       string `json:"text"`                 // as written
	Host       string `json:"host,omitempty"`       // the ACR login server it names, lower case
	Repository string `json:"repository,omitempty"` // for an image reference
	Problem    string `json:"problem,omitempty"`    // why the name cannot work; "" when it can
	Suggestion string `json:"suggestion,omitempty"` // the login server meant, when it can be guessed
	// Placeholder is a name redacted as <name>, [name] or {name}: judged for its suffix, but no registry
	// to look up or diagnose.
	Placeholder bool `json:"placeholder,omitempty"`
}

// Problems a name can have.
const (
	probUpperCase    = "upper case: Docker keys credentials by the exact, lower-case login server"
	probSuffixTypo   = "the suffix is mistyped"
	probNoRegistry   = "the image names no registry, so Docker sends it to Docker Hub (docker.io)"
	probDockerHub    = "the image names Docker Hub (docker.io), not the registry's login server"
	probBareName     = "the registry name alone is not a login server"
	probIPAddress    = "an IP address: the registry's certificate and tokens are issued for its name"
	probLoginAsName  = "az acr takes the registry's resource name (-n), not its login server"
	probPrivatelink  = "the privatelink name is resolved by DNS only; clients use the public login server"
	probDataEndpoint = "a data endpoint serves layer downloads, not logins"
	probPort         = "the port: Docker keys credentials by the host as written, so name.azurecr.io:443 finds none stored for name.azurecr.io"
)

var (
	urlRef = lazyre.New(`(?i)\bhttps?://([A-Za-z0-9.-]+(?::\d+)?)(/[^\s"'` + "`" + `<>)\]]*)?`)
	// a host that looks like ACR or close to it: any label before azurecr-like or acr-like suffixes
	acrishHost = lazyre.New(`(?i)\b((?:[a-z0-9-]+\.)+(?:azure[a-z-]{0,4}|azur[a-z]{0,3}|azrcr|azucr|acr)\.[a-z]{2,5}(?:\.[a-z]+)*)\b(/[a-z0-9._/-]+)?(:[A-Za-z0-9._-]+)?`)
	imageArg   = lazyre.New(`(?i)(?:failed to pull image|failed to push|failed to put manifest|push refers to repository \[|pull access denied for|manifest for|failed to resolve reference|error pulling image|pulling image|docker (?:pull|push|tag|run)|podman (?:pull|push)|push(?:ing)? to|for image)\s+["']?([a-z0-9][A-Za-z0-9._/:@-]*)`)
	// a host label written as a placeholder, as posts and docs redact names: <acr-name>.azurecr.io, [myacr].azurecr.io
	placeholderLabel = lazyre.New(`[<\[{]([A-Za-z0-9_-]{1,60})[>\]}]\.`)
	loginArg         = lazyre.New(`(?i)\b(?:docker|podman|helm registry|oras|crane auth|regctl registry) login\s+(?:-[a-z-]+(?:[ =]\S+)?\s+)*([A-Za-z0-9][A-Za-z0-9._:-]*)`)
	azNameArg        = lazyre.New(`(?i)\baz acr [a-z-]+(?: [a-z-]+)?\b[^\n]*?(?:-n|--name|-r|--registry)[ =]+["']?([A-Za-z0-9._-]+)`)
)

// findRefs collects the registry references of text, each judged once (the first time it appears).
func findRefs(text, lower string) (refs []Ref) {
	var placeholders []string
	seen := map[string]bool{}
	add := func(r Ref) {
		key := strings.ToLower(r.Text) + "\x00" + r.Problem + "\x00" + r.Repository
		if r.Text == "" || seen[key] {
			return
		}
		seen[key] = true
		refs = append(refs, r)
	}
	if !mentions(lower, "http", "acr", "azur", "login", "image", "push", "pull", "manifest", "reference", "docker") {
		return nil
	}
	if strings.ContainsAny(text, "<[{") {
		// judge the name around the placeholder: <ACR_NAME>.azurecr.io reads as ACR-NAME.azurecr.io
		text = placeholderLabel().ReplaceAllStringFunc(text, func(m string) string {
			label := strings.ReplaceAll(m[1:len(m)-2], "_", "-")
			placeholders = append(placeholders, strings.ToLower(label)+".")
			return label + "."
		})
	}
	defer func() {
		for i, r := range refs {
			refs[i].Placeholder = mentions(strings.ToLower(r.Text), placeholders...)
		}
	}()
	for _, m := range matchesIf(mentions(lower, "http"), urlRef, text) {
		host := m[1]
		if isAzureInfra(host) {
			continue
		}
		r := judgeHost(host, host)
		if strings.HasPrefix(m[2], "/v2/") {
			r.Repository = repositoryOf(m[2]) // other paths (/oauth2/token, /v2/) name no repository
		}
		add(inURL(r))
	}
	for _, m := range matchesIf(mentions(lower, "azur", "azrcr", "azucr", ".acr."), acrishHost, text) {
		r := judgeHost(m[1], m[1])
		if r.Host == "" && r.Suggestion == "" && r.Problem == "" {
			continue
		}
		if !strings.HasPrefix(m[2], "/oauth2/") {
			r.Repository = repositoryOf(m[2])
		}
		add(inURL(r))
	}
	for _, m := range matchesIf(mentions(lower, "image", "push", "pull", "manifest", "reference", "docker run", "docker tag"), imageArg, text) {
		add(judgeImage(strings.Trim(m[1], `"'.,:;`)))
	}
	for _, m := range matchesIf(mentions(lower, " login"), loginArg, text) {
		arg := m[1]
		if r := judgeHost(arg, arg); r.Host != "" || r.Problem != "" {
			add(r)
		} else if s := loginserver.Suggest(arg); s != "" {
			add(Ref{Text: arg, Problem: probBareName, Suggestion: s})
		}
	}
	for _, m := range matchesIf(mentions(lower, "az acr"), azNameArg, text) {
		arg := m[1]
		if ls, err := loginserver.ParseLoginServer(arg); err == nil {
			add(Ref{Text: arg, Host: ls.Host, Problem: probLoginAsName, Suggestion: ls.Host})
		}
	}
	return refs
}

// matchesIf runs re over text only when the literal test before it passed.
func matchesIf(ok bool, re func() *regexp.Regexp, text string) [][]string {
	if !ok {
		return nil
	}
	return re().FindAllStringSubmatch(text, -1)
}

// inURL drops the problem of a data endpoint seen in a URL: layer downloads go there by design.
func inURL(r Ref) Ref {
	if r.Problem == probDataEndpoint {
		r.Problem, r.Suggestion = "", ""
	}
	return r
}

// isPlaceholder is a name written in capitals or with x's, as people redact registry names.
func isPlaceholder(label string) bool {
	l := strings.ToLower(label)
	return label == strings.ToUpper(label) || strings.Trim(l, "x*") == "" || strings.Contains(l, "redacted")
}

// isAzureInfra is a host of Azure itself (Entra ID, Resource Manager, docs), never a registry reference.
func isAzureInfra(host string) bool {
	h := strings.ToLower(host)
	for _, s := range []string{"login.microsoftonline.com", "management.azure.com", "aka.ms", "docs.microsoft.com",
		"learn.microsoft.com", "github.com", "docs.docker.com", "portal.azure.com", "login.microsoftonline.us",
		"login.chinacloudapi.cn", "graph.microsoft.com"} {
		if h == s || strings.HasSuffix(h, "."+s) {
			return true
		}
	}
	return false
}

// judgeHost judges one host name (written as text) with the login-server checks of the diagnosis.
func judgeHost(text, host string) Ref {
	r := Ref{Text: text}
	h, withPort := strings.CutSuffix(host, ":443")
	if addr, err := netip.ParseAddr(strings.Split(h, ":")[0]); err == nil {
		if addr.IsLoopback() || addr.IsLinkLocalUnicast() {
			return Ref{} // a local service or the instance metadata endpoint (169.254.169.254), never a registry
		}
		r.Problem = probIPAddress
		return r
	}
	ls, err := loginserver.ParseLoginServer(h)
	var ne *loginserver.NameError
	switch {
	case err == nil:
		r.Host = ls.Host
		switch {
		case h != strings.ToLower(h) && ls.Registry != "" && !isPlaceholder(strings.Split(h, ".")[0]):
			r.Problem, r.Suggestion = probUpperCase, ls.Host
		case withPort:
			r.Problem, r.Suggestion = probPort, ls.Host
		}
	case errors.As(err, &ne):
		r.Problem, r.Suggestion = ne.Reason, ne.Suggestion
		if strings.HasPrefix(ne.Reason, "registry names are") {
			// often a name shortened or redacted for a post: the host is still the one the client used
			r.Problem, r.Host = "", strings.ToLower(h)
		}
		if strings.Contains(strings.ToLower(h), ".privatelink.") {
			r.Problem = probPrivatelink
		} else if strings.Contains(strings.ToLower(h), ".data.") {
			r.Problem = probDataEndpoint
		}
	default:
		if s := loginserver.Suggest(h); s != "" && strings.Contains(h, ".") {
			r.Problem, r.Suggestion = probSuffixTypo, s
		}
	}
	return r
}

// judgeImage judges an image reference: its registry part, or the lack of one.
func judgeImage(ref string) Ref {
	first, rest, hasSlash := strings.Cut(ref, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if strings.Contains(ref, "://") || len(ref) < 2 {
			return Ref{}
		}
		return Ref{Text: ref, Problem: probNoRegistry}
	}
	switch strings.ToLower(first) {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return Ref{Text: ref, Problem: probDockerHub}
	}
	r := judgeHost(first, first)
	if r.Host == "" && r.Problem == "" {
		return Ref{} // another registry: not ours to judge
	}
	r.Text = ref
	r.Repository = repositoryOf("/" + rest)
	return r
}

// repositoryOf is the repository of a path such as /app/web:1 or /v2/app/web/manifests/1.
func repositoryOf(path string) string {
	p := strings.Trim(path, "/")
	if p == "" || p == "v2" {
		return ""
	}
	if rest, ok := strings.CutPrefix(p, "v2/"); ok {
		for _, sep := range []string{"/manifests/", "/blobs/", "/tags/"} {
			if i := strings.Index(rest, sep); i > 0 {
				return rest[:i]
			}
		}
		return ""
	}
	if i := strings.IndexAny(p, ":@"); i >= 0 {
		p = p[:i]
	}
	return strings.ToLower(p)
}
