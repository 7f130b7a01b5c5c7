package testweb

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HostileOptions configures StartHostile. Its zero value works: every zero
// field means the documented default.
type HostileOptions struct {
	// Seed picks the stories of the good pages (as Options.Seed). Default 1.
	Seed int64
	// Addr is the listen address of the web: a loopback address. Default
	// "127.0.0.1:0".
	Addr string
	// PrivateAddr is the listen address of the second listener, the private
	// target that redirects point at and that must never be reached; it
	// must differ from Addr's IP. Default "127.0.0.2:0". When it cannot be
	// bound, the cases that need it are left out (Hostile.PrivateURL is "").
	PrivateAddr string
	// Stall is how long the answers that hang or trickle go on before the
	// server gives up on them: set it well above the crawler's timeout.
	// Default 20s.
	Stall time.Duration
	// TrickleEvery is the gap between two bytes of the trickling answer.
	// Default 200ms.
	TrickleEvery time.Duration
	// RetryAfter is the Retry-After of the 429 case (whole seconds, at least
	// one). Default 1s.
	RetryAfter time.Duration
	// Unavailable is how many 503 answers (no Retry-After) the 503 case gives
	// before its page. Default 2.
	Unavailable int
	// HugeFeedItems is the number of items in the huge feed. Default 50,000.
	HugeFeedItems int
	// HugeFeeds is the number of huge feeds (the same items under other
	// URLs), polled at once by a crawler with as many workers. Default 1.
	HugeFeeds int
	// BombBytes is the size each compression bomb inflates to. Default 4 GiB.
	BombBytes int64
}

func (o HostileOptions) withDefaults() HostileOptions {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.PrivateAddr == "" {
		o.PrivateAddr = "127.0.0.2:0"
	}
	if o.Stall <= 0 {
		o.Stall = 20 * time.Second
	}
	if o.TrickleEvery <= 0 {
		o.TrickleEvery = 200 * time.Millisecond
	}
	if o.RetryAfter < time.Second {
		o.RetryAfter = time.Second
	}
	if o.Unavailable <= 0 {
		o.Unavailable = 2
	}
	if o.HugeFeedItems <= 0 {
		o.HugeFeedItems = 50000
	}
	if o.HugeFeeds <= 0 {
		o.HugeFeeds = 1
	}
	if o.BombBytes <= 0 {
		o.BombBytes = 4 << 30
	}
	return o
}

// Kinds of hostile URLs (HostileCase.Kind).
const (
	HostileArticle = "article" // listed in the feed and the sitemap
	HostileFeed    = "feed"    // a seed
	HostileSitemap = "sitemap" // a seed
	HostileHome    = "home"    // a seed: a home page
)

// The error classes a HostileCase names: the crawler's (frontier.ClassTimeout
// and the like) and the pipeline's no_article, written once here because
// testweb does not import the code it judges. TestHostileClassesAreTheCrawlers
// holds them to the crawler's constants.
const (
	classTimeout          = "timeout"
	classReset            = "reset"
	classTLS              = "tls"
	classHTTP4xx          = "http_4xx"
	classHTTP429          = "http_429"
	classHTTP5xx          = "http_5xx"
	classHTTPOther        = "http_other"
	classTooLarge         = "too_large"
	classNotHTML          = "not_html"
	classRobots           = "robots"
	classRedirectLoop     = "redirect_loop"
	classTooManyRedirects = "too_many_redirects"
	classPrivateAddress   = "private_address"
	classBadFeed          = "bad_feed"
	classBadURL           = "bad_url"
	classDecode           = "decode"
	classNoArticle        = "no_article"
)

