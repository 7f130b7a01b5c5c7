package testweb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSGuard keeps a test process from sending DNS queries: tests run against
// loopback servers only, and a lookup that reaches the machine's resolver
// makes a test depend on the network (and slow, or wrong, where there is
// none). Install it with GuardDNS.
type DNSGuard struct {
	report io.Writer // each query is reported here as it happens, if not nil

	mu    sync.Mutex
	names []string
}

// DNSQueryMarker starts the line a DNSGuard writes to stderr for each query
// it refuses, so that a test running a child process with a guard can find
// them in the child's output.
const DNSQueryMarker = "testweb: DNS query for"

// GuardDNS replaces net.DefaultResolver with a pure-Go resolver whose DNS
// "server" is in the process: literal addresses and the hosts file resolve
// as before, localhost (and names under it) resolves to the loopback
// addresses whatever the hosts file says, and every other name that would
// have been sent to a DNS server gets an NXDOMAIN answer and is recorded. Every dial that does
// not set its own resolver uses net.DefaultResolver, so this covers
// http.Transport, net.Dial and net.LookupHost alike. Call it from TestMain
// before m.Run, and fail the run when Queries is not empty (see CheckDNS).
// Each query is also reported on stderr as it happens, after DNSQueryMarker.
func GuardDNS() *DNSGuard {
	g := &DNSGuard{report: os.Stderr}
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: g.dial}
	return g
}

// Queries returns the names that a lookup would have asked a DNS server for,
// in the order asked.
func (g *DNSGuard) Queries() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.names...)
}

// CheckDNS runs m (a *testing.M) with a DNSGuard installed and returns its
// exit code, made 1 when a test asked DNS for a name, with the names on
// stderr. Use it as os.Exit(testweb.CheckDNS(m)) in TestMain.
func CheckDNS(m interface{ Run() int }) int {
	g := GuardDNS()
	code := m.Run()
	if q := g.Queries(); len(q) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: tests sent %d DNS queries (a test must resolve names locally or use addresses): %q\n", len(q), q)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// dial is the Resolver's Dial: a connection to a DNS server living in the
// process, which answers every query with NXDOMAIN.
func (g *DNSGuard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	client, server := net.Pipe()
	go g.serve(server)
	return client, nil
}

// serve answers the queries sent over c, framed as over TCP (a net.Pipe is
// not a PacketConn, so the resolver uses the stream framing), until c is
// closed.
func (g *DNSGuard) serve(c net.Conn) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		var q dnsmessage.Message
		if err := q.Unpack(msg); err != nil {
			return
		}
		ans := dnsmessage.Message{
			Header:    dnsmessage.Header{ID: q.ID, Response: true, RCode: dnsmessage.RCodeNameError, RecursionAvailable: true},
			Questions: q.Questions,
		}
		if len(q.Questions) == 1 && isLocalhost(q.Questions[0].Name.String()) {
			// RFC 6761: localhost is the loopback address, with or without
			// a hosts file that says so.
			qq := q.Questions[0]
			ans.RCode = dnsmessage.RCodeSuccess
			hdr := dnsmessage.ResourceHeader{Name: qq.Name, Type: qq.Type, Class: dnsmessage.ClassINET, TTL: 60}
			switch qq.Type {
			case dnsmessage.TypeA:
				ans.Answers = append(ans.Answers, dnsmessage.Resource{Header: hdr, Body: &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}})
			case dnsmessage.TypeAAAA:
				ans.Answers = append(ans.Answers, dnsmessage.Resource{Header: hdr, Body: &dnsmessage.AAAAResource{AAAA: [16]byte{15: 1}}})
			}
		} else {
			g.mu.Lock()
			for _, qq := range q.Questions {
				g.names = append(g.names, qq.Name.String())
				if g.report != nil {
					fmt.Fprintf(g.report, "%s %q refused (a test must resolve names locally or use addresses)\n", DNSQueryMarker, qq.Name.String())
				}
			}
			g.mu.Unlock()
		}
		b, err := ans.Pack()
		if err != nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(b)))
		if _, err := c.Write(append(out, b...)); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			return
		}
	}
}

// isLocalhost reports whether the fully qualified name is localhost or a
// name under it.
func isLocalhost(name string) bool {
	name = strings.ToLower(name)
	return name == "localhost." || strings.HasSuffix(name, ".localhost.")
}
