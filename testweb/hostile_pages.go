package testweb

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// hostilePage is a good page: its text and how it is served.
type hostilePage struct {
	path        string
	title       string
	byline      string
	paras       []string
	contentType string
	body        []byte // encoded page
	encoding    string // Content-Encoding applied on the fly ("", "gzip", "br")
	// gate, if set, may answer a request instead of the page (a 429 first,
	// say): n counts the requests of the URL so far, this one included.
	gate func(h *Hostile, rw http.ResponseWriter, r *http.Request, n int) bool
}

// goodPage is one row of the good pages: how the page is made and served,
// and what a correct crawler makes of it (stored with its text, after the
// failed attempts of class, if any).
type goodPage struct {
	name, path, note string
	words            string                                   // appended to the first paragraph
	fold             *charmap.Charmap                         // charset the text must fit
	encode           func(doc string) ([]byte, string, error) // page -> body, Content-Type
	head             string                                   // <meta> charset declaration in <head>
	pre              string                                   // before <html>
	encoding         string
	listPath         string // the path listed, when not the page's own
	host             string // "flaky" (robots.txt fails at first) or "bombrobots" (robots.txt is a gzip bomb); "" for the main host
	canonical        string // the path of the page's rel=canonical, when not its own URL
	class            string // the class of the attempts that fail before the page is stored
	transient        bool
	deferred         bool
	gate             func(h *Hostile, rw http.ResponseWriter, r *http.Request, n int) bool
}

// The accented words that the charset cases add to their first paragraph.
const (
	wordsLatin1 = "The café in Zürich, said Señora Muñoz, stays open."
	wordsCP1250 = "Officials in Łódź and Gdańsk said the plan would go ahead."
	wordsUTF8   = "The café in Zürich and the one in Łódź charged €4 — “too much”, said Søren."
	wordsCP1252 = "The café in Zürich charged €4 — “too much”, said Señora Muñoz."
)

func utf8Type(doc string) ([]byte, string, error) {
	return []byte(doc), "text/html; charset=utf-8", nil
}

// encodeAs encodes a page in charset c, served as ctype.
func encodeAs(c *charmap.Charmap, ctype string) func(string) ([]byte, string, error) {
	return func(doc string) ([]byte, string, error) {
		b, err := c.NewEncoder().Bytes([]byte(doc))
		return b, ctype, err
	}
}

// The gates of the good pages that fail before they answer.
func busy429(h *Hostile, rw http.ResponseWriter, r *http.Request, n int) bool {
	if n != 1 {
		return false
	}
	rw.Header().Set("Retry-After", strconv.Itoa(int(h.opts.RetryAfter/time.Second)))
	http.Error(rw, "slow down", http.StatusTooManyRequests)
	return true
}

func busyTomorrow(h *Hostile, rw http.ResponseWriter, r *http.Request, n int) bool {
	if n != 1 {
		return false
	}
	rw.Header().Set("Retry-After", "86400")
	http.Error(rw, "come back tomorrow", http.StatusTooManyRequests)
	return true
}

func addTracking(h *Hostile, rw http.ResponseWriter, r *http.Request, n int) bool {
	if r.URL.Query().Get("utm_source") != "" {
		return false
	}
	http.Redirect(rw, r, "/a/tracked.html?utm_source=web", http.StatusFound)
	return true
}

func busy503(h *Hostile, rw http.ResponseWriter, r *http.Request, n int) bool {
	if n > h.opts.Unavailable {
		return false
	}
	http.Error(rw, "try again later", http.StatusServiceUnavailable)
	return true
}