// HostileCase is one URL of the hostile web and what a correct crawler makes
// of it: stored with Text, or failed with the error class Class.
type HostileCase struct {
	// Name says what the URL does ("gzip_bomb", "charset_utf16le_bom", ...).
	Name string
	// URL is the URL as listed in the feed and sitemap (or given as a seed).
	URL string
	// Kind is HostileArticle, HostileFeed or HostileSitemap.
	Kind string
	// Stored is true for a page that must be stored once, under FinalURL
	// (URL unless a redirect leads elsewhere), with Title and Text.
	Stored   bool
	FinalURL string
	Title    string
	// Text is what a perfect cleaner outputs: the paragraphs joined by a
	// blank line. Non-ASCII words in the first paragraph check the charset.
	Text string
	// Polled is true for a feed or sitemap that must parse.
	Polled bool
	// Class is the expected error class of a URL that must fail (and, for
	// stored pages reached through retries, of the failed attempts).
	Class string
	// Transient says Class is retried: a later run may ask for the URL
	// again. Permanently failed URLs must never be asked for again.
	Transient bool
	// Deferred allows a Stored page to be still queued for a later run at
	// the end of a run instead (never failed for good); without Stored, the
	// URL must be left queued for a later run.
	Deferred bool
	// Prefix and MaxRequests bound a chain the server could extend for
	// ever (sitemap indexes nested without end, feeds answering HTML that
	// links the next "feed"): a crawler may ask for at most MaxRequests URLs
	// under Prefix.
	Prefix      string
	MaxRequests int
	// NeverAsked says a polite crawler never requests URL (robots.txt
	// disallows it).
	NeverAsked bool
	// Note explains the expectation.
	Note string
}

// Hostile is a small web of good article pages and hostile URLs served on
// loopback: compression bombs, endless, trickling and hanging answers,
// resets, truncated bodies, binary bodies, charset traps, redirect loops and
// chains, redirects to a private address, 429 and 503 before success, broken
// and huge feeds. Cases lists the truth. Its methods are safe for concurrent
// use.
type Hostile struct {
	opts HostileOptions
	// URL is the base URL of the web ("http://127.0.0.1:PORT").
	URL string
	// PrivateURL is the base URL of the private listener (on 127.0.0.2),
	// empty when it could not be bound. No request may ever reach it.
	PrivateURL string
	// FlakyURL is the base URL of a second host on Addr's IP (another port)
	// whose robots.txt fails (503) at first.
	FlakyURL string
	// BombRobotsURL is the base URL of a third host on Addr's IP whose
	// robots.txt is a gzip bomb.
	BombRobotsURL string

	// PrivateV6URL is a private listener on [::1], empty when ::1 cannot be
	// bound. No request may reach it either.
	PrivateV6URL string

	srv, priv, privV6, flaky, bombRobots *http.Server
	stop                                 chan struct{}
	wg                                   sync.WaitGroup // servers and handlers
	cases                                []HostileCase
	// closedAddr is a loopback address nobody listens on (a port that was
	// bound and released).
	closedAddr string
	pages      map[string]*hostilePage // path -> good page
	// routes and prefixRoutes serve the main host's hostile URLs
	// (hostileRoutes), by path and by prefix.
	routes       map[string]hostileRoute
	prefixRoutes []hostileRoute
	hugeFeed     []byte
	doubleBomb   []byte // the doubly gzipped sitemap bomb

	mu          sync.Mutex
	gen         int // ResetRequests count: a statusWriter of an older log leaves it alone
	log         []Request
	counts      map[string]int // path -> requests
	privateHits []Request
	closed      bool
}

// StartHostile builds the hostile web and serves it until ctx is done or
// Close is called.
func StartHostile(ctx context.Context, opts HostileOptions) (*Hostile, error) {
	opts = opts.withDefaults()
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	if err := checkLoopback(opts.PrivateAddr); err != nil {
		return nil, err
	}
	web, err := Generate(Options{Seed: opts.Seed, Stories: 40})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("testweb: hostile: listen: %w", err)
	}
	fhost, _, _ := net.SplitHostPort(ln.Addr().String())
	fln, err := net.Listen("tcp", net.JoinHostPort(fhost, "0"))
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("testweb: hostile: listen: %w", err)
	}
	bln, err := net.Listen("tcp", net.JoinHostPort(fhost, "0"))
	if err != nil {
		_ = ln.Close()
		_ = fln.Close()
		return nil, fmt.Errorf("testweb: hostile: listen: %w", err)
	}
	h := &Hostile{opts: opts, URL: "http://" + ln.Addr().String(), FlakyURL: "http://" + fln.Addr().String(),
		BombRobotsURL: "http://" + bln.Addr().String(),
		stop:          make(chan struct{}), pages: map[string]*hostilePage{}, counts: map[string]int{}}
	var pln net.Listener
	if l, err := net.Listen("tcp", opts.PrivateAddr); err == nil {
		if sameIP(l.Addr(), ln.Addr()) {
			_ = l.Close()
		} else {
			pln = l
			h.PrivateURL = "http://" + l.Addr().String()
		}
	}
	if l, err := net.Listen("tcp", net.JoinHostPort(fhost, "0")); err == nil {
		h.closedAddr = l.Addr().String()
		_ = l.Close()
	}
	var p6ln net.Listener
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		p6ln = l
		h.PrivateV6URL = "http://" + l.Addr().String()
	}
	// The bombs are built before the first request, not on it: building
	// them takes seconds on a busy machine, and a crawler's timeout would
	// take the first bomb for a hanging host.
	bombMembers()
	h.doubleBomb = doubleBomb(opts.BombBytes)
	if err := h.build(web); err != nil {
		_ = ln.Close()
		_ = fln.Close()
		_ = bln.Close()
		if pln != nil {
			_ = pln.Close()
		}
		if p6ln != nil {
			_ = p6ln.Close()
		}
		return nil, err
	}
	h.start(ctx, ln, fln, bln, pln, p6ln)
	return h, nil
}

