package testweb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/text/encoding/charmap"
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

// HostileCase is one URL of the hostile web and what a correct crawler makes
// of it: stored with Text, or failed with the error class Class. Class names
// are the crawler's (crawler.ClassTimeout and the like), kept as strings here
// because testweb does not import the crawler.
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
	hugeFeed   []byte

	mu          sync.Mutex
	gen         int // ResetRequests count: a statusWriter of an older log leaves it alone
	log         []Request
	counts      map[string]int // path -> requests
	privateHits []Request
	closed      bool
}

// hostilePage is a good page: its text and how it is served.
type hostilePage struct {
	path        string
	title       string
	byline      string
	paras       []string
	contentType string
	body        []byte // encoded page
	encoding    string // Content-Encoding applied on the fly ("", "gzip", "br")
}

// The accented words that the charset cases add to their first paragraph.
const (
	wordsLatin1 = "The café in Zürich, said Señora Muñoz, stays open."
	wordsCP1250 = "Officials in Łódź and Gdańsk said the plan would go ahead."
	wordsUTF8   = "The café in Zürich and the one in Łódź charged €4 — “too much”, said Søren."
	wordsCP1252 = "The café in Zürich charged €4 — “too much”, said Señora Muñoz."
)

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
	// The bombs' gzip members take seconds to compress on a busy machine:
	// made before serving, so that no answer waits for them (a robots.txt
	// bomb missed a crawler's 2 s timeout that way).
	bombMembers()
	doubleBomb(opts.BombBytes)
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve), ReadHeaderTimeout: 10 * time.Second}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		_ = h.srv.Serve(ln)
	}()
	h.flaky = &http.Server{Handler: h.sideHost(h.FlakyURL, "flaky:"), ReadHeaderTimeout: 10 * time.Second}
	h.bombRobots = &http.Server{Handler: h.sideHost(h.BombRobotsURL, "bombrobots:"), ReadHeaderTimeout: 10 * time.Second}
	for srv, l := range map[*http.Server]net.Listener{h.flaky: fln, h.bombRobots: bln} {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			_ = srv.Serve(l)
		}()
	}
	if pln != nil {
		h.priv = &http.Server{Handler: h.privateHost(h.PrivateURL), ReadHeaderTimeout: 10 * time.Second}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			_ = h.priv.Serve(pln)
		}()
	}
	if p6ln != nil {
		h.privV6 = &http.Server{Handler: h.privateHost(h.PrivateV6URL), ReadHeaderTimeout: 10 * time.Second}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			_ = h.privV6.Serve(p6ln)
		}()
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
	return h, nil
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

