package acrtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Request is one call the kit served or refused. Secrets are never recorded: identities appear by name.
type Request struct {
	Time     time.Time `json:"time"`
	Service  string    `json:"service"` // proxy, entra, registry, data, az, managed-identity
	Host     string    `json:"host"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Grant    string    `json:"grant,omitempty"`    // grant_type, or basic / bearer / anonymous
	Identity string    `json:"identity,omitempty"` // kit identity name, or the username as given
	Audience string    `json:"audience,omitempty"` // audience of an Entra token asked for or presented
	Scope    string    `json:"scope,omitempty"`
	Tenant   string    `json:"tenant,omitempty"` // the tenant an exchange named
	Status   int       `json:"status"`
	Error    string    `json:"error,omitempty"` // ACR error code, AADSTS code, or proxy refusal
	// ClientIP and UserAgent of registry requests: what ContainerRegistryLoginEvents records.
	ClientIP  string `json:"client_ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

func (r Request) String() string {
	s := fmt.Sprintf("%-16s %3d %s %s%s", r.Service, r.Status, r.Method, r.Host, r.Path)
	for _, kv := range [][2]string{{"grant", r.Grant}, {"identity", r.Identity}, {"aud", r.Audience}, {"scope", r.Scope}, {"tenant", r.Tenant}, {"error", r.Error}} {
		if kv[1] != "" {
			s += " " + kv[0] + "=" + kv[1]
		}
	}
	return s
}

// requestLog is safe for concurrent use; an optional writer receives each entry as a JSON line.
type requestLog struct {
	mu      sync.Mutex
	entries []Request
	out     io.Writer // JSON lines
	text    io.Writer // Request.String lines
}

func (l *requestLog) add(r Request) {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, r)
	if l.out != nil {
		b, _ := json.Marshal(r)
		_, _ = l.out.Write(append(b, '\n'))
	}
	if l.text != nil {
		_, _ = fmt.Fprintln(l.text, r.String())
	}
}

func (l *requestLog) snapshot() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Request(nil), l.entries...)
}

// Filter selects requests; empty fields match anything, Path matches as a prefix.
type Filter struct {
	Service, Host, Method, Path, Grant, Identity string
}

func (f Filter) match(r Request) bool {
	return (f.Service == "" || f.Service == r.Service) &&
		(f.Host == "" || strings.EqualFold(f.Host, r.Host)) &&
		(f.Method == "" || f.Method == r.Method) &&
		(f.Path == "" || strings.HasPrefix(r.Path, f.Path)) &&
		(f.Grant == "" || f.Grant == r.Grant) &&
		(f.Identity == "" || f.Identity == r.Identity)
}