// start serves the main listener ln, the flaky and bomb-robots hosts (fln,
// bln) and the private listeners (pln, p6ln; nil when not bound) until ctx
// is done or Close is called.
func (h *Hostile) start(ctx context.Context, ln, fln, bln, pln, p6ln net.Listener) {
	serve := func(srv *http.Server, l net.Listener) {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			_ = srv.Serve(l)
		}()
	}
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve), ReadHeaderTimeout: 10 * time.Second}
	serve(h.srv, ln)
	h.flaky = &http.Server{Handler: h.sideHost(h.FlakyURL, "flaky:"), ReadHeaderTimeout: 10 * time.Second}
	serve(h.flaky, fln)
	h.bombRobots = &http.Server{Handler: h.sideHost(h.BombRobotsURL, "bombrobots:"), ReadHeaderTimeout: 10 * time.Second}
	serve(h.bombRobots, bln)
	if pln != nil {
		h.priv = &http.Server{Handler: h.privateHost(h.PrivateURL), ReadHeaderTimeout: 10 * time.Second}
		serve(h.priv, pln)
	}
	if p6ln != nil {
		h.privV6 = &http.Server{Handler: h.privateHost(h.PrivateV6URL), ReadHeaderTimeout: 10 * time.Second}
		serve(h.privV6, p6ln)
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		select {
		case <-ctx.Done():
			h.shutdown()
		case <-h.stop:
		}
	}()
}

func sameIP(a, b net.Addr) bool {
	ta, ok1 := a.(*net.TCPAddr)
	tb, ok2 := b.(*net.TCPAddr)
	return ok1 && ok2 && ta.IP.Equal(tb.IP)
}

// Close stops the servers, ends every hanging answer and waits for them.
func (h *Hostile) Close() error {
	h.shutdown()
	h.wg.Wait()
	return nil
}

func (h *Hostile) shutdown() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.stop)
	h.mu.Unlock()
	// Close, not Shutdown: hanging answers are ended by stop, and their
	// connections closed under them.
	_ = h.srv.Close()
	_ = h.flaky.Close()
	_ = h.bombRobots.Close()
	if h.privV6 != nil {
		_ = h.privV6.Close()
	}
	if h.priv != nil {
		_ = h.priv.Close()
	}
}

// Seeds returns the seed URLs: the feeds, sitemaps and home page, good and
// hostile.
func (h *Hostile) Seeds() []string {
	var s []string
	for _, c := range h.cases {
		if c.Kind != HostileArticle {
			s = append(s, c.URL)
		}
	}
	return s
}

// Cases returns the truth table, good pages first.
func (h *Hostile) Cases() []HostileCase { return append([]HostileCase(nil), h.cases...) }

// Requests returns the request log of the web's hosts (not the private
// listeners: see PrivateHits), in arrival order.
func (h *Hostile) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.log...)
}

// RequestCount returns how many requests a path (with its query) of the
// main host got.
func (h *Hostile) RequestCount(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[path]
}

// PrivateHits returns the requests that reached a private target: the
// private listeners (127.0.0.2 and [::1]), or the main listener under
// /private/ (reached through 0.0.0.0). A crawler that refuses private
// addresses causes none.
func (h *Hostile) PrivateHits() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.privateHits...)
}

// ResetRequests clears the request log and the per-path counts (the 429 and
// 503 cases fail again).
func (h *Hostile) ResetRequests() {
	h.mu.Lock()
	h.log, h.counts, h.privateHits = nil, map[string]int{}, nil
	h.gen++
	h.mu.Unlock()
}

