package crawler

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"syscall"
)

// specialRange is one entry of the special-address list: a range the crawler
// does not connect to unless Config.AllowedNetworks lists it or
// Config.AllowPrivateNetworks is on.
type specialRange struct {
	prefix netip.Prefix
	// name and ref are the registry's name and reference for the range.
	name, ref string
	// embedded returns the IPv4 addresses an IPv6 address of the range
	// carries (nil for ranges that carry none).
	embedded func(netip.Addr) []netip.Addr
	// byEmbedded: an address of the range is refused only when an embedded
	// IPv4 address is special. Set for the two forms that reach public IPv4
	// hosts in ordinary use (IPv4-mapped sockets, NAT64's well-known prefix);
	// every other range is refused whole, its embedded address only named.
	byEmbedded bool
}

// ipv4Special is the IANA IPv4 Special-Purpose Address Registry (RFC 6890 and
// the RFCs since), every entry, plus multicast (RFC 5771), which the
// registry leaves to its own. Entries the registry marks globally reachable
// (anycast services, AS112, AMT) are refused too: a news crawler has no page
// to fetch there.
var ipv4Special = []specialRange{
	{prefix: pfx("0.0.0.0/8"), name: `"This network"`, ref: "RFC 791"},
	{prefix: pfx("0.0.0.0/32"), name: `"This host on this network"`, ref: "RFC 1122"},
	{prefix: pfx("10.0.0.0/8"), name: "Private-Use", ref: "RFC 1918"},
	{prefix: pfx("100.64.0.0/10"), name: "Shared Address Space", ref: "RFC 6598"},
	{prefix: pfx("127.0.0.0/8"), name: "Loopback", ref: "RFC 1122"},
	{prefix: pfx("169.254.0.0/16"), name: "Link Local", ref: "RFC 3927"},
	{prefix: pfx("172.16.0.0/12"), name: "Private-Use", ref: "RFC 1918"},
	{prefix: pfx("192.0.0.0/24"), name: "IETF Protocol Assignments", ref: "RFC 6890"},
	{prefix: pfx("192.0.0.0/29"), name: "IPv4 Service Continuity Prefix", ref: "RFC 7335"},
	{prefix: pfx("192.0.0.8/32"), name: "IPv4 dummy address", ref: "RFC 7600"},
	{prefix: pfx("192.0.0.9/32"), name: "Port Control Protocol Anycast", ref: "RFC 7723"},
	{prefix: pfx("192.0.0.10/32"), name: "Traversal Using Relays around NAT Anycast", ref: "RFC 8155"},
	{prefix: pfx("192.0.0.170/32"), name: "NAT64/DNS64 Discovery", ref: "RFC 8880, RFC 7050"},
	{prefix: pfx("192.0.0.171/32"), name: "NAT64/DNS64 Discovery", ref: "RFC 8880, RFC 7050"},
	{prefix: pfx("192.0.2.0/24"), name: "Documentation (TEST-NET-1)", ref: "RFC 5737"},
	{prefix: pfx("192.31.196.0/24"), name: "AS112-v4", ref: "RFC 7535"},
	{prefix: pfx("192.52.193.0/24"), name: "AMT", ref: "RFC 7450"},
	{prefix: pfx("192.88.99.0/24"), name: "Deprecated (6to4 Relay Anycast)", ref: "RFC 7526"},
	{prefix: pfx("192.168.0.0/16"), name: "Private-Use", ref: "RFC 1918"},
	{prefix: pfx("192.175.48.0/24"), name: "Direct Delegation AS112 Service", ref: "RFC 7534"},
	{prefix: pfx("198.18.0.0/15"), name: "Benchmarking", ref: "RFC 2544"},
	{prefix: pfx("198.51.100.0/24"), name: "Documentation (TEST-NET-2)", ref: "RFC 5737"},
	{prefix: pfx("203.0.113.0/24"), name: "Documentation (TEST-NET-3)", ref: "RFC 5737"},
	{prefix: pfx("224.0.0.0/4"), name: "Multicast", ref: "RFC 5771"},
	{prefix: pfx("240.0.0.0/4"), name: "Reserved", ref: "RFC 1112"},
	{prefix: pfx("255.255.255.255/32"), name: "Limited Broadcast", ref: "RFC 8190, RFC 919"},
}

