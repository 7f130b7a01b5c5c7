package crawler

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/wirecrawl/wirecrawl/frontier"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// ErrBadFeed is returned (wrapped) when a feed or sitemap cannot be parsed.
var ErrBadFeed = errors.New("crawler: bad feed")

// maxEntries caps the URLs taken from one feed or sitemap (the sitemap
// protocol allows 50,000).
const maxEntries = 50000

func charsetReader(label string, r io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, r)
}

// docType is what a fetched body turned out to be.
type docType int

const (
	docUnknown docType = iota
	docFeed
	docSitemap
	docSitemapIndex
	docHTML
	docGzip
)

func (t docType) String() string {
	return [...]string{"unknown", "feed", "sitemap", "sitemap index", "html", "gzip"}[t]
}

// sniff decides what body is, from its first bytes, falling back on the
// Content-Type header.
func sniff(contentType string, body []byte) docType {
	b := bytes.TrimLeft(body, " \t\r\n")
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return docGzip
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if len(b) > 0 && b[0] == '{' {
		head := b[:min(len(b), 4096)]
		if bytes.Contains(head, []byte("jsonfeed.org")) || bytes.Contains(head, []byte(`"items"`)) {
			return docFeed
		}
		return docUnknown
	}
	if len(b) > 0 && b[0] == '<' {
		head := bytes.ToLower(b[:min(len(b), 1024)])
		if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) {
			return docHTML
		}
		d := xml.NewDecoder(bytes.NewReader(b[:min(len(b), 64<<10)]))
		d.Strict = false
		d.CharsetReader = charsetReader
		for range 64 {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if se, ok := tok.(xml.StartElement); ok {
				switch strings.ToLower(se.Name.Local) {
				case "rss", "feed", "rdf":
					return docFeed
				case "urlset":
					return docSitemap
				case "sitemapindex":
					return docSitemapIndex
				case "html", "head", "body":
					return docHTML
				}
				break
			}
		}
	}
	switch mt {
	case "text/html", "application/xhtml+xml":
		return docHTML
	}
	return docUnknown
}

// isHTMLType reports whether a Content-Type (or, when empty, the body) is
// HTML.
func isHTMLType(contentType string, body []byte) bool {
	if strings.TrimSpace(contentType) == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "text/html")
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// looksBinary reports whether a body said to be HTML is binary: NUL bytes
// in its first KiB, which no HTML page (in an ASCII-compatible charset) has.
// UTF-16 pages, which have NULs, are recognised by their BOM or, without
// one, by their NULs all falling on one byte parity (the high bytes of
// ASCII-range letters) while the other parity has none.
func looksBinary(body []byte) bool {
	head := body[:min(len(body), 1024)]
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return false
	}
	if bytes.IndexByte(head, 0) < 0 {
		return false
	}
	var nuls [2]int
	for i, b := range head {
		if b == 0 {
			nuls[i%2]++
		}
	}
	half := len(head) / 2
	utf16 := (nuls[0] == 0 && nuls[1] >= half*2/5) || (nuls[1] == 0 && nuls[0] >= half*2/5)
	return !utf16
}

// gunzipLimit decompresses gzip data, failing with errTooLarge past limit bytes.
func gunzipLimit(data []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, errTooLarge
	}
	return out, nil
}

// entry is one article or child URL found in a feed or sitemap.
type entry struct {
	URL  string // normalised
	Item *frontier.FeedItem
	// Child is set for sitemap-index children (sitemaps, not articles).
	Child bool
}

// parseFeed parses an RSS, Atom or JSON feed and returns its items' links
// resolved against base. gofeed panics are turned into errors.
func parseFeed(body []byte, base string) (entries []entry, err error) {
	defer func() {
		if r := recover(); r != nil {
			entries, err = nil, fmt.Errorf("%w: parser panic: %v", ErrBadFeed, r)
		}
	}()
	if tooDeep(body, maxNesting) {
		return nil, fmt.Errorf("%w: nested deeper than %d levels", ErrBadFeed, maxNesting)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFeed, err)
	}
	bu, _ := url.Parse(base)
	for _, it := range f.Items {
		if it == nil || len(entries) >= maxEntries {
			continue
		}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" && strings.HasPrefix(it.GUID, "http") {
			link = it.GUID
		}
		u := resolveRef(bu, link)
		if u == "" {
			continue
		}
		fi := &frontier.FeedItem{FeedURL: base, Title: strings.TrimSpace(it.Title), Language: f.Language}
		if it.Author != nil && it.Author.Name != "" {
			fi.Author = it.Author.Name
		} else if len(it.Authors) > 0 && it.Authors[0] != nil {
			fi.Author = it.Authors[0].Name
		} else if dc := it.DublinCoreExt; dc != nil && len(dc.Creator) > 0 {
			fi.Author = dc.Creator[0]
		}
		if it.PublishedParsed != nil {
			fi.Published = it.PublishedParsed.UTC()
		} else if it.UpdatedParsed != nil {
			fi.Published = it.UpdatedParsed.UTC()
		}
		fi.Content = it.Content
		entries = append(entries, entry{URL: u, Item: fi})
	}
	return entries, nil
}

