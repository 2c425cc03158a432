package explain

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// Status is an HTTP status in the text and the request it answered.
type Status struct {
	Code    int    `json:"code"`
	Request string `json:"request,omitempty"` // one of the req* kinds, "" when the text does not say
	URL     string `json:"url,omitempty"`
}

// Request kinds, from the URL a status answered.
const (
	reqChallenge = "challenge" // GET /v2/
	reqToken     = "token"     // /oauth2/token: an access token, anonymous or from a refresh token
	reqExchange  = "exchange"  // /oauth2/exchange: an Entra token for a refresh token
	reqManifest  = "manifest"
	reqBlob      = "blob"
	reqUpload    = "upload" // blobs/uploads: a push
	reqData      = "data"   // the data endpoint or storage
	reqEntra     = "entra"
	reqARM       = "arm"
	reqLogin     = "login" // docker login's own check
)

var (
	// Go (containerd, BuildKit, docker, crane): unexpected status from GET request to URL: 401 Unauthorized,
	// unexpected status code URL: 403 Forbidden
	statusFromRequest = lazyre.New(`(?i)(?:unexpected status|status code|unexpected http status|received unexpected http status)(?: from (?:get|head|post|put|patch) request| from registry)?(?: to (\S+?)| (https?://\S+?))?:? +(\d{3})\b`)
	// docker daemon: Get "URL": unauthorized / denied / toomanyrequests ...
	verbURL = lazyre.New(`(?i)\b(get|head|post|put|patch) "?(https?://[^\s"]+)"?: ([a-z ]+?)(?::|$|\.)`)
	// docker login: login attempt to URL failed with status: 401 Unauthorized
	loginAttempt = lazyre.New(`(?i)login attempt to (\S+) failed with status: (\d{3})`)
	// generic forms: Response code: 401, RESPONSE 401, HTTP 403, status: 403, "GET /v2/ HTTP/1.1" 401, StatusCode=403, 403 Forbidden
	genericStatus = lazyre.New(`(?i)(?:response code:? |response |http/1\.[01]" |http |status: ?|statuscode[=:] ?|status code |error code:? |returned error status:? |returned )(\d{3})\b|\b(\d{3}) (?:unauthorized|forbidden|too many requests|not found|bad gateway|service unavailable|proxy authentication required|internal server error|gateway time-?out)`)
	urlLine       = lazyre.New(`(?i)"(?:get|head|post|put|patch) (/[^\s"]*) http/1\.[01]" (\d{3})`)
)

// registryWords maps the daemon's one-word registry answers to the status they stand for.
var registryWords = map[string]int{"unauthorized": 401, "denied": 403, "toomanyrequests": 429, "forbidden": 403,
	"not found": 404, "manifest unknown": 404, "name unknown": 404, "internal server error": 500, "bad gateway": 502,
	"service unavailable": 503, "gateway timeout": 504}

func findStatuses(text, lower string) []Status {
	var out []Status
	add := func(code int, url string, at int) {
		if code < 200 || code > 599 {
			return
		}
		s := Status{Code: code, URL: url, Request: requestKind(url)}
		if url == "" {
			s.Request = requestBefore(text[max(0, at-100):at])
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	// group returns submatch i of a FindAllStringSubmatchIndex match, "" when it did not take part.
	group := func(m []int, i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return text[m[2*i]:m[2*i+1]]
	}
	for _, m := range indexesIf(mentions(lower, "status"), statusFromRequest, text) {
		code, _ := strconv.Atoi(group(m, 3))
		add(code, group(m, 1)+group(m, 2), m[0]) // containerd's "unexpected status code URL: 403" names no verb
	}
	for _, m := range indexesIf(mentions(lower, "login attempt"), loginAttempt, text) {
		code, _ := strconv.Atoi(group(m, 2))
		add(code, group(m, 1), m[0])
	}
	for _, m := range indexesIf(mentions(lower, "get ", "head ", "post ", "put ", "patch ") && mentions(lower, "http"), verbURL, text) {
		if code, ok := registryWords[strings.ToLower(strings.TrimSpace(group(m, 3)))]; ok {
			add(code, group(m, 2), m[0])
		}
	}
	for _, m := range indexesIf(mentions(lower, "http/1."), urlLine, text) {
		code, _ := strconv.Atoi(group(m, 2))
		add(code, group(m, 1), m[0])
	}
	if len(out) == 0 && hasThreeDigits(text) {
		for _, m := range genericStatus().FindAllStringSubmatchIndex(text, -1) {
			code, _ := strconv.Atoi(group(m, 1) + group(m, 2))
			add(code, "", m[0])
		}
	}
	return out
}

// hasThreeDigits reports whether text has three digits in a row, as every HTTP status does.
func hasThreeDigits(text string) bool {
	run := 0
	for i := 0; i < len(text); i++ {
		if text[i] >= '0' && text[i] <= '9' {
			if run++; run == 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// indexesIf runs re over text only when the literal test before it passed.
func indexesIf(ok bool, re func() *regexp.Regexp, text string) [][]int {
	if !ok {
		return nil
	}
	return re().FindAllStringSubmatchIndex(text, -1)
}

// requestBefore names the request a status without a URL answered, from the words before it.
func requestBefore(context string) string {
	c := strings.ToLower(context)
	switch {
	case strings.Contains(c, "exchange"):
		return reqExchange
	case strings.Contains(c, "oauth token") || strings.Contains(c, "anonymous token") || strings.Contains(c, "access token") ||
		strings.Contains(c, "bearer token"): // containers/image (podman, skopeo, buildah): "Requesting bearer token
		return reqToken
	case strings.Contains(c, "login attempt"):
		return reqLogin
	}
	return ""
}

// requestKind names the request a URL (or a path) stands for.
func requestKind(url string) string {
	u := strings.ToLower(url)
	switch {
	case u == "":
		return ""
	case strings.Contains(u, "login.microsoftonline") || strings.Contains(u, "/oauth2/v2.0/token") || strings.Contains(u, "login.chinacloudapi"):
		return reqEntra
	case strings.Contains(u, "management.azure.com") || strings.Contains(u, "management.chinacloudapi"):
		return reqARM
	case strings.Contains(u, ".data.azurecr.") || strings.Contains(u, ".blob.core.") || strings.Contains(u, ".blob.storage."):
		return reqData
	case strings.Contains(u, "/oauth2/exchange"):
		return reqExchange
	case strings.Contains(u, "/oauth2/token"):
		return reqToken
	case strings.Contains(u, "/blobs/uploads"):
		return reqUpload
	case strings.Contains(u, "/manifests/"):
		return reqManifest
	case strings.Contains(u, "/blobs/"):
		return reqBlob
	case strings.HasSuffix(strings.TrimSuffix(u, "/"), "/v2") || strings.HasSuffix(u, "/v2/"):
		return reqChallenge
	}
	return ""
}
