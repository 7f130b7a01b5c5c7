package testweb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/text/encoding/charmap"
)

// maxLog bounds the request log; older entries are dropped beyond it.
const maxLog = 1 << 20

// Start generates the web and serves every outlet on its own loopback
// address. It stops when ctx is done or Close is called.
func Start(ctx context.Context, opts Options) (*Web, error) {
	opts = opts.withDefaults()
	lns := make([]net.Listener, 0, opts.Outlets)
	closeAll := func() {
		for _, l := range lns {
			_ = l.Close()
		}
	}
	bases := make([]string, opts.Outlets)
	for i := range opts.Outlets {
		var ln net.Listener
		var err error
		if i < len(opts.Addrs) && opts.Addrs[i] != "" {
			if err = checkLoopback(opts.Addrs[i]); err == nil {
				ln, err = net.Listen("tcp", opts.Addrs[i])
			}
		} else {
			ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 2+i%250))
			if err != nil {
				ln, err = net.Listen("tcp", "127.0.0.1:0")
			}
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("testweb: listen for outlet %d: %w", i, err)
		}
		lns = append(lns, ln)
		bases[i] = "http://" + ln.Addr().String()
	}
	opts.BaseURLs = bases
	w, err := Generate(opts)
	if err != nil {
		closeAll()
		return nil, err
	}
	for i, ln := range lns {
		srv := &http.Server{Handler: w.Handler(i), ReadHeaderTimeout: 10 * time.Second}
		w.servers = append(w.servers, srv)
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				w.mu.Lock()
				w.serveErr = append(w.serveErr, err)
				w.mu.Unlock()
			}
		}()
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		select {
		case <-ctx.Done():
			_ = w.shutdown()
		case <-w.stop:
		}
	}()
	return w, nil
}

// checkLoopback refuses listen addresses outside the loopback range.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("testweb: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("testweb: address %q: only loopback addresses are served", addr)
	}
	return nil
}

// CheckLoopback reports an error unless addr (host:port) is a loopback address.
func CheckLoopback(addr string) error { return checkLoopback(addr) }

// Close stops every server and waits for them to end.
func (w *Web) Close() error {
	err := w.shutdown()
	w.wg.Wait()
	return err
}

func (w *Web) shutdown() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.stop)
	servers := w.servers
	w.mu.Unlock()
	var errs []error
	for _, s := range servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := s.Shutdown(ctx); err != nil {
			_ = s.Close()
		}
		cancel()
	}
	return errors.Join(errs...)
}

// Requests returns a copy of the request log, in arrival order. An entry
// is logged when its request arrives; its status, fault and size are set
// before the client can see them, its Duration when the handler returns.
func (w *Web) Requests() []Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Request, len(w.log))
	for i, e := range w.log {
		out[i] = *e
	}
	return out
}

// ResetRequests clears the request log and the per-URL request counts, so
// faults start over (every faulty URL fails its first requests again).
func (w *Web) ResetRequests() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.log = nil
	w.counts = map[string]int{}
}

// Handler returns the handler of one outlet, for use with httptest: set
// Options.BaseURLs to the servers' URLs so that links point at them.
func (w *Web) Handler(outlet int) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { w.serve(outlet, rw, r) })
}

// recorder passes an answer through and keeps its log entry up to date as
// it goes, so the entry is complete by the time the client has the answer.
type recorder struct {
	http.ResponseWriter
	w *Web
	e *Request
}

func (r *recorder) WriteHeader(code int) {
	r.w.mu.Lock()
	if r.e.Status == 0 {
		r.e.Status = code
	}
	r.w.mu.Unlock()
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.w.mu.Lock()
	if r.e.Status == 0 {
		r.e.Status = http.StatusOK
	}
	r.e.Bytes += int64(len(p))
	r.w.mu.Unlock()
	return r.ResponseWriter.Write(p)
}

// setFault records the fault applied to this answer.
func (r *recorder) setFault(kind string) {
	r.w.mu.Lock()
	r.e.Fault = kind
	r.w.mu.Unlock()
}

