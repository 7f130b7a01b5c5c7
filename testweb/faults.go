package testweb

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"sync"
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
