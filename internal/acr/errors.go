package acr

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ResponseError is an unexpected answer of a registry: the status, ACR's error code and message, and the
// correlation id that Azure support asks for. It never holds a token: ACR does not echo them.
type ResponseError struct {
	Host          string
	Op            string // what was attempted: "exchange an Entra token", "probe anonymous pull"
	Status        int
	Code          string // ACR error code: UNAUTHORIZED, DENIED, TOOMANYREQUESTS...
	Message       string
	CorrelationID string
	RetryAfter    string
	FromRegistry  bool   // the answer carries ACR's headers or error body: the registry itself answered
	Proxy         string // host:port of the proxy the request went through, if one applies
}

func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("%s with %s: HTTP %d", e.Op, e.Host, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RetryAfter != "" {
		msg += " (retry after " + e.RetryAfter + "s)"
	}
	if e.CorrelationID != "" {
		msg += " (correlation id " + e.CorrelationID + ")"
	}
	return msg
}

// parseErrorBody reads ACR's {"errors":[{"code","message"}]} body; other bodies give a trimmed excerpt.
func parseErrorBody(body []byte) (code, message string) {
	var parsed struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) == nil && len(parsed.Errors) > 0 {
		return parsed.Errors[0].Code, parsed.Errors[0].Message
	}
	text := strings.Join(strings.Fields(string(body)), " ")
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	if strings.ContainsAny(text, "<{") { // HTML or foreign JSON from a proxy: not worth quoting
		return "", ""
	}
	return "", text
}
