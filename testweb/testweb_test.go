package testweb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// startWeb starts a web for a test and stops it at the end.
func startWeb(t *testing.T, opts Options) *Web {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

// get fetches a URL, decoding the charset the way a browser would (header,
// then <meta>), and returns status, header and the decoded body.
func get(t *testing.T, c *http.Client, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", u, err)
	}
	ct := resp.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "text/html") {
		r, err := charset.NewReader(bytes.NewReader(raw), ct)
		if err != nil {
			t.Fatalf("GET %s: charset: %v", u, err)
		}
		dec, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("GET %s: decode: %v", u, err)
		}
		return resp.StatusCode, resp.Header, string(dec)
	}
	return resp.StatusCode, resp.Header, string(raw)
}

// textNodes returns the trimmed text of every text node of a document,
// and the JSON-LD and og:url found in it.
func textNodes(t *testing.T, doc string) (texts map[string]bool, ld map[string]any, ogURL string) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	texts = map[string]bool{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			if s := strings.TrimSpace(n.Data); s != "" {
				texts[s] = true
			}
		case n.Type == html.ElementNode && n.Data == "script":
			for _, a := range n.Attr {
				if a.Key == "type" && a.Val == "application/ld+json" && n.FirstChild != nil {
					_ = json.Unmarshal([]byte(n.FirstChild.Data), &ld)
				}
			}
			return
		case n.Type == html.ElementNode && n.Data == "meta":
			var prop, content string
			for _, a := range n.Attr {
				switch a.Key {
				case "property":
					prop = a.Val
				case "content":
					content = a.Val
				}
			}
			if prop == "og:url" {
				ogURL = content
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return texts, ld, ogURL
}

// TestTruthMatchesServedPages fetches every labelled URL and checks that it
// answers 200 with HTML whose text holds the truth's title, byline and every
// body paragraph, and whose metadata names the page.
func TestTruthMatchesServedPages(t *testing.T) {
	w := startWeb(t, Options{Seed: 11})
	truth := w.Truth()
	if len(truth) < 500 {
		t.Fatalf("only %d pages with default options", len(truth))
	}
	c := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	charsets := map[string]int{}
	for _, p := range truth {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			status, hdr, body := get(t, c, p.URL)
			if status != 200 {
				t.Errorf("%s: status %d", p.URL, status)
				return
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s: Content-Type %q", p.URL, ct)
			}
			texts, ld, og := textNodes(t, body)
			for i, para := range strings.Split(p.Body, "\n\n") {
				if !texts[para] {
					t.Errorf("%s: body paragraph %d not served as one text node: %q", p.URL, i, para)
				}
			}
			if !texts[p.Title] || !texts[p.Byline] {
				t.Errorf("%s: title %q or byline %q not on the page", p.URL, p.Title, p.Byline)
			}
			if og != p.URL || ld["headline"] != p.Title || ld["inLanguage"] != p.Lang {
				t.Errorf("%s: og:url %q, JSON-LD headline %q lang %q; want %q, %q, %q", p.URL, og, ld["headline"], ld["inLanguage"], p.URL, p.Title, p.Lang)
			}
			mu.Lock()
			charsets[p.Charset]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, cs := range []string{"utf-8", "windows-1252", "iso-8859-1"} {
		if charsets[cs] == 0 {
			t.Errorf("no page served in %s", cs)
		}
	}
}

// TestFeedsAndSitemapsListOnlyServedURLs reads every feed and sitemap as a
// crawler would and checks that each listed URL is a labelled article (or
// redirects to one), and that the sitemaps list every allowed article.
func TestFeedsAndSitemapsListOnlyServedURLs(t *testing.T) {
	w := startWeb(t, Options{Seed: 12, Outlets: 6, Stories: 150})
	c := &http.Client{Timeout: 10 * time.Second}
	fp := gofeed.NewParser()
	formats := map[string]int{}
	inSitemap := map[string]bool{}
	newsSitemaps := 0
	for _, o := range w.Outlets() {
		// autodiscovery: the home page links every feed
		_, _, home := get(t, c, o.Home)
		for _, f := range o.Feeds {
			if !strings.Contains(home, `href="`+f.URL+`"`) {
				t.Errorf("%s: home page lacks the autodiscovery link to %s", o.Name, f.URL)
			}
			status, _, body := get(t, c, f.URL)
			if status != 200 {
				t.Fatalf("%s: status %d", f.URL, status)
			}
			feed, err := fp.ParseString(body)
			if err != nil {
				t.Fatalf("%s: parse: %v", f.URL, err)
			}
			formats[f.Format+"/"+feed.FeedType]++
			if len(feed.Items) == 0 {
				t.Errorf("%s: no items", f.URL)
			}
			for _, it := range feed.Items {
				p, ok := w.TruthFor(it.Link)
				if !ok {
					t.Errorf("%s: item link %s is no labelled article", f.URL, it.Link)
					continue
				}
				if it.Title != p.Title {
					t.Errorf("%s: item title %q, truth %q", f.URL, it.Title, p.Title)
				}
				if strings.Contains(it.Link, "/go/") {
					resp, err := c.Get(it.Link)
					if err != nil {
						t.Fatalf("GET %s: %v", it.Link, err)
					}
					resp.Body.Close()
					if resp.Request.URL.String() != p.URL || resp.StatusCode != 200 {
						t.Errorf("%s redirects to %s (%d), want %s", it.Link, resp.Request.URL, resp.StatusCode, p.URL)
					}
				}
			}
		}
		// sitemaps, found through robots.txt as a crawler would
		_, _, robots := get(t, c, o.Robots)
		if !strings.Contains(robots, "Disallow: /private/") {
			t.Errorf("%s: robots.txt lacks Disallow: /private/", o.Name)
		}
		var queue []string
		for _, line := range strings.Split(robots, "\n") {
			if u, ok := strings.CutPrefix(line, "Sitemap: "); ok {
				queue = append(queue, strings.TrimSpace(u))
			}
		}
		if len(queue) != len(o.Sitemaps) {
			t.Errorf("%s: robots.txt names %d sitemaps, Outlet.Sitemaps %d", o.Name, len(queue), len(o.Sitemaps))
		}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			status, _, body := get(t, c, u)
			if status != 200 {
				t.Fatalf("%s: status %d", u, status)
			}
			if strings.HasSuffix(u, ".gz") {
				zr, err := gzip.NewReader(strings.NewReader(body))
				if err != nil {
					t.Fatalf("%s: not gzip: %v", u, err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("%s: gunzip: %v", u, err)
				}
				body = string(b)
			}
			var sm struct {
				XMLName xml.Name
				Sitemap []struct {
					Loc string `xml:"loc"`
				} `xml:"sitemap"`
				URL []struct {
					Loc  string `xml:"loc"`
					News *struct {
						Title string `xml:"title"`
					} `xml:"news"`
				} `xml:"url"`
			}
			if err := xml.Unmarshal([]byte(body), &sm); err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			for _, s := range sm.Sitemap {
				queue = append(queue, s.Loc)
			}
			for _, x := range sm.URL {
				p, ok := w.TruthFor(x.Loc)
				if !ok || p.URL != x.Loc {
					t.Errorf("%s lists %s, which is not a labelled article URL", u, x.Loc)
					continue
				}
				if p.Disallowed {
					t.Errorf("%s lists the disallowed %s", u, x.Loc)
				}
				if x.News != nil {
					newsSitemaps++
					if x.News.Title != p.Title {
						t.Errorf("%s: news title %q, truth %q", u, x.News.Title, p.Title)
					}
				}
				inSitemap[x.Loc] = true
			}
		}
	}
	for _, p := range w.Truth() {
		if !p.Disallowed && !inSitemap[p.URL] {
			t.Errorf("%s is in no sitemap", p.URL)
		}
	}
	for _, f := range []string{"rss/rss", "atom/atom", "json/json"} {
		if formats[f] == 0 {
			t.Errorf("no feed parsed as %s (got %v)", f, formats)
		}
	}
	if newsSitemaps == 0 {
		t.Error("no Google News sitemap entries")
	}
}

var datelineRE = regexp.MustCompile(`^[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,2},? (?:\([A-Z]+\) )?(?:—|-) `)

// splitDateline separates an inline dateline from the first paragraph.
func splitDateline(p string) (string, string) {
	if m := datelineRE.FindString(p); m != "" {
		return m, p[len(m):]
	}
	return "", p
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func jaccard(a, b string) float64 {
	x, y := wordSet(a), wordSet(b)
	inter := 0
	for w := range x {
		if y[w] {
			inter++
		}
	}
	if u := len(x) + len(y) - inter; u > 0 {
		return float64(inter) / float64(u)
	}
	return 1
}

// withoutRefs drops the reference paragraphs (Page.References) from paras.
func withoutRefs(paras, refs []string) []string {
	var out []string
	for _, p := range paras {
		if !slices.Contains(refs, p) {
			out = append(out, p)
		}
	}
	return out
}

// diffCopy derives the edits that turn src into c, independently of the
// generator: it returns the edit names it can see, or an error when the
// difference is not explained by any edit.
func diffCopy(src, c Page) ([]string, error) {
	var edits []string
	has := map[string]bool{}
	for _, e := range c.Edits {
		has[e] = true
	}
	sTitle, sByline, sBody := src.Title, src.Byline, src.Body
	if has[EditCharsetFold] {
		cm := charmap.ISO8859_1
		if c.Charset == "windows-1252" {
			cm = charmap.Windows1252
		} else if c.Charset != "iso-8859-1" {
			return nil, fmt.Errorf("charset_fold on a %s page", c.Charset)
		}
		sTitle, sByline, sBody = foldFor(cm, sTitle), foldFor(cm, sByline), foldFor(cm, sBody)
	}
	if c.Title != sTitle {
		edits = append(edits, EditHeadline)
	}
	if c.Byline != sByline {
		edits = append(edits, EditByline)
	}
	sp := withoutRefs(strings.Split(sBody, "\n\n"), src.References)
	cp := withoutRefs(strings.Split(c.Body, "\n\n"), c.References)
	// editor's note: first or last paragraph, not in the source
	note := false
	if len(cp) > 0 && strings.HasPrefix(cp[0], "Editor's note:") {
		cp, note = cp[1:], true
	} else if n := len(cp); n > 0 && strings.HasPrefix(cp[n-1], "Editor's note:") {
		cp, note = cp[:n-1], true
	}
	sdl, s0 := splitDateline(sp[0])
	cdl, c0 := splitDateline(cp[0])
	sp[0], cp[0] = s0, c0
	if sdl != cdl {
		edits = append(edits, EditDateline)
	}
	// a local paragraph shares almost no words with any source paragraph
	local := -1
	for i, p := range cp {
		best := 0.0
		for _, q := range sp {
			best = max(best, jaccard(p, q))
		}
		if best < 0.5 {
			if local >= 0 {
				return nil, fmt.Errorf("two unexplained paragraphs: %q and %q", cp[local], p)
			}
			local = i
		}
	}
	if local >= 0 {
		cp = append(cp[:local:local], cp[local+1:]...)
	}
	if len(cp) > len(sp) {
		return nil, fmt.Errorf("copy has %d aligned paragraphs, source %d", len(cp), len(sp))
	}
	if len(cp) < len(sp) {
		edits = append(edits, EditTrimEnd)
	}
	changed := 0
	for i := range cp {
		if cp[i] != sp[i] {
			if jaccard(cp[i], sp[i]) < 0.6 {
				return nil, fmt.Errorf("paragraph %d rewritten beyond small wording changes: %q vs %q", i, cp[i], sp[i])
			}
			changed++
		}
	}
	if changed > 2 {
		return nil, fmt.Errorf("%d paragraphs reworded, want at most 2", changed)
	}
	if changed > 0 {
		edits = append(edits, EditWording)
	}
	if local >= 0 {
		edits = append(edits, EditLocalParagraph)
	}
	if note {
		edits = append(edits, EditEditorNote)
	}
	if has[EditCharsetFold] {
		edits = append(edits, EditCharsetFold)
	}
	rank := map[string]int{}
	for i, e := range editOrder {
		rank[e] = i
	}
	sort.SliceStable(edits, func(i, j int) bool { return rank[edits[i]] < rank[edits[j]] })
	return edits, nil
}

// TestCopiesDifferInExactlyTheListedEdits compares every syndicated copy with
// the version it was made from.
func TestCopiesDifferInExactlyTheListedEdits(t *testing.T) {
	w, err := Generate(Options{Seed: 13, Outlets: 8})
	if err != nil {
		t.Fatal(err)
	}
	truth := w.Truth()
	byURL := map[string]Page{}
	for _, p := range truth {
		byURL[p.URL] = p
	}
	seen := map[string]int{}
	copies := 0
	for _, p := range truth {
		if p.Kind != KindCopy {
			continue
		}
		copies++
		src, ok := byURL[p.Of]
		if !ok {
			t.Fatalf("%s: Of %q is no page", p.URL, p.Of)
		}
		if src.StoryID != p.StoryID || (src.Kind != KindOriginal && src.Kind != KindUpdate && src.Kind != KindFollowup) {
			t.Errorf("%s: made from a %s of story %s", p.URL, src.Kind, src.StoryID)
		}
		if !p.Published.After(src.Published) {
			t.Errorf("%s: published %v, not after its source %v", p.URL, p.Published, src.Published)
		}
		got, err := diffCopy(src, p)
		if err != nil {
			t.Errorf("%s (edits %v): %v", p.URL, p.Edits, err)
			continue
		}
		if strings.Join(got, ",") != strings.Join(p.Edits, ",") {
			t.Errorf("%s: listed edits %v, observed %v", p.URL, p.Edits, got)
		}
		for _, e := range got {
			seen[e]++
		}
		if len(got) == 0 {
			seen["none"]++
		}
	}
	t.Logf("%d copies; edits seen: %v", copies, seen)
	for _, e := range []string{EditHeadline, EditByline, EditTrimEnd, EditWording, EditDateline, EditLocalParagraph, EditEditorNote, EditCharsetFold} {
		if seen[e] == 0 {
			t.Errorf("no copy shows the edit %q", e)
		}
	}
}

// TestStoryKinds checks updates, follow-ups, staff stories and disallowed pages.
func TestStoryKinds(t *testing.T) {
	w, err := Generate(Options{Seed: 14})
	if err != nil {
		t.Fatal(err)
	}
	truth := w.Truth()
	byURL := map[string]Page{}
	byStory := map[string][]Page{}
	for _, p := range truth {
		byURL[p.URL] = p
		byStory[p.StoryID] = append(byStory[p.StoryID], p)
	}
	kinds := map[string]int{}
	langs := map[string]int{}
	for _, p := range truth {
		kinds[p.Kind]++
		langs[p.Lang]++
		if p.Disallowed != strings.Contains(p.URL, "/private/") {
			t.Errorf("%s: Disallowed %v", p.URL, p.Disallowed)
		}
		switch p.Kind {
		case KindUpdate:
			src := byURL[p.Of]
			sp, up := withoutRefs(strings.Split(src.Body, "\n\n"), src.References), withoutRefs(strings.Split(p.Body, "\n\n"), p.References)
			k := len(up) - len(sp)
			if src.Kind != KindOriginal || k < 1 || k > 2 || up[0] != sp[0] || strings.Join(up[1+k:], "\n\n") != strings.Join(sp[1:], "\n\n") {
				t.Errorf("%s: not its original with 1-2 paragraphs added after the lead", p.URL)
			}
			if p.Title == src.Title || !p.Published.After(src.Published) {
				t.Errorf("%s: update keeps the headline or predates its original", p.URL)
			}
		case KindFollowup:
			rel := byStory[p.Related]
			if p.Related == "" || p.Related == p.StoryID || len(rel) == 0 {
				t.Fatalf("%s: follow-up of %q", p.URL, p.Related)
			}
			var orig Page
			for _, q := range rel {
				if q.Kind == KindOriginal {
					orig = q
				}
			}
			op := withoutRefs(strings.Split(orig.Body, "\n\n"), orig.References)
			fp := withoutRefs(strings.Split(p.Body, "\n\n"), p.References)
			if fp[len(fp)-1] != op[len(op)-1] {
				t.Errorf("%s: does not repeat the background paragraph of %s", p.URL, orig.URL)
			}
			if !slices.Contains(fp[1:len(fp)-1], "Earlier this week: "+orig.Title) {
				t.Errorf("%s: no \"Earlier this week\" line naming %q", p.URL, orig.Title)
			}
			if p.Body == orig.Body || jaccard(p.Body, orig.Body) > 0.6 {
				t.Errorf("%s: follow-up too close to %s (jaccard %.2f)", p.URL, orig.URL, jaccard(p.Body, orig.Body))
			}
		case KindStaff:
			if len(byStory[p.StoryID]) != 1 {
				t.Errorf("%s: staff story %s on %d pages", p.URL, p.StoryID, len(byStory[p.StoryID]))
			}
		}
	}
	for _, k := range []string{KindOriginal, KindCopy, KindUpdate, KindFollowup, KindStaff} {
		if kinds[k] == 0 {
			t.Errorf("no page of kind %s", k)
		}
	}
	if langs["en"] == 0 || len(langs) < 2 {
		t.Errorf("languages %v: want English and at least one other", langs)
	}
	// different stories never share their whole opening paragraph
	first := map[string]string{}
	for _, p := range truth {
		if p.Kind == KindCopy || p.Kind == KindUpdate {
			continue
		}
		_, lead := splitDateline(strings.Split(p.Body, "\n\n")[0])
		if other, ok := first[lead]; ok && other != p.StoryID {
			t.Errorf("stories %s and %s open with the same paragraph %q", other, p.StoryID, lead)
		}
		first[lead] = p.StoryID
	}
}

// TestDeterministic: the same seed gives the same truth and the same bytes;
// another seed gives another web.
func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 15, Outlets: 5, Stories: 120, Faults: true, SlowDelay: 5 * time.Millisecond}
	a, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := a.Truth(), b.Truth()
	if fmt.Sprint(ta) != fmt.Sprint(tb) {
		t.Fatal("same seed, different truth")
	}
	paths := []string{"/", "/robots.txt", "/archive/1"}
	for _, p := range ta[:40] {
		paths = append(paths, strings.TrimPrefix(p.URL, "http://outlet0.test"))
	}
	for oi := range a.Outlets() {
		for _, f := range a.Outlets()[oi].Feeds {
			paths = append(paths, strings.TrimPrefix(f.URL, a.Outlets()[oi].BaseURL))
		}
		for _, path := range paths {
			if strings.HasPrefix(path, "http") {
				continue
			}
			ra, rb := httptest.NewRecorder(), httptest.NewRecorder()
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			a.Handler(oi).ServeHTTP(ra, req)
			req2 := httptest.NewRequest("GET", path, nil)
			req2.Header.Set("Accept-Encoding", "gzip")
			b.Handler(oi).ServeHTTP(rb, req2)
			if ra.Code != rb.Code || !bytes.Equal(ra.Body.Bytes(), rb.Body.Bytes()) || ra.Header().Get("ETag") != rb.Header().Get("ETag") {
				t.Errorf("outlet %d %s: bytes differ between two webs of one seed", oi, path)
			}
		}
	}
	c, err := Generate(Options{Seed: 16, Outlets: 5, Stories: 120})
	if err != nil {
		t.Fatal(err)
	}
	if tc := c.Truth(); len(tc) > 0 && tc[0].Body == ta[0].Body {
		t.Error("another seed gives the same first page")
	}
}

// TestRobotsConditionalGzip checks robots.txt, 304 answers and gzip.
func TestRobotsConditionalGzip(t *testing.T) {
	w := startWeb(t, Options{Seed: 17, Stories: 60, CrawlDelay: 1500 * time.Millisecond})
	o := w.Outlets()
	tr := &http.Transport{DisableCompression: true}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	_, _, robots := get(t, c, o[0].Robots)
	for _, want := range []string{"User-agent: *", "Disallow: /private/", "Crawl-delay: 1.5", "Sitemap: " + o[0].Sitemaps[0]} {
		if !strings.Contains(robots, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, robots)
		}
	}
	if _, _, r1 := get(t, c, o[1].Robots); strings.Contains(r1, "User-agent: *\nDisallow: /private/\nDisallow: /search\nAllow: /\nCrawl-delay") {
		t.Errorf("outlet 1 announces a Crawl-delay for every agent; only even outlets should")
	}
	page := w.Truth()[0].URL
	for _, u := range []string{page, o[0].Feeds[0].URL, o[0].Home} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || lm == "" {
			t.Fatalf("%s: ETag %q, Last-Modified %q", u, etag, lm)
		}
		for _, h := range [][2]string{{"If-None-Match", etag}, {"If-Modified-Since", lm}} {
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set(h[0], h[1])
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified || n != 0 {
				t.Errorf("%s with %s: status %d, %d bytes; want 304 and no body", u, h[0], resp.StatusCode, n)
			}
		}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("If-None-Match", `"stale"`)
		if resp, err := c.Do(req); err != nil || resp.StatusCode != 200 {
			t.Errorf("%s with a stale ETag: %v %v", u, err, resp)
		} else {
			resp.Body.Close()
		}
		req, _ = http.NewRequest("GET", u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == etag {
			t.Errorf("%s: Content-Encoding %q, ETag %q (identity %q)", u, resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"), etag)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		unz, err := io.ReadAll(zr)
		resp.Body.Close()
		if err != nil || !bytes.Equal(unz, plain) {
			t.Errorf("%s: gzip body differs from the identity body (%v)", u, err)
		}
	}
	// the robots.txt rule does what it says: pages under /private/ exist and are labelled
	dis := 0
	for _, p := range w.Truth() {
		if p.Disallowed {
			dis++
		}
	}
	if dis == 0 {
		t.Error("no disallowed page in the truth")
	}
}
