package netguard

import "net/netip"

// blockedPrefixes are never a tenant's public endpoint. IPv4-mapped IPv6
// addresses are unmapped before the check, so ::ffff:10.0.0.1 is 10.0.0.1.
var blockedPrefixes = mustPrefixes(
	"0.0.0.0/8",       // "this network"; 0.0.0.0 reaches the local host
	"10.0.0.0/8",      // RFC 1918
	"100.64.0.0/10",   // carrier-grade NAT (RFC 6598)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, incl. 169.254.169.254 (instance metadata)
	"172.16.0.0/12",   // RFC 1918
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated): relays to whatever IPv6 it carries
	"192.168.0.0/16",  // RFC 1918
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, incl. 255.255.255.255
	"::/128",          // unspecified
	"::1/128",         // loopback
	"::/96",           // deprecated IPv4-compatible, e.g. ::127.0.0.1
	"::ffff:0:0:0/96", // IPv4-translated (RFC 2765); ::ffff:0:0/96 (mapped) is unmapped above
	"64:ff9b:1::/48",  // local-use NAT64
	"100::/64",        // discard
	"2001::/23",       // IETF protocol assignments: Teredo 2001::/32 (tunnels to an embedded IPv4), benchmarking, ORCHID
	"2001:db8::/32",   // documentation
	"fc00::/7",        // unique local (ULA), incl. fd00:ec2::254 (metadata)
	"fe80::/10",       // link-local
	"fec0::/10",       // deprecated site-local
	"ff00::/8",        // multicast
)

// Prefixes that embed an IPv4 address: the embedded one is checked too,
// so 64:ff9b::a9fe:a9fe (NAT64 of 169.254.169.254) is refused.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")
var sixToFour = netip.MustParsePrefix("2002::/16")

// Blocked reports whether ip is outside the public unicast space a
// webhook may reach (loopback included; Refused applies the allowance).
// A zoned address is blocked: a zone scopes a link-local address, itself
// blocked, and means nothing on any other.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" {
		return true
	}
	ip = ip.Unmap()
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return false
}

// Refused is the one address policy: whether a webhook may never reach ip,
// given dev mode's loopback allowance. The guard applies it to every
// address it connects to; the API applies it to literal addresses in a URL
// when the webhook is registered, so such a URL is refused up front instead
// of dead-lettered on every delivery.
func Refused(ip netip.Addr, allowLoopback bool) bool {
	return Blocked(ip) && !(allowLoopback && ip.Zone() == "" && ip.Unmap().IsLoopback())
}

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}
