package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"

	"github.com/miekg/dns"

	"github.com/acrdiag/acrdiag/internal/cause"
)

// dnsAnswer is the resolution of a name: the CNAME chain and the addresses at its end.
type dnsAnswer struct {
	Chain []string
	Addrs []net.IP
}

func (a dnsAnswer) String() string {
	var ips []string
	for _, ip := range a.Addrs {
		ips = append(ips, ip.String())
	}
	return strings.Join(a.Chain, " -> ") + " = " + strings.Join(ips, ", ")
}

var errNXDomain = errors.New("NXDOMAIN: the name does not exist")

// resolve follows the CNAME chain of name at server (host:port), so that a privatelink hop shows.
func resolve(ctx context.Context, server, name string) (dnsAnswer, error) {
	ans := dnsAnswer{Chain: []string{strings.TrimSuffix(name, ".")}}
	c := &dns.Client{}
	q := dns.Fqdn(name)
	for range 10 {
		m := new(dns.Msg)
		m.SetQuestion(q, dns.TypeA)
		r, _, err := c.ExchangeContext(ctx, m, server)
		if err != nil {
			return ans, err
		}
		if r.Rcode == dns.RcodeNameError {
			return ans, errNXDomain
		}
		if r.Rcode != dns.RcodeSuccess {
			return ans, fmt.Errorf("the DNS server answered %s", dns.RcodeToString[r.Rcode])
		}
		next := ""
		for _, rr := range r.Answer {
			switch v := rr.(type) {
			case *dns.CNAME:
				if strings.EqualFold(v.Hdr.Name, q) {
					next = v.Target
				}
			case *dns.A:
				ans.Addrs = append(ans.Addrs, v.A)
			}
		}
		if len(ans.Addrs) > 0 {
			for _, rr := range r.Answer { // the chain as the server gave it
				if cn, ok := rr.(*dns.CNAME); ok && !contains(ans.Chain, strings.TrimSuffix(cn.Target, ".")) {
					ans.Chain = append(ans.Chain, strings.TrimSuffix(cn.Target, "."))
				}
			}
			return ans, nil
		}
		if next == "" {
			return ans, errors.New("no address in the answer")
		}
		ans.Chain = append(ans.Chain, strings.TrimSuffix(next, "."))
		q = next
	}
	return ans, errors.New("CNAME chain longer than 10")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// systemDNSServer is the first name server of /etc/resolv.conf.
func systemDNSServer() (string, error) {
	if runtime.GOOS == "windows" {
		return "", errors.New("reading the system's DNS servers is not supported on Windows")
	}
	cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil {
		return "", fmt.Errorf("read the system's DNS servers: %w", err)
	}
	if len(cfg.Servers) == 0 {
		return "", errors.New("no DNS server in /etc/resolv.conf")
	}
	return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
}

// dnsCheck: the CNAME chain and addresses of the login server; private endpoint detection.
func dnsCheck(ctx context.Context, e *Env) Result {
	if e.Name != nil {
		return skip("the registry name is not usable")
	}
	server, explicit := e.Opts.DNSServer, e.Opts.DNSServer != ""
	proxy := e.proxyFor(e.LS.Host)
	if !explicit {
		if proxy != nil {
			return skip(fmt.Sprintf("HTTPS goes through %s, which resolves %s itself; use --dns-server to check a DNS server anyway", redact(proxy), e.LS.Host))
		}
		var err error
		if server, err = systemDNSServer(); err != nil {
			return skip(err.Error())
		}
	}
	ans, err := resolve(ctx, server, e.LS.Host)
	informational := proxy != nil && !explicit
	switch {
	case errors.Is(err, errNXDomain):
		return e.fail(cause.RegistryNotFound, fmt.Sprintf("%s does not exist in DNS (NXDOMAIN from %s)", e.LS.Host, server),
			"a typo, a deleted registry, or a name with a domain name label hash (name-hash.azurecr.io)")
	case err != nil:
		return e.fail(cause.NetworkDNSFailure, "cannot resolve "+e.LS.Host+" with "+server, cause.Summarize(err.Error()))
	}
	viaPrivatelink := false
	for _, n := range ans.Chain {
		if strings.Contains(n, ".privatelink.") {
			viaPrivatelink = true
		}
	}
	private := len(ans.Addrs) > 0 && isPrivate(ans.Addrs[0])
	summary := fmt.Sprintf("%s (from %s)", ans, server)
	switch {
	case e.Opts.ExpectPrivate && !private:
		return e.fail(cause.NetworkPrivateEndpoint, "a private endpoint is expected, but "+e.LS.Host+" resolves to a public address: "+summary,
			"this resolver does not use the privatelink.azurecr.io private DNS zone")
	case private && !viaPrivatelink:
		return warn("a private address without the privatelink name: "+summary, "a hosts file or custom DNS record; it breaks when the private endpoint's address changes")
	case private:
		return pass("private endpoint in use: " + summary)
	case viaPrivatelink && !informational:
		return warn("the registry has a private endpoint, but this resolver answers with its public address: "+summary,
			"if public network access is disabled, expect 403 DENIED; link the privatelink.azurecr.io zone to this network")
	}
	return pass(summary)
}
