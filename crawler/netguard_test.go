package crawler

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// specialCases has one or more addresses inside every entry of the
// special-address lists, written out by hand from the registries (not
// derived from the tables), with the registry name the refusal must give.
var specialCases = []struct{ addr, name string }{
	// IPv4 Special-Purpose Address Registry.
	{"0.1.2.3", `"This network"`},
	{"0.0.0.0", `"This host on this network"`},
	{"10.0.0.1", "Private-Use"},
	{"10.255.255.255", "Private-Use"},
	{"100.64.0.1", "Shared Address Space"},
	{"100.127.255.254", "Shared Address Space"},
	{"127.0.0.1", "Loopback"},
	{"127.255.255.254", "Loopback"},
	{"169.254.169.254", "Link Local"},
	{"172.16.0.1", "Private-Use"},
	{"172.31.255.255", "Private-Use"},
	{"192.0.0.100", "IETF Protocol Assignments"},
	{"192.0.0.1", "IPv4 Service Continuity Prefix"},
	{"192.0.0.8", "IPv4 dummy address"},
	{"192.0.0.9", "Port Control Protocol Anycast"},
	{"192.0.0.10", "Traversal Using Relays around NAT Anycast"},
	{"192.0.0.170", "NAT64/DNS64 Discovery"},
	{"192.0.0.171", "NAT64/DNS64 Discovery"},
	{"192.0.2.1", "Documentation (TEST-NET-1)"},
	{"192.31.196.1", "AS112-v4"},
	{"192.52.193.1", "AMT"},
	{"192.88.99.1", "Deprecated (6to4 Relay Anycast)"},
	{"192.168.1.1", "Private-Use"},
	{"192.175.48.1", "Direct Delegation AS112 Service"},
	{"198.18.0.1", "Benchmarking"},
	{"198.19.255.255", "Benchmarking"},
	{"198.51.100.7", "Documentation (TEST-NET-2)"},
	{"203.0.113.7", "Documentation (TEST-NET-3)"},
	{"224.0.0.1", "Multicast"},
	{"239.255.255.250", "Multicast"},
	{"240.0.0.1", "Reserved"},
	{"255.255.255.254", "Reserved"},
	{"255.255.255.255", "Limited Broadcast"},
	// IPv6 Special-Purpose Address Registry.
	{"::1", "Loopback Address"},
	{"::", "Unspecified Address"},
	{"::ffff:127.0.0.1", "IPv4-mapped Address, ::ffff:0.0.0.0/96 RFC 4291, embedding 127.0.0.1 (Loopback"},
	{"::ffff:10.1.2.3", "embedding 10.1.2.3 (Private-Use"},
	{"64:ff9b::127.0.0.1", "IPv4-IPv6 Translat., 64:ff9b::/96 RFC 6052, embedding 127.0.0.1 (Loopback"},
	{"64:ff9b::a9fe:a9fe", "embedding 169.254.169.254 (Link Local"},
	{"64:ff9b:1::1", "IPv4-IPv6 Translat. (local use)"},
	{"64:ff9b:1:ffff::8.8.8.8", "IPv4-IPv6 Translat. (local use)"},
	{"100::1", "Discard-Only Address Block"},
	{"100:0:0:1::1", "Dummy IPv6 Prefix"},
	{"2001:1ff::1", "IETF Protocol Assignments"},
	{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "TEREDO"},                        // the RFC's example: client 192.0.2.45
	{"2001:0:4136:e378:8000:63bf:80ff:fffe", "embedding 127.0.0.1 (Loopback"}, // obfuscated client 127.0.0.1
	{"2001:0:7f00:1:8000:63bf:f7f7:f7f7", "embedding 127.0.0.1 (Loopback"},    // server 127.0.0.1
	{"2001:1::1", "Port Control Protocol Anycast"},
	{"2001:1::2", "Traversal Using Relays around NAT Anycast"},
	{"2001:1::3", "DNS-SD Service Registration Protocol Anycast"},
	{"2001:2::1", "Benchmarking"},
	{"2001:3::1", "AMT"},
	{"2001:4:112::1", "AS112-v6"},
	{"2001:10::1", "Deprecated (previously ORCHID)"},
	{"2001:20::1", "ORCHIDv2"},
	{"2001:30::1", "Drone Remote ID Protocol Entity Tags"},
	{"2001:db8::1", "Documentation, 2001:db8::/32"},
	{"2002:7f00:1::1", "6to4, 2002::/16 RFC 3056, embedding 127.0.0.1 (Loopback"},
	{"2002:808:808::1", "6to4, 2002::/16 RFC 3056, embedding 8.8.8.8"},
	{"2620:4f:8000::1", "Direct Delegation AS112 Service"},
	{"3fff::1", "Documentation, 3fff::/20"},
	{"5f00::1", "Segment Routing (SRv6) SIDs"},
	{"fc00::1", "Unique-Local"},
	{"fd12:3456::1", "Unique-Local"},
	{"fe80::1", "Link-Local Unicast"},
	{"fe80::1%eth0", "Link-Local Unicast"},
	{"febf::1", "Link-Local Unicast"},
	// Deprecated or reserved outside the registry.
	{"::127.0.0.1", "IPv4-compatible Address (deprecated), ::/96 RFC 4291, embedding 127.0.0.1 (Loopback"},
	{"::8.8.8.8", "IPv4-compatible Address (deprecated), ::/96 RFC 4291, embedding 8.8.8.8"},
	{"::ffff:0:127.0.0.1", "IPv4-translated Address, ::ffff:0:0:0/96 RFC 2765, embedding 127.0.0.1"},
	{"::ffff:0:8.8.8.8", "IPv4-translated Address"},
	{"fec0::1", "Site-Local (deprecated)"},
	{"ff02::1", "Multicast"},
}