// build makes the cases and the good pages.
func (h *Hostile) build(web *Web) error {
	// One page per story, English, so that no two good pages are copies of
	// each other and each is stored as its own story.
	var src []Page
	seen := map[string]bool{}
	for _, p := range web.Truth() {
		if p.Disallowed || p.Lang != "en" || seen[p.StoryID] || len(strings.Split(p.Body, "\n\n")) < 3 {
			continue
		}
		seen[p.StoryID] = true
		src = append(src, p)
	}
	next := func() (Page, error) {
		if len(src) == 0 {
			return Page{}, errors.New("testweb: hostile: not enough stories for the good pages")
		}
		p := src[0]
		src = src[1:]
		return p, nil
	}
	base := h.URL

	type good struct {
		name, path, note string
		words            string                                   // appended to the first paragraph
		fold             *charmap.Charmap                         // charset the text must fit
		encode           func(doc string) ([]byte, string, error) // page -> body, Content-Type
		head             string                                   // <meta> charset declaration in <head>
		pre              string                                   // before <html>
		encoding         string
		listURL          string // the URL listed, when not the page's own
		flaky            bool   // on the second host, whose robots.txt fails at first
		bombRobots       bool   // on the third host, whose robots.txt is a gzip bomb
		canonical        string // the page's rel=canonical, when not its own URL
	}
	utf8Type := func(doc string) ([]byte, string, error) { return []byte(doc), "text/html; charset=utf-8", nil }
	cm := func(c *charmap.Charmap, ctype string) func(string) ([]byte, string, error) {
		return func(doc string) ([]byte, string, error) {
			b, err := c.NewEncoder().Bytes([]byte(doc))
			return b, ctype, err
		}
	}
	goods := []good{
		{name: "good_utf8", path: "/a/plain.html", words: wordsUTF8, encode: utf8Type, head: `<meta charset="utf-8">`,
			note: "a plain UTF-8 page"},
		{name: "good_gzip", path: "/a/gzipped.html", encode: utf8Type, head: `<meta charset="utf-8">`, encoding: "gzip",
			note: "Content-Encoding gzip"},
		{name: "good_brotli", path: "/a/brotli.html", encode: utf8Type, head: `<meta charset="utf-8">`, encoding: "br",
			note: "Content-Encoding br"},
		{name: "charset_header_vs_meta", path: "/a/header-vs-meta.html", words: wordsUTF8, head: `<meta charset="utf-8">`,
			encode: func(doc string) ([]byte, string, error) {
				return []byte(doc), "text/html; charset=windows-1252", nil
			},
			note: "header windows-1252, <meta charset=utf-8>, body valid UTF-8: the HTML spec lets the header win " +
				"(mojibake, as a browser shows it); the intended answer is the author's UTF-8 text, since valid multi-byte " +
				"UTF-8 is practically never windows-1252 text, and a corpus wants the words"},
		{name: "charset_undeclared_1252", path: "/a/undeclared-1252.html", words: wordsCP1252, fold: charmap.Windows1252,
			encode: cm(charmap.Windows1252, "text/html"),
			note:   "windows-1252 bytes, no charset anywhere: the browsers' fallback for invalid UTF-8 is windows-1252"},
		{name: "charset_utf16le_bom", path: "/a/utf16.html", words: wordsUTF8, head: `<meta charset="utf-16">`,
			encode: func(doc string) ([]byte, string, error) {
				u := utf16.Encode([]rune(doc))
				b := make([]byte, 2, 2+2*len(u))
				b[0], b[1] = 0xff, 0xfe
				for _, c := range u {
					b = append(b, byte(c), byte(c>>8))
				}
				return b, "text/html", nil
			},
			note: "UTF-16LE with a byte order mark, no charset in the header (NUL bytes everywhere)"},
		{name: "charset_utf16be_header_no_bom", path: "/a/utf16be.html", words: wordsUTF8,
			encode: func(doc string) ([]byte, string, error) {
				u := utf16.Encode([]rune(doc))
				b := make([]byte, 0, 2*len(u))
				for _, c := range u {
					b = append(b, byte(c>>8), byte(c))
				}
				return b, "text/html; charset=utf-16be", nil
			},
			note: "UTF-16BE without a byte order mark, declared only in the header"},
		{name: "charset_header_utf16_body_utf8", path: "/a/utf16-label-utf8-body.html", words: wordsUTF8, head: `<meta charset="utf-8">`,
			encode: func(doc string) ([]byte, string, error) { return []byte(doc), "text/html; charset=utf-16", nil },
			note:   "charset=utf-16 in the header on a UTF-8 body (no NUL byte, so not UTF-16): decoding by the label gives CJK noise"},
		{name: "charset_bogus_label", path: "/a/bogus-label.html", words: wordsUTF8,
			encode: func(doc string) ([]byte, string, error) { return []byte(doc), "text/html; charset=x-bogus", nil },
			note:   "charset=x-bogus in the header, UTF-8 body, no <meta>: an unknown label is ignored"},
		{name: "charset_late_meta", path: "/a/late-meta.html", words: wordsCP1250, fold: charmap.Windows1250,
			head: `<meta charset="windows-1250">`, pre: "<!--" + strings.Repeat(" padding comment ", 2048/17+1) + "-->\n",
			encode: cm(charmap.Windows1250, "text/html"),
			note:   "windows-1250 declared by a <meta charset> after 2 KB of comments, past the 1024-byte prescan"},
		{name: "charset_meta_utf8_body_1252", path: "/a/meta-utf8-body-1252.html", words: wordsCP1252, fold: charmap.Windows1252,
			head: `<meta charset="utf-8">`, encode: cm(charmap.Windows1252, "text/html"),
			note: "<meta charset=utf-8> on a windows-1252 body (a UTF-8 template around text from a latin-1 database): " +
				"the spec's answer is U+FFFD for every accented letter; the intended answer is the text"},
		{name: "charset_commented_meta", path: "/a/commented-meta.html", words: wordsCP1252, fold: charmap.Windows1252,
			pre: "<!-- old template: <meta charset=\"koi8-r\"> -->\n", head: `<meta charset="windows-1252">`,
			encode: cm(charmap.Windows1252, "text/html"),
			note:   "windows-1252 declared by <meta>, after a commented-out <meta charset=koi8-r>, which declares nothing"},
		{name: "charset_xml_prolog", path: "/a/xhtml-latin1.xhtml", words: wordsLatin1, fold: charmap.ISO8859_1,
			pre:    `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n",
			encode: cm(charmap.ISO8859_1, "application/xhtml+xml"),
			note:   "XHTML in ISO-8859-1 declared only in the XML prolog"},
		{name: "charset_header_utf8_body_1252", path: "/a/header-utf8-body-1252.html", words: wordsCP1252, fold: charmap.Windows1252,
			encode: cm(charmap.Windows1252, "text/html; charset=utf-8"),
			note: "header charset=utf-8 on a windows-1252 body with no valid multi-byte sequence: the spec's answer is " +
				"U+FFFD for every accented letter; the intended answer is the text (the label is a server default)"},
		{name: "charset_xml_prolog_cp1250", path: "/a/xhtml-cp1250.xhtml", words: wordsCP1250, fold: charmap.Windows1250,
			pre:    `<?xml version="1.0" encoding="windows-1250"?>` + "\n",
			encode: cm(charmap.Windows1250, "application/xhtml+xml"),
			note:   "XHTML in windows-1250 declared only in the XML prolog, where the windows-1252 fallback gets the letters wrong"},
		{name: "canonical_to_home_a", path: "/a/canonical-home-a.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			canonical: base + "/", note: "rel=canonical names the home page (a CMS bug seen in the wild), as on canonical_to_home_b: " +
				"two different articles, both must be stored"},
		{name: "canonical_to_home_b", path: "/a/canonical-home-b.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			canonical: base + "/", note: "rel=canonical names the home page, as on canonical_to_home_a"},
		{name: "retry_after_429", path: "/a/busy-429.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			note: "429 with Retry-After once, then the page"},
		{name: "unavailable_503", path: "/a/busy-503.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			note: "503 without Retry-After a few times, then the page"},
		{name: "retry_after_far", path: "/a/busy-tomorrow.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			note: "429 with Retry-After: 86400 once: the crawl must not wait a day for it, nor fail it; it is left for a later run"},
		{name: "redirect_chain_to_article", path: "/a/moved-here.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			listURL: base + "/h/moved-0", note: "301, 302, 307 to a good page, listed only under the first URL"},
		{name: "redirect_adds_tracking", path: "/a/tracked.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			note: "answers a request without utm_source with a 302 to the same URL plus ?utm_source=web (a URL that " +
				"normalises to itself), then the page: not a redirect loop"},
		{name: "robots_unavailable_at_first", path: "/a/flaky-host.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			flaky: true, note: "on a host whose robots.txt answers 503 once: the host is off limits for a while " +
				"(RFC 9309), but its page must not be failed for good; it may be left for a later run"},
		{name: "robots_gzip_bomb", path: "/a/bomb-robots-host.html", encode: utf8Type, head: `<meta charset="utf-8">`,
			bombRobots: true, note: "on a host whose robots.txt is a gzip bomb: read up to a limit (Google reads 500 KiB) " +
				"and taken as allowing all, so the page is stored"},
	}
	for _, g := range goods {
		p, err := next()
		if err != nil {
			return err
		}
		paras := strings.Split(p.Body, "\n\n")
		title, byline := p.Title, p.Byline
		if g.words != "" {
			paras[0] += " " + g.words
		}
		if g.fold != nil {
			for i := range paras {
				paras[i] = foldFor(g.fold, paras[i])
			}
			title, byline = foldFor(g.fold, title), foldFor(g.fold, byline)
		}
		pg := &hostilePage{path: g.path, title: title, byline: byline, paras: paras, encoding: g.encoding}
		pbase, key := base, g.path
		switch {
		case g.flaky:
			pbase, key = h.FlakyURL, "flaky:"+g.path
		case g.bombRobots:
			pbase, key = h.BombRobotsURL, "bombrobots:"+g.path
		}
		canon := pbase + g.path
		if g.canonical != "" {
			canon = g.canonical
		}
		doc := g.pre + hostileArticleHTML(canon, g.head, pg)
		pg.body, pg.contentType, err = g.encode(doc)
		if err != nil {
			return fmt.Errorf("testweb: hostile: encode %s: %w", g.name, err)
		}
		h.pages[key] = pg
		c := HostileCase{Name: g.name, URL: pbase + g.path, Kind: HostileArticle, Stored: true, FinalURL: pbase + g.path,
			Title: title, Text: strings.Join(paras, "\n\n"), Note: g.note, Deferred: g.flaky}
		if g.listURL != "" {
			c.URL = g.listURL
		}
		switch g.name {
		case "retry_after_429":
			c.Class, c.Transient = "http_429", true
		case "unavailable_503":
			c.Class, c.Transient = "http_5xx", true
		case "retry_after_far":
			c.Class, c.Transient, c.Deferred = "http_429", true, true
		}
		h.cases = append(h.cases, c)
	}

	fail := func(name, path, class string, transient bool, note string) {
		h.cases = append(h.cases, HostileCase{Name: name, URL: base + path, Kind: HostileArticle, Class: class,
			Transient: transient, Note: note})
	}
	mib := func(n int64) string { return strconv.FormatInt(n>>20, 10) + " MiB" }
	fail("gzip_bomb", "/h/bomb.html", "too_large", false, "Content-Encoding gzip inflating to "+mib(h.opts.BombBytes)+", a few KiB per 16 MiB on the wire")
	fail("brotli_bomb", "/h/bomb-br.html", "too_large", false, "Content-Encoding br inflating to "+mib(h.opts.BombBytes))
	fail("endless", "/h/endless.html", "too_large", false, "an HTML body that never ends, no Content-Length")
	fail("oversized_declared", "/h/huge.html", "too_large", false, "Content-Length of 1 GiB")
	fail("element_flood", "/h/elements.html", "too_large", false, "a 3 MiB page of 200,000 empty <b> elements around a story")
	fail("trickle", "/h/trickle.html", "timeout", true, "one byte every "+h.opts.TrickleEvery.String()+" for "+h.opts.Stall.String())
	fail("hang_after_headers", "/h/hang-body.html", "timeout", true, "headers and a few bytes, then nothing")
	fail("hang_before_headers", "/h/hang-headers.html", "timeout", true, "the request is read, then nothing")
	fail("reset_before_headers", "/h/reset.html", "reset", true, "the connection is reset before any answer")
	fail("reset_mid_body", "/h/reset-body.html", "reset", true, "10 KB of a 100 KB body, then a reset")
	fail("truncated", "/h/truncated.html", "reset", true, "Content-Length 50,000, 20,000 bytes sent, then the connection closed (the crawler counts a cut body as a reset)")
	fail("binary_png_as_html", "/h/photo.html", "not_html", false, "PNG bytes labelled text/html")
	fail("pdf", "/h/report.pdf", "not_html", false, "application/pdf")
	fail("bad_content_encoding", "/h/snappy.html", "decode", false, "Content-Encoding x-snappy")
	fail("no_article", "/h/section.html", "no_article", false, "a section page: navigation and headlines, no article")
	fail("empty_body", "/h/empty.html", "no_article", false, "200 text/html with an empty body")
	fail("always_429", "/h/always-busy.html", "http_429", true, "429 with Retry-After: 1, every time")
	fail("redirect_loop", "/h/loop-a.html", "redirect_loop", false, "a -> b -> a")
	fail("redirect_chain_30", "/h/chain/0", "too_many_redirects", false, "30 redirects")
	if h.PrivateURL != "" {
		fail("redirect_private", "/h/to-private.html", "private_address", false, "302 to the private listener "+h.PrivateURL)
		fail("redirect_private_mapped", "/h/to-private-v6.html", "private_address", false, "302 to the private listener as an IPv4-mapped IPv6 address")
	}
	if h.PrivateV6URL != "" {
		fail("redirect_private_ipv6", "/h/to-ipv6-loopback.html", "private_address", false, "302 to the private listener on [::1]")
	}
	fail("redirect_zero", "/h/to-zero.html", "private_address", false, "302 to 0.0.0.0 (which reaches this host's listeners)")
	fail("redirect_file_scheme", "/h/to-file.html", "bad_url", false, "302 to file:///etc/passwd")
	fail("redirect_https_on_http_port", "/h/to-https.html", "tls", false, "302 to https:// on this plain-HTTP port (a broken TLS set-up)")
	h.cases = append(h.cases, HostileCase{Name: "redirect_closed_port", URL: base + "/h/to-closed.html", Kind: HostileArticle,
		Deferred: true, Note: "302 to a port nobody listens on: a refused connection (its robots.txt's included) is " +
			"transient, so the URL is left for a later run, not failed at once"})
	fail("early_hints_flood", "/h/early-hints.html", "too_large", false, "103 Early Hints answers without end, never a final answer")
	fail("not_modified_unasked", "/h/not-modified.html", "http_other", false, "304 Not Modified to a request that was not conditional")
	fail("redirect_without_location", "/h/no-location.html", "http_other", false, "301 without a Location header")
	fail("huge_headers", "/h/cookies.html", "too_large", false, "2 MiB of Set-Cookie headers before a small page")
	fail("redirect_to_gone", "/h/to-gone.html", "http_4xx", false, "302 to the 410 page (gone), which is listed too: "+
		"whichever is fetched first, the redirect fails like its target")
	fail("not_found", "/h/missing.html", "http_4xx", false, "404")
	h.cases = append(h.cases, HostileCase{Name: "robots_bom_disallowed", URL: base + "/private/secret.html",
		Kind: HostileArticle, Class: "robots", NeverAsked: true,
		Note: "disallowed by this host's robots.txt, which starts with a byte order mark and has CRLF lines"})
	h.cases = append(h.cases, HostileCase{Name: "robots_bomb_disallowed", URL: h.BombRobotsURL + "/private/secret.html",
		Kind: HostileArticle, Class: "robots", NeverAsked: true,
		Note: "disallowed by the first lines of a robots.txt that goes on for 4 GiB (a gzip bomb): what was read " +
			"still binds (Google reads the first 500 KiB)"})
	fail("gone", "/h/gone.html", "http_4xx", false, "410")

	seed := func(name, path, kind, class string, polled bool, note string) {
		h.cases = append(h.cases, HostileCase{Name: name, URL: base + path, Kind: kind, Class: class, Polled: polled, Note: note})
	}
	seed("feed", "/feed.xml", HostileFeed, "", true, "RSS listing every article case")
	seed("sitemap", "/sitemap.xml", HostileSitemap, "", true, "a sitemap listing every article case again")
	seed("home_private_feeds", "/front/", HostileHome, "", true,
		"a home page whose <link rel=alternate> feeds are on the private listeners (127.0.0.2, [::1]) and this host")
	h.cases = append(h.cases, HostileCase{Name: "deep_xml_feed", URL: base + "/feeds/deep.xml", Kind: HostileFeed, Polled: true,
		Note: "RSS whose one item nests 2 million elements (14 MB): parsed or refused (bad_feed) in bounded memory, " +
			"never a crash"})
	h.cases = append(h.cases, HostileCase{Name: "deep_json_feed", URL: base + "/feeds/deep.json", Kind: HostileFeed, Polled: true,
		Note: "a JSON Feed whose one item nests 2 million arrays: parsed or refused (bad_feed) in bounded memory, never a crash"})
	h.cases = append(h.cases, HostileCase{Name: "deep_xml_sitemap", URL: base + "/sitemaps/deep.xml", Kind: HostileSitemap, Polled: true,
		Note: "a sitemap whose one <url> nests 2 million elements (14 MB): parsed or refused (bad_feed) in bounded memory, " +
			"never a crash"})
	seed("weird_links_feed", "/feeds/weird.xml", HostileFeed, "", true,
		"RSS whose items link to javascript:, mailto:, data:, ftp:, file: URLs, a bad port, a broken IPv6 literal, "+
			"a protocol-relative URL to the private listener and a 64 KiB path: the feed parses, nothing is fetched off the web")
	for i := 1; i <= h.opts.HugeFeeds; i++ {
		name, path := "huge_feed", "/feeds/huge.xml"
		if i > 1 {
			name, path = fmt.Sprintf("huge_feed_%d", i), fmt.Sprintf("/feeds/huge-%d.xml", i)
		}
		seed(name, path, HostileFeed, "", true,
			fmt.Sprintf("RSS of %d items (about %d bytes each) linking to the good pages with tracking parameters and fragments",
				h.opts.HugeFeedItems, 180))
	}
	seed("malformed_feed", "/feeds/broken.xml", HostileFeed, "bad_feed", false, "RSS cut in the middle of an item")
	seed("html_as_feed", "/feeds/html.xml", HostileFeed, "bad_feed", false, "a feed URL answering an HTML page without feed links")
	seed("sitemap_gzip_bomb", "/sitemaps/bomb.xml.gz", HostileSitemap, "too_large", false,
		"a .xml.gz file (no Content-Encoding) inflating to "+mib(h.opts.BombBytes/4))
	seed("sitemap_gzip_bomb_double", "/sitemaps/bomb2.xml.gz", HostileSitemap, "too_large", false,
		"a .xml.gz file sent with Content-Encoding gzip on top, inflating to "+mib(h.opts.BombBytes)+" from a few KiB")
	h.cases = append(h.cases,
		HostileCase{Name: "sitemap_index_chain", URL: base + "/sitemaps/deep/0.xml", Kind: HostileSitemap, Polled: true,
			Prefix: base + "/sitemaps/deep/", MaxRequests: 10,
			Note: fmt.Sprintf("a sitemap index listing another index, %d deep (the server could go on for ever)", hostileChain)},
		HostileCase{Name: "feed_html_chain", URL: base + "/feeds/chain/0.xml", Kind: HostileFeed, Class: "bad_feed",
			Prefix: base + "/feeds/chain/", MaxRequests: 10,
			Note: fmt.Sprintf("a feed URL answering HTML whose <link rel=alternate> names the next such \"feed\", %d deep", hostileChain)})
	h.buildHugeFeed()
	return nil
}

// hostileArticleHTML renders a good page with some furniture around it; u
// is its rel=canonical.
func hostileArticleHTML(u, head string, p *hostilePage) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
	if head != "" {
		b.WriteString(head + "\n")
	}
	fmt.Fprintf(&b, "<title>%s | The Hostile Herald</title>\n", esc(p.title))
	fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"%s\">\n", esc(u))
	fmt.Fprintf(&b, "<meta property=\"og:type\" content=\"article\">\n<meta property=\"og:title\" content=\"%s\">\n", esc(p.title))
	b.WriteString("<meta property=\"og:site_name\" content=\"The Hostile Herald\">\n</head>\n<body>\n")
	b.WriteString("<header><a href=\"/\">The Hostile Herald</a><nav><ul><li><a href=\"/world/\">World</a></li>" +
		"<li><a href=\"/business/\">Business</a></li><li><a href=\"/sport/\">Sport</a></li></ul></nav></header>\n")
	b.WriteString("<main><article>\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"byline\">By %s</p>\n", esc(p.title), esc(p.byline))
	for _, para := range p.paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(para))
	}
	b.WriteString("</article>\n<aside class=\"related\"><h2>Most read</h2><ul><li><a href=\"/a/plain.html\">Markets</a></li>" +
		"<li><a href=\"/a/utf16.html\">Weather</a></li></ul></aside>\n</main>\n")
	b.WriteString("<footer><p>&copy; 2026 The Hostile Herald. All rights reserved.</p></footer>\n</body>\n</html>\n")
	return b.String()
}

// buildHugeFeed renders the huge feed once: items cycling over the good
// pages that are listed under their own URL, each with tracking parameters.
func (h *Hostile) buildHugeFeed() {
	var targets []string
	for _, c := range h.cases {
		if c.Stored && c.URL == c.FinalURL {
			targets = append(targets, c.URL)
		}
	}
	var b bytes.Buffer
	b.Grow(h.opts.HugeFeedItems * 200)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Everything, again</title><link>" + h.URL + "/</link><description>A feed that never forgets</description>\n")
	for i := range h.opts.HugeFeedItems {
		u := targets[i%len(targets)]
		var q string
		switch i % 4 {
		case 0:
			q = fmt.Sprintf("?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=c%d", i)
		case 1:
			q = fmt.Sprintf("?fbclid=IwAR%d", i)
		case 2:
			q = fmt.Sprintf("?gclid=G%d#comments-%d", i, i)
		default:
			q = fmt.Sprintf("#p%d", i)
		}
		fmt.Fprintf(&b, "<item><title>Item %d</title><link>%s%s</link><guid isPermaLink=\"false\">i%d</guid></item>\n", i, u, q, i)
	}
	b.WriteString("</channel></rss>\n")
	h.hugeFeed = b.Bytes()
}

// route answers one request of the main listener; n counts the requests of
// its path so far, this one included.
func (h *Hostile) route(rw http.ResponseWriter, r *http.Request, n int) {
	path := r.URL.Path
	if pg, ok := h.pages[path]; ok {
		switch {
		case path == "/a/busy-429.html" && n == 1:
			rw.Header().Set("Retry-After", strconv.Itoa(int(h.opts.RetryAfter/time.Second)))
			http.Error(rw, "slow down", http.StatusTooManyRequests)
			return
		case path == "/a/busy-tomorrow.html" && n == 1:
			rw.Header().Set("Retry-After", "86400")
			http.Error(rw, "come back tomorrow", http.StatusTooManyRequests)
			return
		case path == "/a/tracked.html" && r.URL.Query().Get("utm_source") == "":
			http.Redirect(rw, r, "/a/tracked.html?utm_source=web", http.StatusFound)
			return
		case path == "/a/busy-503.html" && n <= h.opts.Unavailable:
			http.Error(rw, "try again later", http.StatusServiceUnavailable)
			return
		}
		h.servePage(rw, pg)
		return
	}
	switch path {
	case "/robots.txt":
		// A byte order mark (Windows editors add one) and CRLF lines.
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rw, "\ufeffUser-agent: *\r\nDisallow: /private/\r\n")
	case "/private/secret.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(rw, "<html><body><article><p>"+strings.Repeat("This page is disallowed by robots.txt. ", 20)+
			"</p></article></body></html>")
	case "/feed.xml":
		rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = rw.Write(h.mainFeed())
	case "/sitemap.xml":
		rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
		_, _ = rw.Write(h.sitemap())
	case "/front/":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString("<!DOCTYPE html><html><head><title>The Hostile Herald</title>\n")
		for _, u := range []string{h.PrivateURL + "/feed.xml", h.PrivateV6URL + "/feed.xml", h.URL + "/feed.xml"} {
			if strings.HasPrefix(u, "http") {
				fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"%s\">\n", html.EscapeString(u))
			}
		}
		b.WriteString("</head><body><h1>The Hostile Herald</h1><p>All the news that bites.</p></body></html>\n")
		_, _ = io.WriteString(rw, b.String())
	case "/feeds/deep.xml":
		rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<rss version=\"2.0\"><channel><title>Deep</title><link>"+h.URL+
			"/</link><description>x</description><item><title>Deep</title><link>"+h.URL+"/a/plain.html</link><description>")
		_, _ = io.WriteString(rw, strings.Repeat("<x>", 2_000_000))
		_, _ = io.WriteString(rw, strings.Repeat("</x>", 2_000_000))
		_, _ = io.WriteString(rw, "</description></item></channel></rss>\n")
	case "/sitemaps/deep.xml":
		rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
		_, _ = io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>`+
			h.URL+"/a/plain.html</loc><extra>")
		_, _ = io.WriteString(rw, strings.Repeat("<x>", 2_000_000))
		_, _ = io.WriteString(rw, strings.Repeat("</x>", 2_000_000))
		_, _ = io.WriteString(rw, "</extra></url></urlset>\n")
	case "/feeds/deep.json":
		rw.Header().Set("Content-Type", "application/feed+json")
		_, _ = io.WriteString(rw, `{"version":"https://jsonfeed.org/version/1.1","title":"Deep","items":[{"id":"1","url":"`+h.URL+`/a/plain.html","content_text":"x","_deep":`)
		_, _ = io.WriteString(rw, strings.Repeat("[", 2_000_000))
		_, _ = io.WriteString(rw, strings.Repeat("]", 2_000_000))
		_, _ = io.WriteString(rw, "}]}\n")
	case "/feeds/weird.xml":
		rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = rw.Write(h.weirdFeed())
	case "/feeds/broken.xml":
		rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		feed := h.mainFeed()
		_, _ = rw.Write(feed[:len(feed)*2/3])
	case "/feeds/html.xml":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(rw, "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>Our new website</h1>"+
			"<p>We have moved things around. Enjoy!</p></body></html>\n")
	case "/sitemaps/bomb.xml.gz":
		rw.Header().Set("Content-Type", "application/x-gzip")
		h.streamBomb(rw, r, "sitemap", h.opts.BombBytes/4)
	case "/sitemaps/bomb2.xml.gz":
		rw.Header().Set("Content-Type", "application/x-gzip")
		rw.Header().Set("Content-Encoding", "gzip")
		b := doubleBomb(h.opts.BombBytes)
		rw.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = rw.Write(b)
	case "/h/bomb.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Encoding", "gzip")
		h.streamBomb(rw, r, "html", h.opts.BombBytes)
	case "/h/bomb-br.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Encoding", "br")
		h.streamBrotliBomb(rw, r, h.opts.BombBytes)
	case "/h/endless.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		chunk := []byte(strings.Repeat("<p>Live: the latest updates, minute by minute, for ever and ever.</p>\n", 512))
		_, _ = rw.Write([]byte("<!DOCTYPE html><html><head><title>Live</title></head><body>\n"))
		for sent := int64(0); sent < 1<<30 && h.alive(r); sent += int64(len(chunk)) {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	case "/h/huge.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Length", strconv.Itoa(1<<30))
		chunk := bytes.Repeat([]byte("<p>filler filler filler filler filler filler filler</p>\n"), 1024)
		for sent := 0; sent+len(chunk) <= 1<<30 && h.alive(r); sent += len(chunk) {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	case "/h/elements.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(rw, "<!DOCTYPE html><html><head><title>Flood</title></head><body><article><p>"+
			strings.Repeat("A story hidden in markup. ", 20)+"</p>"+strings.Repeat("<b></b>", 200_000)+"</article></body></html>")
	case "/h/trickle.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(http.StatusOK)
		flush(rw)
		body := "<!DOCTYPE html><html><head><title>Markets open lower</title></head><body><article><p>" + strings.Repeat("Markets opened lower. ", 200)
		deadline := time.Now().Add(h.opts.Stall)
		for i := 0; time.Now().Before(deadline); i++ {
			if _, err := rw.Write([]byte{body[i%len(body)]}); err != nil {
				return
			}
			flush(rw)
			if !h.sleep(r, h.opts.TrickleEvery) {
				return
			}
		}
	case "/h/hang-body.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(rw, "<!DOCTYPE html><html><head><title>Breaking</title>")
		flush(rw)
		h.sleep(r, h.opts.Stall)
	case "/h/hang-headers.html":
		h.sleep(r, h.opts.Stall)
	case "/h/reset.html":
		if conn := hijack(rw); conn != nil {
			resetConn(conn)
		}
	case "/h/reset-body.html":
		if conn := hijack(rw); conn != nil {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n")
			_, _ = conn.Write(bytes.Repeat([]byte("<p>Half a story.</p>\n"), 10000/21))
			time.Sleep(20 * time.Millisecond) // let the bytes leave before the reset
			resetConn(conn)
		}
	case "/h/truncated.html":
		if conn := hijack(rw); conn != nil {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 50000\r\n\r\n")
			_, _ = conn.Write(bytes.Repeat([]byte("<p>Two fifths of a story.</p>\n"), 20000/30))
			_ = conn.Close()
		}
	case "/h/photo.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write(fakePNG())
	case "/h/report.pdf":
		rw.Header().Set("Content-Type", "application/pdf")
		_, _ = rw.Write(fakePDF())
	case "/h/snappy.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Encoding", "x-snappy")
		_, _ = io.WriteString(rw, "\xff\x06\x00\x00sNaPpY<html><body><p>compressed, they say</p></body></html>")
	case "/h/loop-a.html":
		http.Redirect(rw, r, "/h/loop-b.html", http.StatusFound)
	case "/h/loop-b.html":
		http.Redirect(rw, r, "/h/loop-a.html", http.StatusMovedPermanently)
	case "/h/to-private.html":
		http.Redirect(rw, r, h.PrivateURL+"/admin/token", http.StatusFound)
	case "/h/to-private-v6.html":
		if host, port, err := net.SplitHostPort(strings.TrimPrefix(h.PrivateURL, "http://")); err == nil {
			http.Redirect(rw, r, "http://[::ffff:"+host+"]:"+port+"/admin/token", http.StatusFound)
			return
		}
		http.NotFound(rw, r)
	case "/h/to-ipv6-loopback.html":
		http.Redirect(rw, r, h.PrivateV6URL+"/admin/token", http.StatusFound)
	case "/h/to-zero.html":
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.URL, "http://"))
		http.Redirect(rw, r, "http://0.0.0.0:"+port+"/private/zero", http.StatusFound)
	case "/h/cookies.html":
		cookie := strings.Repeat("c", 4000)
		for i := range 512 {
			rw.Header().Add("Set-Cookie", fmt.Sprintf("track%d=%s; Path=/", i, cookie))
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(rw, "<html><body><p>Cookies!</p></body></html>")
	case "/h/to-https.html":
		http.Redirect(rw, r, "https://"+strings.TrimPrefix(h.URL, "http://")+"/a/plain.html", http.StatusFound)
	case "/h/to-closed.html":
		http.Redirect(rw, r, "http://"+h.closedAddr+"/a/nowhere.html", http.StatusFound)
	case "/h/early-hints.html":
		if conn := hijack(rw); conn != nil {
			hint := []byte("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n")
			for sent := 0; sent < 64<<20 && h.alive(r); sent += len(hint) {
				if _, err := conn.Write(hint); err != nil {
					break
				}
			}
			_ = conn.Close()
		}
	case "/h/not-modified.html":
		rw.Header().Set("ETag", `"x"`)
		rw.WriteHeader(http.StatusNotModified)
	case "/h/no-location.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(http.StatusMovedPermanently)
		_, _ = io.WriteString(rw, "<html><body><p>Moved, somewhere.</p></body></html>")
	case "/h/to-gone.html":
		http.Redirect(rw, r, "/h/gone.html", http.StatusFound)
	case "/h/to-file.html":
		rw.Header().Set("Location", "file:///etc/passwd")
		rw.WriteHeader(http.StatusFound)
	case "/h/section.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString("<!DOCTYPE html><html><head><title>World | The Hostile Herald</title></head><body><nav><a href=\"/\">Home</a></nav><h1>World</h1><ul>")
		for i := range 40 {
			fmt.Fprintf(&b, "<li><a href=\"/world/%d\">Headline number %d about the world</a></li>", i, i)
		}
		b.WriteString("</ul><footer>&copy; 2026 The Hostile Herald</footer></body></html>\n")
		_, _ = io.WriteString(rw, b.String())
	case "/h/empty.html":
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Length", "0")
	case "/h/always-busy.html":
		rw.Header().Set("Retry-After", "1")
		http.Error(rw, "slow down", http.StatusTooManyRequests)
	case "/h/missing.html":
		http.Error(rw, "not found", http.StatusNotFound)
	case "/h/gone.html":
		http.Error(rw, "gone", http.StatusGone)
	case "/private/zero":
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rw, "internal admin token: s3cr3t\n")
	default:
		switch {
		case strings.HasPrefix(path, "/feeds/huge"):
			rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			rw.Header().Set("ETag", `"huge-1"`)
			if r.Header.Get("If-None-Match") == `"huge-1"` {
				rw.WriteHeader(http.StatusNotModified)
				return
			}
			_, _ = rw.Write(h.hugeFeed)
		case strings.HasPrefix(path, "/sitemaps/deep/") && strings.HasSuffix(path, ".xml"):
			k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/sitemaps/deep/"), ".xml"))
			if err != nil || k < 0 || k > hostileChain {
				http.NotFound(rw, r)
				return
			}
			rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
			if k == hostileChain {
				_, _ = io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`+"\n")
				return
			}
			fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
				"<sitemap><loc>%s/sitemaps/deep/%d.xml</loc></sitemap></sitemapindex>\n", h.URL, k+1)
		case strings.HasPrefix(path, "/feeds/chain/") && strings.HasSuffix(path, ".xml"):
			k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/feeds/chain/"), ".xml"))
			if err != nil || k < 0 || k > hostileChain {
				http.NotFound(rw, r)
				return
			}
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(rw, "<!DOCTYPE html><html><head><title>Feeds, page %d</title>"+
				"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feeds/chain/%d.xml\"></head>"+
				"<body><p>Our feed has moved.</p></body></html>\n", k, k+1)
		case strings.HasPrefix(path, "/h/chain/"):
			k, err := strconv.Atoi(strings.TrimPrefix(path, "/h/chain/"))
			if err != nil || k < 0 || k >= 30 {
				http.NotFound(rw, r)
				return
			}
			http.Redirect(rw, r, "/h/chain/"+strconv.Itoa(k+1), http.StatusFound)
		case strings.HasPrefix(path, "/h/moved-"):
			k, err := strconv.Atoi(strings.TrimPrefix(path, "/h/moved-"))
			codes := []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect}
			if err != nil || k < 0 || k >= len(codes) {
				http.NotFound(rw, r)
				return
			}
			next := "/h/moved-" + strconv.Itoa(k+1)
			if k == len(codes)-1 {
				next = "/a/moved-here.html"
			}
			http.Redirect(rw, r, next, codes[k])
		default:
			http.NotFound(rw, r)
		}
	}
}

// alive reports whether the request and the server are still on.
func (h *Hostile) alive(r *http.Request) bool {
	select {
	case <-r.Context().Done():
		return false
	case <-h.stop:
		return false
	default:
		return true
	}
}

// sleep waits d, or less if the client leaves or the server stops; false
// then.
func (h *Hostile) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-h.stop:
		return false
	}
}

func flush(rw http.ResponseWriter) {
	_ = http.NewResponseController(rw).Flush()
}

// hijack takes the connection over, nil if that fails.
func hijack(rw http.ResponseWriter) net.Conn {
	conn, _, err := http.NewResponseController(rw).Hijack()
	if err != nil {
		http.Error(rw, "cannot hijack", http.StatusInternalServerError)
		return nil
	}
	return conn
}

// resetConn closes conn with a TCP reset (RST) rather than a FIN.
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func (h *Hostile) servePage(rw http.ResponseWriter, pg *hostilePage) {
	rw.Header().Set("Content-Type", pg.contentType)
	switch pg.encoding {
	case "gzip":
		rw.Header().Set("Content-Encoding", "gzip")
		_, _ = rw.Write(gz(pg.body))
	case "br":
		rw.Header().Set("Content-Encoding", "br")
		var b bytes.Buffer
		bw := brotli.NewWriterLevel(&b, brotli.DefaultCompression)
		_, _ = bw.Write(pg.body)
		_ = bw.Close()
		_, _ = rw.Write(b.Bytes())
	default:
		rw.Header().Set("Content-Length", strconv.Itoa(len(pg.body)))
		_, _ = rw.Write(pg.body)
	}
}

// mainFeed is an RSS feed listing every article case.
func (h *Hostile) mainFeed() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<rss version="2.0"><channel><title>The Hostile Herald</title><link>` + h.URL + `/</link><description>All the news that bites</description>` + "\n")
	pub := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i, c := range h.cases {
		if c.Kind != HostileArticle {
			continue
		}
		title := c.Title
		if title == "" {
			title = strings.ReplaceAll(c.Name, "_", " ")
		}
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate></item>\n",
			html.EscapeString(title), html.EscapeString(c.URL), html.EscapeString(c.URL), pub.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// weirdFeed is an RSS feed of links a crawler must not (or cannot) fetch.
func (h *Hostile) weirdFeed() []byte {
	links := []string{"javascript:alert(document.cookie)", "mailto:desk@example.org", "data:text/html,<p>hi</p>",
		"ftp://127.0.0.1/pub/story.html", "file:///etc/passwd", "http://127.0.0.1:99999/bad-port.html", "http://[::1/broken",
		"http://" + strings.Repeat("a", 300) + "/", h.URL + "/" + strings.Repeat("x", 64<<10) + ".html", "   ", "#top"}
	if h.PrivateURL != "" {
		links = append(links, "//"+strings.TrimPrefix(h.PrivateURL, "http://")+"/admin/feed-link")
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Odd links</title><link>" + h.URL + "/</link><description>x</description>\n")
	for i, l := range links {
		fmt.Fprintf(&b, "<item><title>Odd %d</title><link>%s</link></item>\n", i, html.EscapeString(l))
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// sitemap lists every article case, sorted by URL.
func (h *Hostile) sitemap() []byte {
	var urls []string
	for _, c := range h.cases {
		if c.Kind == HostileArticle {
			urls = append(urls, c.URL)
		}
	}
	sort.Strings(urls)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, u := range urls {
		fmt.Fprintf(&b, "<url><loc>%s</loc><lastmod>2026-11-20</lastmod></url>\n", html.EscapeString(u))
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// hostileChain is the length of the chains (nested sitemap indexes, feeds
// answering HTML that names the next one) the server serves.
const hostileChain = 100

// bombMemberSize is the uncompressed size of one gzip member of a bomb.
const bombMemberSize = 16 << 20

var (
	bombMembersOnce sync.Once
	bombHeads       map[string][]byte // kind -> first member (a document start, then spaces)
	bombSpaces      []byte            // a member of 16 MiB of spaces (about 16 KiB)
	doubleBombOnce  sync.Once
	doubleBombBytes []byte
	doubleBombSize  int64
)

// gzipMember compresses s, padded with spaces to bombMemberSize, as one gzip
// member.
func gzipMember(s string) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write([]byte(s))
	pad := bytes.Repeat([]byte(" "), 1<<20)
	for n := len(s); n < bombMemberSize; n += len(pad) {
		_, _ = zw.Write(pad[:min(len(pad), bombMemberSize-n)])
	}
	_ = zw.Close()
	return b.Bytes()
}

func bombMembers() {
	bombMembersOnce.Do(func() {
		bombHeads = map[string][]byte{
			"html":    gzipMember("<!DOCTYPE html><html><head><title>Photo gallery</title></head><body><article><p>"),
			"robots":  gzipMember("User-agent: *\nDisallow: /private/\n# "),
			"sitemap": gzipMember(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`),
		}
		bombSpaces = gzipMember("")
	})
}

// streamBomb writes gzip members that inflate to size bytes (a document
// start, then spaces), stopping when the client leaves.
func (h *Hostile) streamBomb(rw http.ResponseWriter, r *http.Request, kind string, size int64) {
	bombMembers()
	if _, err := rw.Write(bombHeads[kind]); err != nil {
		return
	}
	for n := int64(bombMemberSize); n < size && h.alive(r); n += bombMemberSize {
		if _, err := rw.Write(bombSpaces); err != nil {
			return
		}
	}
}

// streamBrotliBomb writes a brotli stream of size bytes of spaces after an
// HTML start, compressing as it goes (brotli squeezes repeats to almost
// nothing), stopping when the client leaves.
func (h *Hostile) streamBrotliBomb(rw http.ResponseWriter, r *http.Request, size int64) {
	bw := brotli.NewWriterLevel(rw, 1)
	defer bw.Close()
	if _, err := io.WriteString(bw, "<!DOCTYPE html><html><body><p>"); err != nil {
		return
	}
	pad := bytes.Repeat([]byte(" "), 1<<20)
	for n := int64(0); n < size && h.alive(r); n += int64(len(pad)) {
		if _, err := bw.Write(pad); err != nil {
			return
		}
	}
}

// doubleBomb is a gzip file of a sitemap start and spaces inflating to size
// bytes, gzipped again: a few KiB that the transport decoding turns into
// size/1000 bytes of gzip, which inflate to size.
func doubleBomb(size int64) []byte {
	doubleBombOnce.Do(func() {
		bombMembers()
		var inner bytes.Buffer
		inner.Write(bombHeads["sitemap"])
		for n := int64(bombMemberSize); n < size; n += bombMemberSize {
			inner.Write(bombSpaces)
		}
		var outer bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&outer, gzip.BestCompression)
		_, _ = zw.Write(inner.Bytes())
		_ = zw.Close()
		doubleBombBytes, doubleBombSize = outer.Bytes(), size
	})
	if size != doubleBombSize {
		// Another size than the first web's: build it without caching.
		var inner bytes.Buffer
		inner.Write(bombHeads["sitemap"])
		for n := int64(bombMemberSize); n < size; n += bombMemberSize {
			inner.Write(bombSpaces)
		}
		return gz(inner.Bytes())
	}
	return doubleBombBytes
}

// fakePNG is a real PNG signature and header followed by pseudo-random bytes.
func fakePNG() []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66")
	x := uint32(2463534242)
	for len(b) < 64<<10 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
	}
	return b
}

func fakePDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Annual report) Tj ET\nendstream\nendobj\n", i+3)
	}
	b.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}