// parseSitemap parses a sitemap (urlset), Google News sitemap or sitemap index.
// For an index, entries are the child sitemaps (Child set).
func parseSitemap(body []byte, base string) ([]entry, error) {
	if tooDeep(body, maxNesting) {
		return nil, fmt.Errorf("%w: nested deeper than %d levels", ErrBadFeed, maxNesting)
	}
	bu, _ := url.Parse(base)
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charsetReader
	sp := &sitemapParser{base: base, bu: bu}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if sp.root == "" {
				return nil, fmt.Errorf("%w: sitemap: %v", ErrBadFeed, err)
			}
			break // keep what was read before the damage
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := sp.start(strings.ToLower(t.Name.Local)); err != nil {
				return nil, err
			}
		case xml.CharData:
			if sp.text.Len() < maxElementText {
				sp.text.Write(t)
			}
		case xml.EndElement:
			sp.end(strings.ToLower(t.Name.Local))
		}
	}
	if sp.root == "" {
		return nil, fmt.Errorf("%w: sitemap: no root element", ErrBadFeed)
	}
	return sp.out, nil
}

// maxElementText bounds the text kept of one sitemap element.
const maxElementText = 64 << 10

// sitemapParser is parseSitemap's state as it walks the tokens.
type sitemapParser struct {
	base      string
	bu        *url.URL
	out       []entry
	root      string
	inURL     bool // in a <url> of a urlset
	inSitemap bool // in a <sitemap> of a sitemap index
	cur       entry
	item      frontier.FeedItem
	path      []string // open elements
	text      strings.Builder
}

// start opens element name; the first must be urlset or sitemapindex.
func (sp *sitemapParser) start(name string) error {
	if sp.root == "" {
		sp.root = name
		if name != "urlset" && name != "sitemapindex" {
			return fmt.Errorf("%w: sitemap: root element <%s>", ErrBadFeed, name)
		}
	}
	sp.path = append(sp.path, name)
	sp.text.Reset()
	switch name {
	case "url":
		sp.inURL, sp.cur, sp.item = true, entry{}, frontier.FeedItem{FeedURL: sp.base}
	case "sitemap":
		sp.inSitemap, sp.cur = true, entry{Child: true}
	}
	return nil
}

// end closes element name, keeping what its text says of the entry.
func (sp *sitemapParser) end(name string) {
	v := strings.TrimSpace(sp.text.String())
	parent := ""
	if len(sp.path) >= 2 {
		parent = sp.path[len(sp.path)-2]
	}
	switch {
	case name == "loc" && (sp.inURL || sp.inSitemap) && (parent == "url" || parent == "sitemap"):
		sp.cur.URL = resolveRef(sp.bu, v)
	case name == "lastmod" && sp.inURL && sp.item.Published.IsZero():
		sp.item.Published = parseW3CDate(v)
	case name == "publication_date" && sp.inURL:
		if tm := parseW3CDate(v); !tm.IsZero() {
			sp.item.Published = tm
		}
	case name == "title" && sp.inURL:
		sp.item.Title = v
	case name == "language" && sp.inURL:
		sp.item.Language = v
	case name == "url" && sp.inURL:
		sp.inURL = false
		if sp.cur.URL != "" && len(sp.out) < maxEntries {
			it := sp.item
			sp.cur.Item = &it
			sp.out = append(sp.out, sp.cur)
		}
	case name == "sitemap" && sp.inSitemap:
		sp.inSitemap = false
		if sp.cur.URL != "" && len(sp.out) < maxEntries {
			sp.out = append(sp.out, sp.cur)
		}
	}
	if len(sp.path) > 0 {
		sp.path = sp.path[:len(sp.path)-1]
	}
	sp.text.Reset()
}

