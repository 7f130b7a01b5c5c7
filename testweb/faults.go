package testweb

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault kinds of article URLs in faults mode (Page.Fault).
const (
	FaultTooMany       = "429"            // 429 with Retry-After in seconds, FaultCount times
	FaultUnavailable   = "503"            // 503 with Retry-After as an HTTP date, FaultCount times
	FaultServerError   = "5xx"            // 500, then 502, FaultCount times
	FaultReset         = "reset"          // the connection is reset without an answer, FaultCount times
	FaultTruncatedGzip = "truncated_gzip" // a gzip body cut in the middle, then the connection closed, FaultCount times
	FaultSlow          = "slow"           // every answer waits SlowDelay, then trickles the body over another SlowDelay
)

type faultSpec struct {
	kind  string
	count int
}

// trapSpec is a faults-mode URL that never yields an article.
type trapSpec struct {
	outlet int
	path   string
	kind   string
	anchor string // link text on the home page
	seed   bool   // listed in Seeds
}

// faultFor says which fault a path shows. Only article pages (not
// disallowed ones) and the first feed of outlet 1 have faults; robots.txt,
// home pages and sitemaps never do.
func (w *Web) faultFor(oi int, path string) faultSpec {
	if !w.opts.Faults {
		return faultSpec{}
	}
	if oi == 1%len(w.outlets) && path == w.outlets[oi].feeds[0].path {
		return faultSpec{FaultUnavailable, 1}
	}
	pi, ok := w.byPath[oi][path]
	if !ok || w.pages[pi].disallowed {
		return faultSpec{}
	}
	h := hashParts(w.opts.Seed, saltFault, uint64(oi), hashString(path))
	switch x := h % 100; {
	case x < 6:
		return faultSpec{FaultTooMany, 1 + int(h>>8)%2}
	case x < 10:
		return faultSpec{FaultUnavailable, 1}
	case x < 15:
		return faultSpec{FaultServerError, 1 + int(h>>8)%2}
	case x < 18:
		return faultSpec{FaultReset, 1}
	case x < 21:
		return faultSpec{FaultTruncatedGzip, 1}
	case x < 24:
		return faultSpec{FaultSlow, 0}
	}
	return faultSpec{}
}

// Trap kinds (Trap.Kind).
const (
	TrapOversized     = "oversized"           // a 20 MiB HTML page with Content-Length
	TrapEndless       = "endless"             // an HTML body that never ends (the server stops at 256 MiB)
	TrapTrickle       = "trickle"             // 64 bytes every 500 ms, for at most a minute
	TrapGzipBomb      = "gzip_bomb"           // Content-Encoding gzip: 256 KiB that inflate to 256 MiB
	TrapRedirectLoop  = "redirect_loop"       // a -> b -> a
	TrapRedirectLong  = "redirect_chain_long" // 20 redirects before an answer
	TrapRedirectChain = "redirect_chain"      // 3 redirects (301, 302, 307) to a real article
	TrapNotHTML       = "not_html"            // application/pdf
	TrapBinaryAsHTML  = "binary_as_html"      // random bytes (NULs included) as text/html
	TrapGone          = "gone"                // 410
	TrapNotFound      = "not_found"           // 404
	TrapMalformedFeed = "malformed_feed"      // RSS cut in the middle of an item
	TrapHTMLAsFeed    = "html_as_feed"        // a feed URL answering an HTML page
	TrapSitemapExtra  = "sitemap_extra"       // a sitemap listing the traps
)

func (w *Web) makeTraps() {
	oi := 1 % len(w.outlets)
	add := func(path, kind, anchor string, seed bool) {
		w.traps = append(w.traps, trapSpec{outlet: oi, path: path, kind: kind, anchor: anchor, seed: seed})
	}
	add("/trap/oversized.html", TrapOversized, "Full text of the annual budget report", false)
	add("/trap/endless.html", TrapEndless, "Live blog: all the latest updates", false)
	add("/trap/trickle.html", TrapTrickle, "Markets open lower as investors wait", false)
	add("/trap/bomb.html", TrapGzipBomb, "Photo gallery: the week in pictures", false)
	add("/trap/loop-a.html", TrapRedirectLoop, "Council approves new housing plan", false)
	add("/trap/chain-0.html", TrapRedirectLong, "Weather service issues storm warning", false)
	add("/trap/moved.html", TrapRedirectChain, "Read the full story", false)
	add("/trap/report.pdf", TrapNotHTML, "Download the report (PDF)", false)
	add("/trap/binary.html", TrapBinaryAsHTML, "Interactive: election results map", false)
	add("/trap/gone.html", TrapGone, "Police appeal for witnesses", false)
	add("/trap/missing.html", TrapNotFound, "Schools to reopen next week", false)
	add("/feeds/broken.xml", TrapMalformedFeed, "", true)
	add("/feeds/html-instead.xml", TrapHTMLAsFeed, "", true)
	add("/sitemaps/extra.xml", TrapSitemapExtra, "", true)
}