// ipv6Special is the IANA IPv6 Special-Purpose Address Registry, every
// entry, plus the ranges RFC 4291 and RFC 3879 deprecated or reserved that
// the registry no longer lists (IPv4-compatible, site-local) or never did
// (IPv4-translated, multicast). IPv6 forms that embed an IPv4 address name it.
var ipv6Special = []specialRange{
	{prefix: pfx("::1/128"), name: "Loopback Address", ref: "RFC 4291"},
	{prefix: pfx("::/128"), name: "Unspecified Address", ref: "RFC 4291"},
	{prefix: pfx("::/96"), name: "IPv4-compatible Address (deprecated)", ref: "RFC 4291", embedded: low32},
	{prefix: pfx("::ffff:0:0/96"), name: "IPv4-mapped Address", ref: "RFC 4291", embedded: low32, byEmbedded: true},
	{prefix: pfx("::ffff:0:0:0/96"), name: "IPv4-translated Address", ref: "RFC 2765", embedded: low32},
	{prefix: pfx("64:ff9b::/96"), name: "IPv4-IPv6 Translat.", ref: "RFC 6052", embedded: low32, byEmbedded: true},
	{prefix: pfx("64:ff9b:1::/48"), name: "IPv4-IPv6 Translat. (local use)", ref: "RFC 8215", embedded: low32},
	{prefix: pfx("100::/64"), name: "Discard-Only Address Block", ref: "RFC 6666"},
	{prefix: pfx("100:0:0:1::/64"), name: "Dummy IPv6 Prefix", ref: "RFC 9780"},
	{prefix: pfx("2001::/23"), name: "IETF Protocol Assignments", ref: "RFC 2928"},
	{prefix: pfx("2001::/32"), name: "TEREDO", ref: "RFC 4380, RFC 8190", embedded: teredo},
	{prefix: pfx("2001:1::1/128"), name: "Port Control Protocol Anycast", ref: "RFC 7723"},
	{prefix: pfx("2001:1::2/128"), name: "Traversal Using Relays around NAT Anycast", ref: "RFC 8155"},
	{prefix: pfx("2001:1::3/128"), name: "DNS-SD Service Registration Protocol Anycast", ref: "RFC 9665"},
	{prefix: pfx("2001:2::/48"), name: "Benchmarking", ref: "RFC 5180"},
	{prefix: pfx("2001:3::/32"), name: "AMT", ref: "RFC 7450"},
	{prefix: pfx("2001:4:112::/48"), name: "AS112-v6", ref: "RFC 7535"},
	{prefix: pfx("2001:10::/28"), name: "Deprecated (previously ORCHID)", ref: "RFC 4843"},
	{prefix: pfx("2001:20::/28"), name: "ORCHIDv2", ref: "RFC 7343"},
	{prefix: pfx("2001:30::/28"), name: "Drone Remote ID Protocol Entity Tags (DETs) Prefix", ref: "RFC 9374"},
	{prefix: pfx("2001:db8::/32"), name: "Documentation", ref: "RFC 3849"},
	{prefix: pfx("2002::/16"), name: "6to4", ref: "RFC 3056", embedded: sixToFour},
	{prefix: pfx("2620:4f:8000::/48"), name: "Direct Delegation AS112 Service", ref: "RFC 7534"},
	{prefix: pfx("3fff::/20"), name: "Documentation", ref: "RFC 9637"},
	{prefix: pfx("5f00::/16"), name: "Segment Routing (SRv6) SIDs", ref: "RFC 9602"},
	{prefix: pfx("fc00::/7"), name: "Unique-Local", ref: "RFC 4193, RFC 8190"},
	{prefix: pfx("fe80::/10"), name: "Link-Local Unicast", ref: "RFC 4291"},
	{prefix: pfx("fec0::/10"), name: "Site-Local (deprecated)", ref: "RFC 3879"},
	{prefix: pfx("ff00::/8"), name: "Multicast", ref: "RFC 4291"},
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// init orders both lists most specific first, so the first match is the
// entry that names an address best.
func init() {
	for _, list := range [][]specialRange{ipv4Special, ipv6Special} {
		slices.SortStableFunc(list, func(a, b specialRange) int { return cmp.Compare(b.prefix.Bits(), a.prefix.Bits()) })
	}
}

// low32 is the IPv4 address in the last 32 bits (RFC 4291, RFC 6052 /96).
func low32(a netip.Addr) []netip.Addr {
	b := a.As16()
	return []netip.Addr{netip.AddrFrom4([4]byte(b[12:16]))}
}

// sixToFour is the IPv4 address of a 6to4 address, 2002:V4ADDR::/48.
func sixToFour(a netip.Addr) []netip.Addr {
	b := a.As16()
	return []netip.Addr{netip.AddrFrom4([4]byte(b[2:6]))}
}

// teredo is the server and the (obfuscated) client IPv4 address of a Teredo
// address, 2001:0:SERVER:FLAGS:PORT:CLIENT (RFC 4380 section 4).
func teredo(a netip.Addr) []netip.Addr {
	b := a.As16()
	client := [4]byte{^b[12], ^b[13], ^b[14], ^b[15]}
	return []netip.Addr{netip.AddrFrom4([4]byte(b[4:8])), netip.AddrFrom4(client)}
}

// specialUse returns why a is an address the crawler must not reach (the
// registry name of its range, and the embedded IPv4 address's when that
// decides), or "" when it is an ordinary public address.
func specialUse(a netip.Addr) string {
	a = a.WithZone("")
	if a.Is4() {
		for _, r := range ipv4Special {
			if r.prefix.Contains(a) {
				return fmt.Sprintf("%s, %s %s", r.name, r.prefix, r.ref)
			}
		}
		return ""
	}
	for _, r := range ipv6Special {
		if !r.prefix.Contains(a) {
			continue
		}
		why := fmt.Sprintf("%s, %s %s", r.name, r.prefix, r.ref)
		if r.embedded == nil {
			return why
		}
		var inner string
		for _, v4 := range r.embedded(a) {
			if s := specialUse(v4); s != "" {
				inner = fmt.Sprintf(", embedding %s (%s)", v4, s)
				break
			}
		}
		switch {
		case inner != "":
			return why + inner
		case r.byEmbedded:
			return ""
		}
		return fmt.Sprintf("%s, embedding %s", why, r.embedded(a)[0])
	}
	return ""
}

// isPrivateAddr reports whether a is an address the crawler must not reach.
func isPrivateAddr(a netip.Addr) bool { return specialUse(a) != "" }

// inNetworks reports whether a, or an IPv4 address an IPv4-mapped or NAT64
// form of it carries, is in one of nets.
func inNetworks(a netip.Addr, nets []netip.Prefix) bool {
	a = a.WithZone("")
	cands := []netip.Addr{a.Unmap()}
	if a.Is6() {
		for _, r := range ipv6Special {
			if r.byEmbedded && r.prefix.Contains(a) {
				cands = append(cands, r.embedded(a)...)
			}
		}
	}
	for _, p := range nets {
		for _, c := range cands {
			if p.Contains(c) {
				return true
			}
		}
	}
	return false
}

// dialGuard returns the dialer's Control function that refuses special
// addresses, or nil when cfg.AllowPrivateNetworks is on. The error names the
// range and the keys that would allow it.
func dialGuard(cfg Config) func(network, address string, _ syscall.RawConn) error {
	if cfg.AllowPrivateNetworks {
		return nil
	}
	var allowed []netip.Prefix
	for _, n := range cfg.AllowedNetworks {
		if p, err := netip.ParsePrefix(n); err == nil { // Validate reports bad ones
			allowed = append(allowed, p.Masked())
		}
	}
	// Checked on the resolved address of every connection, so DNS answers
	// and redirects cannot sneak past it.
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
		}
		if why := specialUse(ap.Addr()); why != "" && !inNetworks(ap.Addr(), allowed) {
			return fmt.Errorf("%w: %s (%s); list it in crawler.allowed_networks or set crawler.allow_private_networks: true to reach it",
				ErrPrivateAddress, address, why)
		}
		return nil
	}
}
