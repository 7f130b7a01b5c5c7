package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// reqLog is the server side log of a test server.
type reqLog struct {
	mu   sync.Mutex
	reqs []loggedReq
	hits map[string]int
}

type loggedReq struct {
	Path string
	At   time.Time
	UA   string
}

func (l *reqLog) add(r *http.Request) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hits == nil {
		l.hits = map[string]int{}
	}
	p := r.URL.RequestURI()
	l.reqs = append(l.reqs, loggedReq{Path: p, At: time.Now(), UA: r.UserAgent()})
	l.hits[p]++
	return l.hits[p]
}

func (l *reqLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits[path]
}

func (l *reqLog) all() []loggedReq {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loggedReq(nil), l.reqs...)
}

func (l *reqLog) times(path string) []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Time
	for _, r := range l.reqs {
		if r.Path == path {
			out = append(out, r.At)
		}
	}
	return out
}

func articleHTML(title, canonical string, amp bool) string {
	htmlAttr := ""
	if amp {
		htmlAttr = " amp"
	}
	canon := ""
	if canonical != "" {
		canon = fmt.Sprintf(`<link rel="canonical" href="%s">`, canonical)
	}
	return fmt.Sprintf(`<!doctype html><html%s><head><meta charset="utf-8"><title>%s</title>%s
<meta property="og:type" content="article"></head><body><article><h1>%s</h1><p>Body of %s.</p></article></body></html>`,
		htmlAttr, title, canon, title, title)
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return b.Bytes()
}