// setSent records an answer written on a hijacked connection.
func (r *recorder) setSent(status int, n int64) {
	r.w.mu.Lock()
	r.e.Status, r.e.Bytes = status, n
	r.w.mu.Unlock()
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("testweb: hijack not supported")
	}
	return h.Hijack()
}

func (w *Web) serve(oi int, rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	path := r.URL.Path
	o := w.outlets[oi]
	// the entry is logged on arrival, so the log is in arrival order
	entry := &Request{Time: start, Outlet: oi, Host: r.Host, Method: r.Method,
		URL: o.base + r.URL.RequestURI(), Path: path, UserAgent: r.UserAgent(),
		IfNoneMatch: r.Header.Get("If-None-Match"), IfModifiedSince: r.Header.Get("If-Modified-Since")}
	n := 0
	w.mu.Lock()
	if w.opts.Faults {
		key := strconv.Itoa(oi) + "|" + path
		w.counts[key]++
		n = w.counts[key]
	}
	if len(w.log) >= maxLog {
		w.log = append([]*Request(nil), w.log[len(w.log)-maxLog/2:]...)
	}
	w.log = append(w.log, entry)
	w.mu.Unlock()
	rec := &recorder{ResponseWriter: rw, w: w, e: entry}
	w.route(oi, rec, r, n)
	w.mu.Lock()
	entry.Duration = time.Since(start)
	w.mu.Unlock()
}

func (w *Web) route(oi int, rw *recorder, r *http.Request, n int) {
	path := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		rw.Header().Set("Allow", "GET, HEAD")
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if f := w.faultFor(oi, path); f.kind != "" && (f.count == 0 || n <= f.count) {
		if w.applyFault(oi, rw, r, f, n) {
			return
		}
	}
	mod := w.lastModified(oi)
	if w.serveListing(oi, rw, r, path, mod) || w.serveFeed(oi, rw, r, path, mod) ||
		w.serveSitemap(oi, rw, r, path, mod) || w.serveArticlePath(oi, rw, r, path) || w.serveTrapPath(oi, rw, r, path) {
		return
	}
	w.notFound(rw, r, w.outlets[oi])
}

// serveListing serves the outlet's pages that are not articles: robots.txt,
// the home page, the archive and section pages, images. It returns false
// for any other path.
func (w *Web) serveListing(oi int, rw *recorder, r *http.Request, path string, mod time.Time) bool {
	o := w.outlets[oi]
	switch {
	case path == "/robots.txt":
		w.serveBytes(rw, r, w.robots(oi), "text/plain; charset=utf-8", mod, true)
	case path == "/" || path == "/index.html":
		var traps []trapSpec
		for _, t := range w.traps {
			if t.outlet == oi && t.anchor != "" {
				traps = append(traps, t)
			}
		}
		rs := w.visibleRecent(oi)
		w.serveHTML(rw, r, o, w.listHTML(oi, o.name+": latest news", rs[:min(homeItems, len(rs))], "", "/archive/1", traps), mod)
	case strings.HasPrefix(path, "/archive/"):
		w.serveArchive(oi, rw, r, path, mod)
	case strings.HasPrefix(path, "/section/"):
		sec := strings.Trim(strings.TrimPrefix(path, "/section/"), "/")
		var items []int32
		for _, pi := range w.visibleRecent(oi) {
			if w.section(pi) == sec && len(items) < homeItems {
				items = append(items, pi)
			}
		}
		w.serveHTML(rw, r, o, w.listHTML(oi, strings.ToUpper(sec[:min(1, len(sec))])+sec[min(1, len(sec)):], items, "", "", nil), mod)
	case strings.HasPrefix(path, "/img/") || path == "/logo.png":
		w.serveBytes(rw, r, gif1x1, "image/gif", mod, false)
	default:
		return false
	}
	return true
}