// parseW3CDate parses the date formats sitemaps use; zero if none fits.
func parseW3CDate(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// pageInfo is what the crawler reads from an HTML page's head.
type pageInfo struct {
	Canonical string   // rel=canonical, normalised, "" if none
	AMP       bool     // the page is an AMP page (<html amp> or <html ⚡>)
	Feeds     []string // rel=alternate feed links, normalised
	OGType    string   // og:type
}

// maxHeadScan bounds how much of a page is tokenised for head links.
const maxHeadScan = 512 << 10

// scanHTML reads the head of an HTML page: canonical link, AMP flag,
// alternate feed links and og:type. It stops at <body> content or after
// maxHeadScan bytes. base is the page's final URL.
func scanHTML(body []byte, base string) pageInfo {
	var pi pageInfo
	bu, _ := url.Parse(base)
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), maxHeadScan)]))
	seenFeed := map[string]bool{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return pi
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		attrs := map[string]string{}
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			key := string(k)
			if _, dup := attrs[key]; !dup {
				attrs[key] = string(v)
			}
		}
		switch string(name) {
		case "html":
			if _, ok := attrs["amp"]; ok {
				pi.AMP = true
			}
			if _, ok := attrs["⚡"]; ok {
				pi.AMP = true
			}
		case "base":
			if h := attrs["href"]; h != "" && bu != nil {
				if r, err := url.Parse(strings.TrimSpace(h)); err == nil {
					bu = bu.ResolveReference(r)
				}
			}
		case "link":
			rels := strings.Fields(strings.ToLower(attrs["rel"]))
			for _, rel := range rels {
				switch rel {
				case "canonical":
					if pi.Canonical == "" {
						pi.Canonical = resolveRef(bu, attrs["href"])
					}
				case "alternate":
					if isFeedType(attrs["type"]) {
						if u := resolveRef(bu, attrs["href"]); u != "" && !seenFeed[u] {
							seenFeed[u] = true
							pi.Feeds = append(pi.Feeds, u)
						}
					}
				}
			}
		case "meta":
			if strings.EqualFold(attrs["property"], "og:type") {
				pi.OGType = strings.ToLower(strings.TrimSpace(attrs["content"]))
			}
		case "body", "article", "main", "p":
			return pi
		}
	}
}

// isFeedType reports whether a <link type> names a feed format.
func isFeedType(t string) bool {
	mt, _, err := mime.ParseMediaType(strings.TrimSpace(t))
	if err != nil {
		return false
	}
	switch mt {
	case "application/rss+xml", "application/atom+xml", "application/feed+json",
		"application/json", "application/rdf+xml", "application/x-rss+xml", "text/xml", "application/xml":
		return true
	}
	return false
}

// wellKnownFeedPaths are tried, in order, on a home page without feed links.
var wellKnownFeedPaths = []string{
	"/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/feed.json", "/index.xml",
	"/news-sitemap.xml", "/sitemap_news.xml", "/sitemap.xml",
}

// maxNesting is the deepest element or JSON nesting a feed or sitemap may
// have; real ones stay under twenty. Parsers spend heap on every open level
// (a 2-million-deep document cost 25 bytes per byte), so deeper bodies are
// refused before parsing.
const maxNesting = 256

// tooDeep reports whether an XML or JSON body nests deeper than max. It is a
// byte scan, not a parser: XML comments, CDATA and processing instructions
// are skipped, JSON strings are skipped; anything it misjudges is left to
// the parser.
func tooDeep(body []byte, max int) bool {
	i := 0
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n') {
		i++
	}
	depth := 0
	if i < len(body) && (body[i] == '{' || body[i] == '[') {
		inString := false
		for ; i < len(body); i++ {
			c := body[i]
			switch {
			case inString:
				if c == '\\' {
					i++
				} else if c == '"' {
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				if depth++; depth > max {
					return true
				}
			case c == '}' || c == ']':
				depth--
			}
		}
		return false
	}
	for i < len(body) {
		j := bytes.IndexByte(body[i:], '<')
		if j < 0 {
			return false
		}
		i += j
		rest := body[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(rest, []byte("-->"))
			if k < 0 {
				return false
			}
			i += k + 3
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			k := bytes.Index(rest, []byte("]]>"))
			if k < 0 {
				return false
			}
			i += k + 3
			continue
		case len(rest) > 1 && (rest[1] == '?' || rest[1] == '!'):
			i += 2
			continue
		case len(rest) > 1 && rest[1] == '/':
			depth--
			i += 2
			continue
		}
		k := bytes.IndexByte(rest, '>')
		if k < 0 {
			return false
		}
		if rest[k-1] != '/' {
			if depth++; depth > max {
				return true
			}
		}
		i += k + 1
	}
	return false
}
