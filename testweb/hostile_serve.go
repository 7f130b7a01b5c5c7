package testweb

import (
	"bytes"
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

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

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