// Every entry of both lists refuses the addresses inside it with its name,
// and every entry has a case above.
func TestSpecialAddressesRefused(t *testing.T) {
	for _, tc := range specialCases {
		a := netip.MustParseAddr(tc.addr)
		why := specialUse(a)
		if !strings.Contains(why, tc.name) {
			t.Errorf("%s: refused as %q, want %q", tc.addr, why, tc.name)
		}
		if !isPrivateAddr(a) {
			t.Errorf("%s: not refused", tc.addr)
		}
	}
	for _, list := range [][]specialRange{ipv4Special, ipv6Special} {
		for _, r := range list {
			covered := false
			for _, tc := range specialCases {
				a := netip.MustParseAddr(tc.addr).WithZone("")
				if first := firstMatch(a); first != nil && first.prefix == r.prefix {
					covered = true
					break
				}
			}
			if !covered {
				t.Errorf("entry %s (%s) has no test case", r.prefix, r.name)
			}
		}
	}
}

// firstMatch is the entry specialUse judges a by.
func firstMatch(a netip.Addr) *specialRange {
	list := ipv6Special
	if a.Is4() {
		list = ipv4Special
	}
	for i := range list {
		if list[i].prefix.Contains(a) {
			return &list[i]
		}
	}
	return nil
}

// Public addresses pass, in every form that reaches them in ordinary use,
// and so do the addresses just outside the special ranges.
func TestPublicAddressesPass(t *testing.T) {
	for _, s := range []string{
		"8.8.8.8", "1.1.1.1", "93.184.216.34", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
		"126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
		"192.0.1.0", "192.0.3.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
		"223.255.255.255",
		"2606:4700::1111", "2a00:1450:4001::1", "2001:4860:4860::8888", "2001:200::1", "2620:4f:8001::1",
		"2003::1", "3ffe:ffff::1", "3fff:1000::1", "fbff::1", "fe7f::1",
		"::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "64:ff9b::101:101",
	} {
		if why := specialUse(netip.MustParseAddr(s)); why != "" {
			t.Errorf("%s refused: %s", s, why)
		}
	}
}

// The dial guard names the range and the keys that allow it; allowed_networks
// opens exactly the listed networks, also through IPv4-mapped and NAT64 forms,
// never through the deprecated forms.
func TestDialGuard(t *testing.T) {
	guard := dialGuard(Config{})
	for _, addr := range []string{"[::127.0.0.1]:80", "[::ffff:0:127.0.0.1]:80", "[64:ff9b::7f00:1]:80",
		"[64:ff9b:1::7f00:1]:443", "[2002:7f00:1::1]:80", "[fec0::1]:80", "10.0.0.1:80", "[fe80::1%lo]:80", "nonsense"} {
		err := guard("tcp", addr, nil)
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", addr, err)
			continue
		}
		if addr != "nonsense" && (!strings.Contains(err.Error(), "crawler.allowed_networks") || !strings.Contains(err.Error(), "crawler.allow_private_networks")) {
			t.Errorf("%s: %v does not name the keys that allow it", addr, err)
		}
	}
	if err := guard("tcp", "8.8.8.8:443", nil); err != nil {
		t.Errorf("public address: %v", err)
	}
	if g := dialGuard(Config{AllowPrivateNetworks: true}); g != nil {
		t.Error("allow_private_networks: a guard is installed")
	}

	guard = dialGuard(Config{AllowedNetworks: []string{"127.0.0.1/32", "fd00:1::/32"}})
	for _, addr := range []string{"127.0.0.1:80", "[::ffff:127.0.0.1]:80", "[64:ff9b::7f00:1]:80", "[fd00:1::5]:80"} {
		if err := guard("tcp", addr, nil); err != nil {
			t.Errorf("allowed %s: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.2:80", "[::127.0.0.1]:80", "[2002:7f00:1::1]:80", "[::1]:80", "[fd00:2::1]:80"} {
		if err := guard("tcp", addr, nil); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s with only 127.0.0.1/32 allowed: %v", addr, err)
		}
	}
}
