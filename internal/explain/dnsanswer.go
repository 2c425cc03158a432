package explain

import (
	"net/netip"
	"strings"

	"github.com/acrdiag/acrdiag/internal/lazyre"
)

// DNSAnswer is what a pasted nslookup, dig, Resolve-DnsName or ping output says a name resolves to.
type DNSAnswer struct {
	Privatelink bool     `json:"privatelink"` // the answer goes through a privatelink.azurecr name
	Addresses   []string `json:"addresses"`   // the answer's IPv4 addresses, the DNS server's own left out
}

// dnsOutputMarkers are words only a resolver tool's output holds.
var dnsOutputMarkers = []string{"non-authoritative answer", "canonical name =", "aliases:", "answer section", "\tin\tcname",
	" in cname ", "namehost", "ipaddress", "pinging ", "ping statistics", "bytes of data", "addresses:"}

var (
	// an answer line's address: nslookup's "Address: 20.1.2.3" (not "Address: 127.0.0.53#53", the server),
	// dig's "IN A 10.0.0.4", Resolve-DnsName's "IPAddress : 10.0.0.4", ping's "[10.0.0.4]" and "(10.0.0.4)"
	answerAddress = lazyre.New(`(?i)(?:address(?:es)?:\s+|\bin\s+a\s+|ipaddress\s*:\s*|\bA\s+\d+\s+answer\s+|\bping(?:ing)?\s+\S+\s+[\[(])(\d{1,3}(?:\.\d{1,3}){3})\b(#\d+)?`)
	serverLine    = lazyre.New(`(?im)^\s*server:\s*\S+\s*\n\s*address:\s*(\d{1,3}(?:\.\d{1,3}){3})`)
)

// findDNSAnswer reads a resolver tool's output; nil when the text holds none.
func findDNSAnswer(text, lower string) *DNSAnswer {
	if !mentions(lower, dnsOutputMarkers...) {
		return nil
	}
	a := &DNSAnswer{Privatelink: strings.Contains(lower, ".privatelink.azurecr.")}
	server := ""
	if m := serverLine().FindStringSubmatch(text); m != nil {
		server = m[1] // nslookup's first Address is the DNS server's
	}
	for _, m := range answerAddress().FindAllStringSubmatch(text, -1) {
		if m[2] != "" || m[1] == server {
			continue
		}
		a.Addresses = appendOnce(a.Addresses, m[1])
	}
	if len(a.Addresses) == 0 && !a.Privatelink {
		return nil
	}
	return a
}

// publicAddress is an address outside the private, loopback and link-local ranges: where ACR's public
// endpoint answers.
func publicAddress(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() && !ip.IsUnspecified() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(ip)
}
