package testweb

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
)

// A guarded resolver answers a name from DNS with "no such host" without
// sending a query out, and records it; an address is no lookup at all.
func TestDNSGuard(t *testing.T) {
	g := &DNSGuard{}
	r := &net.Resolver{PreferGo: true, Dial: g.dial}
	ctx := context.Background()
	_, err := r.LookupHost(ctx, "wirecrawl-dns-guard-test.invalid")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("lookup through the guard: err = %v, want not found", err)
	}
	if q := g.Queries(); !slices.ContainsFunc(q, func(n string) bool { return strings.HasPrefix(n, "wirecrawl-dns-guard-test.invalid.") }) {
		t.Errorf("queries recorded %q, want the name looked up", q)
	}
	before := len(g.Queries())
	// localhost is answered in the process, hosts file or not.
	if addrs, err := r.LookupHost(ctx, "news.localhost"); err != nil || !slices.Contains(addrs, "127.0.0.1") {
		t.Errorf("news.localhost: %v %v, want 127.0.0.1", addrs, err)
	}
	if addrs, err := r.LookupHost(ctx, "127.0.0.1"); err != nil || len(addrs) != 1 {
		t.Errorf("an address: %v %v", addrs, err)
	}
	if n := len(g.Queries()); n != before {
		t.Errorf("an address made %d queries", n-before)
	}
	// The hostile web's weird feed links to a host of one 300-byte label:
	// no resolver may ask DNS for it (labels are at most 63 bytes), and the
	// guarded one does not.
	before = len(g.Queries())
	if _, err := r.LookupHost(ctx, strings.Repeat("a", 300)); err == nil {
		t.Error("a 300-byte label resolved")
	}
	if n := len(g.Queries()); n != before {
		t.Errorf("a 300-byte label made %d queries", n-before)
	}
	// The same through a dialer, as http.Transport dials: the guard is the
	// default resolver in this package's tests (TestMain).
	d := net.Dialer{Resolver: r}
	if _, err := d.DialContext(ctx, "tcp", "wirecrawl-dns-guard-test.invalid:80"); err == nil {
		t.Error("dialing a name through the guard succeeded")
	}
}
