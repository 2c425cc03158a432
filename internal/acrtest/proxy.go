package acrtest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// ProxyFault is a way the kit's proxy can misbehave, as corporate proxies do.
type ProxyFault string

// The proxy faults.
const (
	ProxyOK         ProxyFault = ""
	ProxyAuth       ProxyFault = "407"  // 407 Proxy Authentication Required
	ProxyForbidden  ProxyFault = "403"  // 403 Forbidden: the proxy's policy refuses the host
	ProxyBadGateway ProxyFault = "502"  // 502 Bad Gateway: the proxy cannot reach the host
	ProxyEOF        ProxyFault = "eof"  // the proxy closes the connection without answering CONNECT
	ProxySlow       ProxyFault = "slow" // the proxy never answers CONNECT
)

// proxy is an HTTP CONNECT proxy that tunnels only the hosts the kit serves, always to the kit's TLS
// server; the client's TLS handshake still names the real host, so certificates and SNI stay real.
type proxy struct {
	kit      *Kit
	upstream string // the kit's TLS server address

	mu     sync.Mutex
	fault  ProxyFault
	faults map[string]ProxyFault // per target host, lower case, ahead of fault
}

func (p *proxy) setFault(f ProxyFault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

func (p *proxy) setFaultFor(host string, f ProxyFault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	host = strings.ToLower(host)
	if f == ProxyOK {
		delete(p.faults, host)
		return
	}
	if p.faults == nil {
		p.faults = map[string]ProxyFault{}
	}
	p.faults[host] = f
}

// faultFor is the fault the proxy plays for a CONNECT to target (host:port).
func (p *proxy) faultFor(target string) ProxyFault {
	host := target
	if h, _, err := net.SplitHostPort(target); err == nil {
		host = h
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if f, ok := p.faults[strings.ToLower(strings.TrimSuffix(host, "."))]; ok {
		return f
	}
	return p.fault
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	entry := Request{Service: "proxy", Host: r.Host, Method: r.Method, Path: r.URL.Path}
	if r.Method != http.MethodConnect {
		// Plain HTTP through HTTP_PROXY: a managed identity probe of the instance metadata service would come
		// here. Nothing plain is served, so it never leaves the machine.
		entry.Host, entry.Status, entry.Error = r.URL.Host, http.StatusForbidden, "plain HTTP refused"
		p.kit.log.add(entry)
		http.Error(w, "acrtest proxy: plain HTTP is not served; tests never leave loopback", http.StatusForbidden)
		return
	}
	switch fault := p.faultFor(r.Host); fault {
	case ProxyAuth:
		entry.Status, entry.Error = 407, "proxy authentication required"
		p.kit.log.add(entry)
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp-proxy"`)
		http.Error(w, "Proxy Authentication Required", http.StatusProxyAuthRequired)
		return
	case ProxyForbidden:
		entry.Status, entry.Error = 403, "proxy policy"
		p.kit.log.add(entry)
		http.Error(w, "Forbidden by proxy policy", http.StatusForbidden)
		return
	case ProxyBadGateway:
		entry.Status, entry.Error = 502, "upstream unreachable"
		p.kit.log.add(entry)
		http.Error(w, "The proxy could not connect to the upstream server", http.StatusBadGateway)
		return
	case ProxyEOF:
		entry.Error = "closed without answer"
		p.kit.log.add(entry)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	case ProxySlow:
		entry.Error = "no answer"
		p.kit.log.add(entry)
		sleepCtx(r, 2*time.Minute)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil || port != "443" {
		entry.Status, entry.Error = 403, "only port 443 is served"
		p.kit.log.add(entry)
		http.Error(w, "acrtest proxy: only port 443 is served", http.StatusForbidden)
		return
	}
	if status, reason := p.kit.route(host); status != 0 {
		entry.Status, entry.Error = status, reason
		p.kit.log.add(entry)
		http.Error(w, "acrtest proxy: "+reason, status)
		return
	}
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		entry.Status, entry.Error = 502, err.Error()
		p.kit.log.add(entry)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		_ = up.Close()
		return
	}
	entry.Status = 200
	p.kit.log.add(entry)
	_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	if n := buf.Reader.Buffered(); n > 0 { // bytes the client sent before our answer
		b, _ := buf.Peek(n)
		_, _ = up.Write(b)
	}
	go func() {
		_, _ = io.Copy(up, conn)
		_ = up.Close()
	}()
	_, _ = io.Copy(conn, up)
	_ = conn.Close()
}

// route decides what the proxy does with a CONNECT to host: 0 to tunnel it, else the status and reason
// of the refusal. Unknown registries look like a name that does not resolve.
func (k *Kit) route(host string) (int, string) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == entraHost || host == armHost || host == logsHost {
		return 0, ""
	}
	for _, reg := range k.registries {
		cfg := reg.config()
		if host == cfg.Host() {
			return 0, ""
		}
		if cfg.isDataHost(host) {
			if cfg.Scenario == DataEndpointBlocked || slices.Contains(cfg.BlockedDataHosts, host) {
				return http.StatusForbidden, "blocked by policy: " + host
			}
			return 0, ""
		}
	}
	if isAzureName(host) {
		return http.StatusBadGateway, fmt.Sprintf("dial tcp: lookup %s: no such host", host)
	}
	return http.StatusForbidden, host + " is not served by the test kit (tests never leave loopback)"
}

func isAzureName(host string) bool {
	for _, s := range []string{".azurecr.io", ".azurecr.cn", ".azurecr.us", ".blob.core.windows.net"} {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}
