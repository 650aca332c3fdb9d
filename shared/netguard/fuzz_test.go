package netguard

import (
	"net/netip"
	"testing"
)

// FuzzBlocked checks the address policy against what it must agree with,
// for any 16 bytes read as IPv6 and their first 4 as IPv4: every address
// the standard library calls loopback, private, link-local, multicast or
// unspecified is blocked; an IPv4 address and every IPv6 form that embeds
// it (mapped, NAT64, 6to4) are blocked alike; a zone always blocks; the
// loopback allowance lifts loopback and nothing else; and the connect-time
// Check refuses exactly what Refused refuses.
func FuzzBlocked(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "169.254.169.254", "8.8.8.8", "::1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::",
		"::ffff:10.0.0.1", "2001::1", "fe80::1", "100.64.0.1", "192.88.99.1", "2606:4700::1111", "::127.0.0.1"} {
		a := netip.MustParseAddr(s).As16()
		f.Add(a[:], uint16(443))
	}
	f.Fuzz(func(t *testing.T, raw []byte, port uint16) {
		if len(raw) < 16 {
			return
		}
		ip6 := netip.AddrFrom16([16]byte(raw[:16]))
		ip4 := netip.AddrFrom4([4]byte(raw[:4]))
		for _, ip := range []netip.Addr{ip6, ip4} {
			if (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
				ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified()) && !Blocked(ip) {
				t.Fatalf("%s is not public unicast but is not blocked", ip)
			}
			if !Blocked(ip.WithZone("eth0")) && ip.Is6() {
				t.Fatalf("%s%%eth0 is not blocked", ip)
			}
			lifted := Refused(ip, false) && !Refused(ip, true)
			if lifted != (Blocked(ip) && ip.Unmap().IsLoopback()) {
				t.Fatalf("%s: the loopback allowance lifts %v", ip, lifted)
			}
			for _, allow := range []bool{false, true} {
				err := NewGuard(Options{AllowLoopback: allow, RuntimeAPI: "-"}).Check(netip.AddrPortFrom(ip, port))
				if (err != nil) != Refused(ip, allow) {
					t.Fatalf("%s:%d allowLoopback=%v: Check %v, Refused %v", ip, port, allow, err, Refused(ip, allow))
				}
			}
		}
		v4 := ip4.As4()
		embedded := map[string]netip.Addr{
			"mapped": netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]}),
			"NAT64":  netip.AddrFrom16([16]byte{0: 0x00, 1: 0x64, 2: 0xff, 3: 0x9b, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]}),
			"6to4":   netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: v4[0], 3: v4[1], 4: v4[2], 5: v4[3], 15: raw[15]}),
		}
		for form, ip := range embedded {
			if Blocked(ip4) && !Blocked(ip) {
				t.Fatalf("%s is blocked but its %s form %s is not", ip4, form, ip)
			}
		}
	})
}