// fixtureServer serves every fixture route of the crawler tests.
func fixtureServer(t *testing.T) (*httptest.Server, *reqLog) {
	t.Helper()
	lg := &reqLog{}
	mux := http.NewServeMux()
	var srv *httptest.Server
	base := func() string { return srv.URL }

	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.05\n\nUser-agent: badbot\nDisallow: /\n\nSitemap: %s/sitemap-index.xml\n", base())
	})
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		const etag = `"rss-v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		now := time.Now().UTC().Format(time.RFC1123Z)
		items := []string{"/a/1?utm_source=rss&utm_medium=x", "/a/2", "/private/secret", "/a/1#comments",
			"/a/3/amp", "/a/3", "/notfound", "/gone", "/flaky", "/error500", "/big", "/pdf", "/loop1", "/A/4?b=2&a=1&fbclid=zz", "/a/4?a=1&b=2"}
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Fixture</title><link>`+base()+`/</link>`)
		for i, it := range items {
			fmt.Fprintf(w, `<item><title>Item %d</title><link>%s%s</link><dc:creator>Reporter %d</dc:creator><pubDate>%s</pubDate><content:encoded><![CDATA[<p>Full text %d</p>]]></content:encoded></item>`, i, base(), strings.ReplaceAll(it, "&", "&amp;"), i, now, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	mux.HandleFunc("/atom.xml", func(w http.ResponseWriter, r *http.Request) {
		const lm = "Mon, 02 Jan 2006 15:04:05 GMT"
		if r.Header.Get("If-Modified-Since") == lm {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lm)
		w.Header().Set("Content-Type", "application/atom+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>B1</title><link href="%[1]s/b/1"/><id>b1</id><updated>2026-01-01T00:00:00Z</updated><author><name>Ann</name></author></entry>
<entry><title>B2</title><link href="/b/2"/><id>b2</id><updated>2026-01-01T00:00:00Z</updated></entry></feed>`, base())
	})
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		fmt.Fprintf(w, `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"%s/c/1","title":"C1","content_html":"<p>c</p>"}]}`, base())
	})
	mux.HandleFunc("/sitemap-index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%[1]s/sitemap-news.xml</loc></sitemap><sitemap><loc>%[1]s/sitemap.xml.gz</loc></sitemap><sitemap><loc>%[1]s/missing.xml.gz</loc></sitemap></sitemapindex>`, base())
	})
	mux.HandleFunc("/sitemap-news.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>%s/d/1</loc><news:news><news:publication><news:name>Fx</news:name><news:language>en</news:language></news:publication><news:publication_date>2026-11-20T10:00:00Z</news:publication_date><news:title>D one</news:title></news:news></url></urlset>`, base())
	})
	mux.HandleFunc("/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(gz(fmt.Sprintf(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%[1]s/e/1</loc><lastmod>2026-11-01</lastmod></url><url><loc>%[1]s/e/2</loc></url></urlset>`, base())))
	})
	mux.HandleFunc("/missing.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><body>not here</body></html>")
	})
	mux.HandleFunc("/notfound", http.NotFound)
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if lg.count("/flaky") <= 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, articleHTML("Flaky", "", false))
	})
	mux.HandleFunc("/error500", func(w http.ResponseWriter, r *http.Request) {
		if lg.count("/error500") <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, articleHTML("Error500", "", false))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := bytes.Repeat([]byte("<p>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</p>\n"), 1000)
		for range 10 { // ~440 KB, over the tests' 64 KiB limit, no Content-Length
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4 not html")
	})
	mux.HandleFunc("/loop1", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop1", http.StatusFound) })
	mux.HandleFunc("/private/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, articleHTML("Secret", "", false))
	})
	mux.HandleFunc("/a/3/amp", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, articleHTML("A3 amp", base()+"/a/3", true))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head><title>Home</title><link rel="alternate" type="application/rss+xml" href="/rss.xml"><link rel="alternate" type="application/atom+xml" href="%s/atom.xml"></head><body><p>home</p></body></html>`, base())
		case strings.HasPrefix(r.URL.Path, "/a/") || strings.HasPrefix(r.URL.Path, "/b/") || strings.HasPrefix(r.URL.Path, "/c/") ||
			strings.HasPrefix(r.URL.Path, "/d/") || strings.HasPrefix(r.URL.Path, "/e/") || strings.HasPrefix(r.URL.Path, "/A/"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			canon := base() + strings.ToLower(r.URL.Path)
			// Gzip the article bodies when asked, to exercise decoding.
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(gz(articleHTML("Article "+r.URL.Path, canon, false)))
				return
			}
			fmt.Fprint(w, articleHTML("Article "+r.URL.Path, canon, false))
		default:
			http.NotFound(w, r)
		}
	})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg.add(r)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, lg
}

// testConfig is a fast configuration for loopback tests.
func testConfig() Config {
	return Config{
		UserAgent:            "wirecrawl-test/1.0 (+https://example.invalid/contact)",
		Workers:              4,
		Delay:                20 * time.Millisecond,
		MaxBodyBytes:         64 << 10,
		Timeout:              5 * time.Second,
		ConnectTimeout:       2 * time.Second,
		RetryBackoff:         20 * time.Millisecond,
		MaxRetries:           3,
		AllowPrivateNetworks: true,
		LeaseTTL:             30 * time.Second,
	}
}

// recorder is a Handler that counts calls per URL.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
	items map[string]*frontier.FeedItem
	body  map[string][]byte
}

func newRecorder() *recorder {
	return &recorder{calls: map[string]int{}, items: map[string]*frontier.FeedItem{}, body: map[string][]byte{}}
}

func (r *recorder) handle(ctx context.Context, f Fetched) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[f.URL]++
	r.items[f.URL] = f.Item
	r.body[f.URL] = f.Body
	return nil
}

func (r *recorder) urls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for u := range r.calls {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("CRAWLER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

func TestCrawlFixtures(t *testing.T) {
	srv, lg := fixtureServer(t)
	st := frontier.NewMemoryState()
	c, err := New(testConfig(), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := newRecorder()
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	seeds := []string{srv.URL + "/", srv.URL + "/feed.json", srv.URL + "/sitemap-index.xml"}
	sum, err := c.Crawl(ctx, seeds, false, rec.handle)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	t.Logf("summary: %+v", sum)

	want := []string{"/a/1", "/a/2", "/a/3", "/b/1", "/b/2", "/c/1", "/d/1", "/e/1", "/e/2", "/error500", "/flaky"}
	var wantURLs []string
	for _, w := range want {
		wantURLs = append(wantURLs, srv.URL+w)
	}
	sort.Strings(wantURLs)
	var got []string
	for _, u := range rec.urls() {
		if !strings.Contains(strings.ToLower(u), "/a/4") {
			got = append(got, u)
		}
	}
	if strings.Join(got, "\n") != strings.Join(wantURLs, "\n") {
		t.Errorf("handled URLs:\n got %v\nwant %v", got, wantURLs)
	}
	for u, n := range rec.calls {
		if n != 1 {
			t.Errorf("%s handled %d times", u, n)
		}
	}
	// Feed metadata reaches the handler.
	if it := rec.items[srv.URL+"/a/2"]; it == nil || it.Title != "Item 1" || it.Author != "Reporter 1" || !strings.Contains(it.Content, "Full text 1") || it.Published.IsZero() {
		t.Errorf("feed item for /a/2 = %+v", it)
	}
	if it := rec.items[srv.URL+"/d/1"]; it == nil || it.Title != "D one" || it.Language != "en" {
		t.Errorf("news sitemap item for /d/1 = %+v", it)
	}
	if it := rec.items[srv.URL+"/b/1"]; it == nil || it.Author != "Ann" {
		t.Errorf("atom item for /b/1 = %+v", it)
	}
	// Gzip content-encoding is decoded.
	if b := rec.body[srv.URL+"/a/2"]; !bytes.Contains(b, []byte("Body of Article /a/2")) {
		t.Errorf("body of /a/2 not decoded: %q", b)
	}
	// Robots: nothing disallowed fetched.
	if n := lg.count("/private/secret"); n != 0 {
		t.Errorf("/private/secret fetched %d times despite Disallow", n)
	}
	// Permanent failures are fetched once and recorded.
	for path, class := range map[string]string{"/notfound": frontier.ClassHTTP4xx, "/gone": frontier.ClassHTTP4xx, "/pdf": frontier.ClassNotHTML, "/big": frontier.ClassTooLarge} {
		if n := lg.count(path); n != 1 {
			t.Errorf("%s fetched %d times, want 1", path, n)
		}
		if s, cl := st.JobStatus(srv.URL + path); s != "failed" || cl != class {
			t.Errorf("%s: state %q class %q, want failed %q", path, s, cl, class)
		}
	}
	if s, cl := st.JobStatus(srv.URL + "/loop1"); s != "failed" || cl != frontier.ClassRedirectLoop {
		t.Errorf("/loop1: state %q class %q, want failed redirect_loop", s, cl)
	}
	if s, cl := st.JobStatus(srv.URL + "/private/secret"); s != "failed" || cl != frontier.ClassRobots {
		t.Errorf("/private/secret: state %q class %q", s, cl)
	}
	// A gzipped sitemap answering 404 is a 404, not a parse error.
	if s, cl := st.JobStatus(srv.URL + "/missing.xml.gz"); s != "failed" || cl != frontier.ClassHTTP4xx {
		t.Errorf("/missing.xml.gz: state %q class %q", s, cl)
	}
	// URL variants: /a/1 was listed three ways, /A/4 two ways, /a/3 also as AMP.
	if n := lg.count("/a/1"); n != 1 {
		t.Errorf("/a/1 fetched %d times", n)
	}
	if n := lg.count("/a/3"); n != 1 {
		t.Errorf("/a/3 fetched %d times", n)
	}
	// /A/4 and /a/4 differ (paths are case-sensitive) but the page's
	// rel=canonical maps them together: handled once.
	if n := rec.calls[srv.URL+"/A/4?a=1&b=2"] + rec.calls[srv.URL+"/a/4?a=1&b=2"]; n != 1 {
		t.Errorf("/a/4 variants handled %d times", n)
	}
	if n := lg.count("/A/4?a=1&b=2&fbclid=zz") + lg.count("/A/4?b=2&a=1&fbclid=zz"); n != 0 {
		t.Errorf("tracking parameters not stripped")
	}
	// Retry-After honoured (server-side timestamps).
	ft := lg.times("/flaky")
	if len(ft) != 2 || ft[1].Sub(ft[0]) < time.Second {
		t.Errorf("/flaky requests at %v: want 2, >= 1s apart", ft)
	}
	if n := lg.count("/error500"); n != 3 {
		t.Errorf("/error500 fetched %d times, want 3 (two 500s then 200)", n)
	}
	// Per-host delay: robots Crawl-delay 0.05 s between any two requests.
	reqs := lg.all()
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < 50*time.Millisecond-time.Millisecond {
			t.Errorf("requests %s and %s only %v apart", reqs[i-1].Path, reqs[i].Path, gap)
		}
		if !strings.HasPrefix(reqs[i].UA, "wirecrawl-test/1.0") {
			t.Errorf("User-Agent %q", reqs[i].UA)
		}
	}
	if sum.ErrorsByClass[frontier.ClassRobots] != 1 || sum.ErrorsByClass[frontier.ClassHTTP5xx] < 3 || sum.PagesStored != len(want)+1 {
		t.Errorf("summary counts: %+v", sum)
	}
	if sum.Left != 0 {
		t.Errorf("left %d jobs pending", sum.Left)
	}

	// Second run, not forced: nothing is due.
	before := len(lg.all())
	sum2, err := c.Crawl(ctx, seeds, false, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.FeedsPolled != 0 || len(lg.all()) != before {
		t.Errorf("unforced second run polled %d feeds, %d requests", sum2.FeedsPolled, len(lg.all())-before)
	}
	// Forced: feeds answer 304, no article is fetched again.
	sum3, err := c.Crawl(ctx, seeds, true, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("forced rerun: %+v", sum3)
	if sum3.NotModified < 2 || sum3.PagesFetched != 0 || sum3.PagesStored != 0 {
		t.Errorf("forced rerun: %+v, want >= 2 not-modified and no pages", sum3)
	}
	if n := lg.count("/a/2"); n != 1 {
		t.Errorf("/a/2 fetched %d times over three runs", n)
	}
}