// statusWriter records the status of an answer for the request log.
type statusWriter struct {
	http.ResponseWriter
	h   *Hostile
	i   int // index in the log
	gen int // of the log
}

func (s *statusWriter) WriteHeader(code int) {
	s.h.mu.Lock()
	if s.gen == s.h.gen && s.i < len(s.h.log) && s.h.log[s.i].Status == 0 {
		s.h.log[s.i].Status = code
	}
	s.h.mu.Unlock()
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.h.mu.Lock()
	if s.gen == s.h.gen && s.i < len(s.h.log) {
		if s.h.log[s.i].Status == 0 {
			s.h.log[s.i].Status = http.StatusOK
		}
		s.h.log[s.i].Bytes += int64(len(p))
	}
	s.h.mu.Unlock()
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// enter counts a handler in h.wg unless the web is closing (then it
// answers 503 and returns false), so that Close waits for every handler and
// no handler is added to a WaitGroup being waited on at zero.
func (h *Hostile) enter(rw http.ResponseWriter) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		http.Error(rw, "closing", http.StatusServiceUnavailable)
		return false
	}
	h.wg.Add(1)
	return true
}

func (h *Hostile) serve(rw http.ResponseWriter, r *http.Request) {
	if !h.enter(rw) {
		return
	}
	defer h.wg.Done()
	key := r.URL.RequestURI()
	h.mu.Lock()
	h.counts[key]++
	n := h.counts[key]
	e := Request{Time: time.Now(), Host: r.Host, Method: r.Method, URL: h.URL + key, Path: r.URL.Path,
		UserAgent: r.UserAgent(), IfNoneMatch: r.Header.Get("If-None-Match"), IfModifiedSince: r.Header.Get("If-Modified-Since")}
	if strings.HasPrefix(r.URL.Path, "/private/") {
		h.privateHits = append(h.privateHits, e)
	}
	var i int
	gen := h.gen
	if len(h.log) < maxLog {
		h.log = append(h.log, e)
		i = len(h.log) - 1
	} else {
		i = len(h.log) // not logged
	}
	h.mu.Unlock()
	h.route(&statusWriter{ResponseWriter: rw, h: h, i: i, gen: gen}, r, n)
}

// sideHost serves one of the other hosts on the web's IP: base is its URL,
// prefix the key of its pages in h.pages. The flaky host's robots.txt
// answers 503 first, then allows everything; the other's is a gzip bomb that
// disallows /private/ in its first lines.
func (h *Hostile) sideHost(base, prefix string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !h.enter(rw) {
			return
		}
		defer h.wg.Done()
		key := r.URL.RequestURI()
		h.mu.Lock()
		h.counts[base+key]++
		n := h.counts[base+key]
		if len(h.log) < maxLog {
			h.log = append(h.log, Request{Time: time.Now(), Host: r.Host, Method: r.Method, URL: base + key, Path: r.URL.Path,
				UserAgent: r.UserAgent()})
		}
		h.mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt" && prefix == "bombrobots:":
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rw.Header().Set("Content-Encoding", "gzip")
			h.streamBomb(rw, r, "robots", h.opts.BombBytes)
		case r.URL.Path == "/robots.txt" && n == 1:
			rw.Header().Set("Retry-After", "1")
			http.Error(rw, "robots.txt is having a bad day", http.StatusServiceUnavailable)
		case r.URL.Path == "/robots.txt":
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(rw, "User-agent: *\nAllow: /\n")
		case r.URL.Path == "/private/secret.html":
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(rw, "<html><body><article><p>"+strings.Repeat("This page is disallowed by robots.txt. ", 20)+
				"</p></article></body></html>")
		case h.pages[prefix+r.URL.Path] != nil:
			h.servePage(rw, h.pages[prefix+r.URL.Path])
		default:
			http.NotFound(rw, r)
		}
	})
}

// privateHost serves a private listener at base: it records every request
// and answers with a secret.
func (h *Hostile) privateHost(base string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.privateHits = append(h.privateHits, Request{Time: time.Now(), Host: r.Host, Method: r.Method,
			URL: base + r.URL.RequestURI(), Path: r.URL.Path, UserAgent: r.UserAgent()})
		h.mu.Unlock()
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rw, "internal admin token: s3cr3t\n")
	})
}