// trapTarget is the article a redirect_chain trap ends at: the outlet's
// newest page without a fault of its own (so that the chain tests redirects
// alone).
func (w *Web) trapTarget(oi int) string {
	for _, pi := range w.visibleRecent(oi) {
		if !w.pages[pi].disallowed && w.faultFor(oi, w.pages[pi].path).kind == "" {
			return w.pages[pi].path
		}
	}
	return "/"
}

var (
	bombOnce sync.Once
	bombGz   []byte
)

// gzipBomb is 256 MiB of zeros as 256 concatenated gzip members of 1 MiB
// each (about 256 KiB in all; readers inflate every member), built once.
func gzipBomb() []byte {
	bombOnce.Do(func() {
		var one bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
		_, _ = zw.Write(make([]byte, 1<<20))
		_ = zw.Close()
		bombGz = bytes.Repeat(one.Bytes(), 256)
	})
	return bombGz
}

func (w *Web) trapSitemap(oi int) []byte {
	o := w.outlets[oi]
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, t := range w.traps {
		if t.outlet == oi && t.anchor != "" {
			fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", o.base+t.path)
		}
	}
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}

// applyFault answers the n-th request of a faulty URL; false means answer normally.
func (w *Web) applyFault(oi int, rw *recorder, r *http.Request, f faultSpec, n int) bool {
	rw.setFault(f.kind)
	ra := w.retryAfterSeconds()
	switch f.kind {
	case FaultTooMany:
		rw.Header().Set("Retry-After", strconv.Itoa(ra))
		http.Error(rw, "too many requests", http.StatusTooManyRequests)
	case FaultUnavailable:
		// an HTTP date one second later than needed, since it has whole seconds
		at := time.Now().Add(time.Duration(ra+1) * time.Second).UTC().Truncate(time.Second)
		rw.Header().Set("Retry-After", at.Format(http.TimeFormat))
		http.Error(rw, "service unavailable", http.StatusServiceUnavailable)
	case FaultServerError:
		code := http.StatusInternalServerError
		if n%2 == 0 {
			code = http.StatusBadGateway
		}
		http.Error(rw, http.StatusText(code), code)
	case FaultReset:
		conn, _, err := rw.Hijack()
		if err != nil {
			http.Error(rw, "reset", http.StatusInternalServerError)
			return true
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	case FaultTruncatedGzip:
		pi := w.byPath[oi][r.URL.Path]
		full := gz([]byte(w.articleHTML(pi, false)))
		conn, buf, err := rw.Hijack()
		if err != nil {
			http.Error(rw, "truncated", http.StatusInternalServerError)
			return true
		}
		rw.setSent(http.StatusOK, int64(len(full)/2))
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n")
		_, _ = buf.Write(full[:len(full)/2])
		_ = buf.Flush()
		_ = conn.Close()
	case FaultSlow:
		pi := w.byPath[oi][r.URL.Path]
		body, ctype := htmlBytes(w.outlets[oi], w.articleHTML(pi, false))
		if !w.sleep(r, w.opts.SlowDelay) {
			return true
		}
		rw.Header().Set("Content-Type", ctype)
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rw.WriteHeader(http.StatusOK)
		chunk := (len(body) + 3) / 4
		for i := 0; i < len(body); i += chunk {
			_, _ = rw.Write(body[i:min(i+chunk, len(body))])
			rw.Flush()
			if i+chunk < len(body) && !w.sleep(r, w.opts.SlowDelay/4) {
				return true
			}
		}
	default:
		return false
	}
	return true
}

// retryAfterSeconds is the Retry-After sent, in whole seconds (at least 1).
func (w *Web) retryAfterSeconds() int {
	return max(1, int(w.opts.RetryAfter.Round(time.Second)/time.Second))
}

// sleep waits d unless the request or the web ends first.
func (w *Web) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-w.stop:
	}
	return false
}