// serveArchive serves /archive/K, the K-th page of the outlet's articles.
func (w *Web) serveArchive(oi int, rw *recorder, r *http.Request, path string, mod time.Time) {
	o := w.outlets[oi]
	k, err := strconv.Atoi(strings.TrimPrefix(path, "/archive/"))
	rs := w.visibleRecent(oi)
	if err != nil || k < 1 || (k-1)*archiveItems >= max(len(rs), 1) {
		w.notFound(rw, r, o)
		return
	}
	lo, hi := (k-1)*archiveItems, min(k*archiveItems, len(rs))
	prev, next := "", ""
	if k > 1 {
		prev = "/archive/" + strconv.Itoa(k-1)
	}
	if hi < len(rs) {
		next = "/archive/" + strconv.Itoa(k+1)
	}
	w.serveHTML(rw, r, o, w.listHTML(oi, fmt.Sprintf("Archive, page %d", k), rs[lo:hi], prev, next, nil), mod)
}

// serveFeed serves the outlet's feed at path, if it has one there.
func (w *Web) serveFeed(oi int, rw *recorder, r *http.Request, path string, mod time.Time) bool {
	for _, f := range w.outlets[oi].feeds {
		if path != f.path {
			continue
		}
		switch f.format {
		case "rss":
			w.serveBytes(rw, r, w.rss(oi, f), "application/rss+xml; charset=utf-8", mod, true)
		case "atom":
			w.serveBytes(rw, r, w.atom(oi, f), "application/atom+xml; charset=utf-8", mod, true)
		default:
			w.serveBytes(rw, r, w.jsonFeed(oi, f), "application/feed+json; charset=utf-8", mod, true)
		}
		return true
	}
	return false
}

// serveArticlePath serves the visible article at path, or at one of its
// aliases (a /go/ alias redirects to it).
func (w *Web) serveArticlePath(oi int, rw *recorder, r *http.Request, path string) bool {
	o := w.outlets[oi]
	if pi, ok := w.byPath[oi][path]; ok && w.visible(pi) {
		w.serveArticle(rw, r, o, pi, false)
		return true
	}
	pi, ok := w.aliasPage(oi, path)
	if !ok || !w.visible(pi) {
		return false
	}
	if strings.HasPrefix(path, "/go/") {
		http.Redirect(rw, r, o.base+w.pages[pi].path, http.StatusMovedPermanently)
		return true
	}
	w.serveArticle(rw, r, o, pi, true)
	return true
}

// serveTrapPath serves the outlet's trap at path, or a step of a trap
// chain (with Options.Faults).
func (w *Web) serveTrapPath(oi int, rw *recorder, r *http.Request, path string) bool {
	for _, t := range w.traps {
		if t.outlet == oi && t.path == path {
			w.serveTrap(oi, rw, r, t)
			return true
		}
	}
	return strings.HasPrefix(path, "/trap/") && w.opts.Faults && w.serveTrapStep(oi, rw, r, path)
}

var gif1x1 = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request, o *outletSpec) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(rw, "<!DOCTYPE html><html><head><title>Page not found | %s</title></head><body><h1>Page not found</h1><p>Sorry, we could not find that page.</p><a href=\"/\">Home</a></body></html>\n", esc(o.name))
}

func (w *Web) serveSitemap(oi int, rw http.ResponseWriter, r *http.Request, path string, mod time.Time) bool {
	o := w.outlets[oi]
	switch {
	case path == "/sitemap.xml" && o.smStyle == 0, path == "/sitemap_index.xml" && o.smStyle == 2:
		w.serveBytes(rw, r, w.sitemapIndex(oi), "application/xml; charset=utf-8", mod, true)
		return true
	case path == "/sitemap.xml.gz" && o.smStyle == 1:
		w.serveBytes(rw, r, gz(w.urlset(oi, 0, 1<<30)), "application/gzip", mod, false)
		return true
	case path == "/news-sitemap.xml" && o.news:
		w.serveBytes(rw, r, w.newsSitemap(oi), "application/xml; charset=utf-8", mod, true)
		return true
	}
	for i, c := range w.sitemapChildren(oi) {
		if path == c && o.smStyle != 1 {
			body := w.urlset(oi, i*sitemapChunk, (i+1)*sitemapChunk)
			if strings.HasSuffix(c, ".gz") {
				w.serveBytes(rw, r, gz(body), "application/gzip", mod, false)
			} else {
				w.serveBytes(rw, r, body, "application/xml; charset=utf-8", mod, true)
			}
			return true
		}
	}
	return false
}

