package crawler

import (
	"fmt"
	"net/netip"
	"syscall"
)

// blockedPrefixes are special-purpose ranges refused besides what netip's
// IsPrivate/IsLoopback/IsLinkLocal* cover.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// isPrivateAddr reports whether a is an address the crawler must not reach.
func isPrivateAddr(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// inNetworks reports whether a is in one of nets.
func inNetworks(a netip.Addr, nets []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// dialGuard returns the dialer's Control function that refuses private
// addresses, or nil when cfg.AllowPrivateNetworks is on.
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
		if isPrivateAddr(ap.Addr()) && !inNetworks(ap.Addr(), allowed) {
			return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
		}
		return nil
	}
}