// hostilePages are the good pages, in the order of Cases.
var hostilePages = []goodPage{
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
		encode: encodeAs(charmap.Windows1252, "text/html"),
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
		encode: encodeAs(charmap.Windows1250, "text/html"),
		note:   "windows-1250 declared by a <meta charset> after 2 KB of comments, past the 1024-byte prescan"},
	{name: "charset_meta_utf8_body_1252", path: "/a/meta-utf8-body-1252.html", words: wordsCP1252, fold: charmap.Windows1252,
		head: `<meta charset="utf-8">`, encode: encodeAs(charmap.Windows1252, "text/html"),
		note: "<meta charset=utf-8> on a windows-1252 body (a UTF-8 template around text from a latin-1 database): " +
			"the spec's answer is U+FFFD for every accented letter; the intended answer is the text"},
	{name: "charset_commented_meta", path: "/a/commented-meta.html", words: wordsCP1252, fold: charmap.Windows1252,
		pre: "<!-- old template: <meta charset=\"koi8-r\"> -->\n", head: `<meta charset="windows-1252">`,
		encode: encodeAs(charmap.Windows1252, "text/html"),
		note:   "windows-1252 declared by <meta>, after a commented-out <meta charset=koi8-r>, which declares nothing"},
	{name: "charset_xml_prolog", path: "/a/xhtml-latin1.xhtml", words: wordsLatin1, fold: charmap.ISO8859_1,
		pre:    `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n",
		encode: encodeAs(charmap.ISO8859_1, "application/xhtml+xml"),
		note:   "XHTML in ISO-8859-1 declared only in the XML prolog"},
	{name: "charset_header_utf8_body_1252", path: "/a/header-utf8-body-1252.html", words: wordsCP1252, fold: charmap.Windows1252,
		encode: encodeAs(charmap.Windows1252, "text/html; charset=utf-8"),
		note: "header charset=utf-8 on a windows-1252 body with no valid multi-byte sequence: the spec's answer is " +
			"U+FFFD for every accented letter; the intended answer is the text (the label is a server default)"},
	{name: "charset_xml_prolog_cp1250", path: "/a/xhtml-cp1250.xhtml", words: wordsCP1250, fold: charmap.Windows1250,
		pre:    `<?xml version="1.0" encoding="windows-1250"?>` + "\n",
		encode: encodeAs(charmap.Windows1250, "application/xhtml+xml"),
		note:   "XHTML in windows-1250 declared only in the XML prolog, where the windows-1252 fallback gets the letters wrong"},
	{name: "canonical_to_home_a", path: "/a/canonical-home-a.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		canonical: "/", note: "rel=canonical names the home page (a CMS bug seen in the wild), as on canonical_to_home_b: " +
			"two different articles, both must be stored"},
	{name: "canonical_to_home_b", path: "/a/canonical-home-b.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		canonical: "/", note: "rel=canonical names the home page, as on canonical_to_home_a"},
	{name: "retry_after_429", class: classHTTP429, transient: true, gate: busy429, path: "/a/busy-429.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		note: "429 with Retry-After once, then the page"},
	{name: "unavailable_503", class: classHTTP5xx, transient: true, gate: busy503, path: "/a/busy-503.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		note: "503 without Retry-After a few times, then the page"},
	{name: "retry_after_far", class: classHTTP429, transient: true, deferred: true, gate: busyTomorrow, path: "/a/busy-tomorrow.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		note: "429 with Retry-After: 86400 once: the crawl must not wait a day for it, nor fail it; it is left for a later run"},
	{name: "redirect_chain_to_article", path: "/a/moved-here.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		listPath: "/h/moved-0", note: "301, 302, 307 to a good page, listed only under the first URL"},
	{name: "redirect_adds_tracking", gate: addTracking, path: "/a/tracked.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		note: "answers a request without utm_source with a 302 to the same URL plus ?utm_source=web (a URL that " +
			"normalises to itself), then the page: not a redirect loop"},
	{name: "robots_unavailable_at_first", deferred: true, path: "/a/flaky-host.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		host: "flaky", note: "on a host whose robots.txt answers 503 once: the host is off limits for a while " +
			"(RFC 9309), but its page must not be failed for good; it may be left for a later run"},
	{name: "robots_gzip_bomb", path: "/a/bomb-robots-host.html", encode: utf8Type, head: `<meta charset="utf-8">`,
		host: "bombrobots", note: "on a host whose robots.txt is a gzip bomb: read up to a limit (Google reads 500 KiB) " +
			"and taken as allowing all, so the page is stored"},
}

// buildPages makes the good pages from web's stories and their cases.
func (h *Hostile) buildPages(web *Web) error {
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
	if len(src) < len(hostilePages) {
		return errors.New("testweb: hostile: not enough stories for the good pages")
	}
	for i, g := range hostilePages {
		c, err := h.buildPage(g, src[i])
		if err != nil {
			return err
		}
		h.cases = append(h.cases, c)
	}
	return nil
}

// buildPage makes good page g from story page p.
func (h *Hostile) buildPage(g goodPage, p Page) (HostileCase, error) {
	// The hostile pages test what crawling does to a page, not which
	// reference lines ("See also: <headline>") a cleaner keeps: they carry
	// none, so the stored text is the body whatever the cleaner's choice.
	paras := slices.DeleteFunc(strings.Split(p.Body, "\n\n"), func(para string) bool {
		return slices.Contains(p.References, para)
	})
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
	pg := &hostilePage{path: g.path, title: title, byline: byline, paras: paras, encoding: g.encoding, gate: g.gate}
	pbase, key := h.URL, g.path
	switch g.host {
	case "flaky":
		pbase, key = h.FlakyURL, "flaky:"+g.path
	case "bombrobots":
		pbase, key = h.BombRobotsURL, "bombrobots:"+g.path
	}
	canon := pbase + g.path
	if g.canonical != "" {
		canon = h.URL + g.canonical
	}
	doc := g.pre + hostileArticleHTML(canon, g.head, pg)
	var err error
	pg.body, pg.contentType, err = g.encode(doc)
	if err != nil {
		return HostileCase{}, fmt.Errorf("testweb: hostile: encode %s: %w", g.name, err)
	}
	h.pages[key] = pg
	c := HostileCase{Name: g.name, URL: pbase + g.path, Kind: HostileArticle, Stored: true, FinalURL: pbase + g.path,
		Title: title, Text: strings.Join(paras, "\n\n"), Note: g.note, Class: g.class, Transient: g.transient, Deferred: g.deferred}
	if g.listPath != "" {
		c.URL = h.URL + g.listPath
	}
	return c, nil
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