// gzWriters pools gzip writers: each holds about a megabyte of state.
var gzWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	zw := gzWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	gzWriters.Put(zw)
	return buf.Bytes()
}

// cachedPage is an article response kept with Options.CachePages.
type cachedPage struct {
	body, gzBody []byte
	ctype        string
}

// serveArticle serves article page pi (its AMP version with amp), from the
// page cache when Options.CachePages is on.
func (w *Web) serveArticle(rw http.ResponseWriter, r *http.Request, o *outletSpec, pi int32, amp bool) {
	mod := w.pages[pi].published
	if !w.opts.CachePages {
		w.serveHTML(rw, r, o, w.articleHTML(pi, amp), mod)
		return
	}
	key := int64(pi) << 1
	if amp {
		key |= 1
	}
	v, ok := w.pageCache.Load(key)
	if !ok {
		body, ctype := htmlBytes(o, w.articleHTML(pi, amp))
		v, _ = w.pageCache.LoadOrStore(key, &cachedPage{body: body, gzBody: gz(body), ctype: ctype})
	}
	c := v.(*cachedPage)
	h := rw.Header()
	h.Set("Content-Type", c.ctype)
	h.Add("Vary", "Accept-Encoding")
	body, etag := c.body, fmt.Sprintf("%016x", hashBytes(c.body))
	if acceptsGzip(r) {
		body, etag = c.gzBody, etag+"-gz"
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", `"`+etag+`"`)
	h.Set("Cache-Control", "max-age=60")
	http.ServeContent(rw, r, "", mod, bytes.NewReader(body))
}

// serveHTML encodes a page in the outlet's charset and declares it as the
// outlet does (header, meta or both).
func (w *Web) serveHTML(rw http.ResponseWriter, r *http.Request, o *outletSpec, doc string, mod time.Time) {
	body, ctype := htmlBytes(o, doc)
	w.serveBytes(rw, r, body, ctype, mod, true)
}

// htmlBytes encodes a page in the outlet's charset and gives the
// Content-Type header the outlet sends.
func htmlBytes(o *outletSpec, doc string) ([]byte, string) {
	body := []byte(doc)
	ctype := "text/html; charset=utf-8"
	switch o.charset {
	case "iso-8859-1", "windows-1252":
		cm := charmap.ISO8859_1
		if o.charset == "windows-1252" {
			cm = charmap.Windows1252
		}
		enc, err := cm.NewEncoder().Bytes([]byte(foldFor(cm, doc)))
		if err == nil {
			body = enc
		}
		ctype = "text/html; charset=" + o.charset
	}
	switch o.decl {
	case "meta":
		ctype = "text/html"
	case "bom+meta":
		ctype = "text/html"
		body = append([]byte("\xEF\xBB\xBF"), body...)
	}
	return body, ctype
}

// serveBytes answers with validators (ETag, Last-Modified, 304) and gzip
// when the client accepts it.
func (w *Web) serveBytes(rw http.ResponseWriter, r *http.Request, body []byte, ctype string, mod time.Time, compress bool) {
	h := rw.Header()
	h.Set("Content-Type", ctype)
	etag := fmt.Sprintf("%016x", hashBytes(body))
	if compress {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body = gz(body)
			h.Set("Content-Encoding", "gzip")
			etag += "-gz"
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	h.Set("Cache-Control", "max-age=60")
	http.ServeContent(rw, r, "", mod, bytes.NewReader(body))
}

// hashBytes is a fast content hash for ETags: CRC-32C and the length.
func hashBytes(b []byte) uint64 {
	return uint64(crc32.Checksum(b, castagnoli))<<32 | uint64(uint32(len(b)))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
