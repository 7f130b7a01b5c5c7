package storetest

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
)

// CorruptFile writes n bytes of garbage into the middle of the file at path
// (a SQLite database whose store is closed, or whose writer is stopped), as
// a failing disk or a stray writer would. The garbage is seeded, so a test
// damages a file the same way every time.
func CorruptFile(t testing.TB, path string, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("corrupt %s: %v", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatalf("corrupt %s: %v", path, err)
	}
	if fi.Size() < int64(2*n) {
		t.Fatalf("corrupt %s: %d bytes, want at least %d", path, fi.Size(), 2*n)
	}
	junk := make([]byte, n)
	rng := rand.New(rand.NewPCG(64, uint64(n)))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	if _, err := f.WriteAt(junk, fi.Size()/2); err != nil {
		t.Fatalf("corrupt %s: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		t.Fatalf("corrupt %s: %v", path, err)
	}
}

// Proxy forwards loopback TCP connections to a PostgreSQL server, so that a
// test can make the server go away (Cut) without stopping it for anyone else.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns []net.Conn
	cut   bool
	wg    sync.WaitGroup
}

// NewProxy starts a proxy on 127.0.0.1 to the host of the PostgreSQL DSN
// dsn and returns it with dsn rewritten to go through it. Cut runs when the
// test ends.
func NewProxy(t testing.TB, dsn string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{ln: ln, target: u.Host}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Cut)
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, err := io.Copy(dst, src)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		_ = err // a cut connection; nothing to report
	}
	dst.Close()
	src.Close()
}

// Cut closes the listener and every forwarded connection: from now on the
// server is unreachable through the proxy (connections refused).
func (p *Proxy) Cut() {
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		return
	}
	p.cut = true
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	p.ln.Close()
	for _, c := range conns {
		c.Close()
	}
	p.wg.Wait()
}