// serveTrap serves trap t of outlet oi: a flat switch over the trap kinds,
// the longer bodies written by the functions below.
func (w *Web) serveTrap(oi int, rw *recorder, r *http.Request, t trapSpec) {
	rw.setFault("trap:" + t.kind)
	o := w.outlets[oi]
	h := rw.Header()
	switch t.kind {
	case TrapOversized:
		w.writeLargeHTML(rw, r, oversizedBytes, true)
	case TrapEndless:
		w.writeLargeHTML(rw, r, endlessBytes, false)
	case TrapTrickle:
		w.writeTrickle(rw, r)
	case TrapGzipBomb:
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Encoding", "gzip")
		b := gzipBomb()
		h.Set("Content-Length", strconv.Itoa(len(b)))
		rw.WriteHeader(http.StatusOK)
		_, _ = rw.Write(b)
	case TrapRedirectLoop:
		http.Redirect(rw, r, o.base+"/trap/loop-b.html", http.StatusFound)
	case TrapRedirectLong:
		http.Redirect(rw, r, o.base+"/trap/chain-1.html", http.StatusMovedPermanently)
	case TrapRedirectChain:
		http.Redirect(rw, r, o.base+"/trap/moved-2.html", http.StatusMovedPermanently)
	case TrapNotHTML:
		h.Set("Content-Type", "application/pdf")
		rw.WriteHeader(http.StatusOK)
		_, _ = rw.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	case TrapBinaryAsHTML:
		h.Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusOK)
		rnd := rand.New(rand.NewPCG(uint64(w.opts.Seed), 7))
		buf := make([]byte, 64<<10)
		for i := range buf {
			buf[i] = byte(rnd.UintN(256))
		}
		_, _ = rw.Write(buf)
	case TrapGone:
		http.Error(rw, "this article has been removed", http.StatusGone)
	case TrapNotFound:
		w.notFound(rw, r, o)
	case TrapMalformedFeed:
		full := w.rss(oi, o.feeds[0])
		cut := bytes.LastIndex(full[:len(full)/2], []byte("<item>"))
		body := append([]byte(nil), full[:max(cut, 0)+40]...)
		h.Set("Content-Type", "application/rss+xml; charset=utf-8")
		rw.WriteHeader(http.StatusOK)
		_, _ = rw.Write(body)
	case TrapHTMLAsFeed:
		w.serveHTML(rw, r, o, w.listHTML(oi, "Feeds have moved", nil, "", "", nil), w.lastModified(oi))
	case TrapSitemapExtra:
		w.serveBytes(rw, r, w.trapSitemap(oi), "application/xml; charset=utf-8", w.lastModified(oi), true)
	}
}

// The sizes of the oversized page (with its Content-Length) and of the
// endless one (without): both far above any crawler's body limit.
const (
	oversizedBytes = 20 << 20
	endlessBytes   = 256 << 20
)

// writeLargeHTML writes an HTML page of size bytes, saying so in
// Content-Length if declared, until the client or the web stops.
func (w *Web) writeLargeHTML(rw *recorder, r *http.Request, size int, declared bool) {
	h := rw.Header()
	if declared {
		h.Set("Content-Length", strconv.Itoa(size))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(http.StatusOK)
	head := "<!DOCTYPE html><html><head><title>Report</title></head><body><article><h1>Full text</h1>"
	para := []byte("<p>The committee reviewed the figures line by line and found nothing new to report in this section of the document.</p>\n")
	_, _ = rw.Write([]byte(head))
	written := len(head)
	for written < size {
		select {
		case <-r.Context().Done():
			return
		case <-w.stop:
			return
		default:
		}
		p := para
		if size-written < len(p) {
			p = p[:size-written]
		}
		n, err := rw.Write(p)
		written += n
		if err != nil {
			return
		}
	}
}

// trickleFor and trickleEvery: the trickling page sends 64 bytes every
// trickleEvery for trickleFor, longer than any crawler's timeout.
const (
	trickleFor   = time.Minute
	trickleEvery = 500 * time.Millisecond
)

// writeTrickle writes a page a few bytes at a time, slowly.
func (w *Web) writeTrickle(rw *recorder, r *http.Request) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(http.StatusOK)
	chunk := []byte("<p>Markets opened lower on Monday as investors waited for ...</p>\n")[:64]
	deadline := time.Now().Add(trickleFor)
	for time.Now().Before(deadline) {
		if _, err := rw.Write(chunk); err != nil {
			return
		}
		rw.Flush()
		if !w.sleep(r, trickleEvery) {
			return
		}
	}
}

// serveTrapStep serves the inner steps of the redirect traps.
func (w *Web) serveTrapStep(oi int, rw *recorder, r *http.Request, path string) bool {
	o := w.outlets[oi]
	switch {
	case path == "/trap/loop-b.html":
		rw.setFault("trap:" + TrapRedirectLoop)
		http.Redirect(rw, r, o.base+"/trap/loop-a.html", http.StatusFound)
		return true
	case path == "/trap/moved-2.html":
		rw.setFault("trap:" + TrapRedirectChain)
		http.Redirect(rw, r, "/trap/moved-3.html", http.StatusFound)
		return true
	case path == "/trap/moved-3.html":
		rw.setFault("trap:" + TrapRedirectChain)
		http.Redirect(rw, r, o.base+w.trapTarget(oi), http.StatusTemporaryRedirect)
		return true
	case strings.HasPrefix(path, "/trap/chain-"):
		k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/trap/chain-"), ".html"))
		if err != nil || k < 1 || k > 20 {
			return false
		}
		rw.setFault("trap:" + TrapRedirectLong)
		if k == 20 {
			w.serveHTML(rw, r, o, w.listHTML(oi, "You made it", nil, "", "", nil), w.lastModified(oi))
			return true
		}
		http.Redirect(rw, r, fmt.Sprintf("%s/trap/chain-%d.html", o.base, k+1), http.StatusMovedPermanently)
		return true
	}
	return false
}
