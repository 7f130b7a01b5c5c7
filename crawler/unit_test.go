package crawler

import (
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/wirecrawl/wirecrawl/frontier"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP://Example.COM:80/a/b?b=2&a=1#frag", "http://example.com/a/b?a=1&b=2"},
		{"https://example.com:443", "https://example.com/"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://example.com/a?utm_source=x&utm_Medium=y&id=3&fbclid=1&gclid=2&mc_cid=3", "https://example.com/a?id=3"},
		{"https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://example.com./a", "https://example.com/a"},
		{"https://example.com/A/B", "https://example.com/A/B"},
		{"  https://example.com/a?q=hello%20world  ", "https://example.com/a?q=hello+world"},
		{"https://[::1]:8080/x", "https://[::1]:8080/x"},
		// An encoded slash is part of its segment: kept (upper-case hex),
		// while the rest of the path is encoded canonically.
		{"https://example.com/files/a%2fb/c%7Ed/./e", "https://example.com/files/a%2Fb/c~d/e"},
		{"https://example.com/a%2Fb", "https://example.com/a%2Fb"},
		{"https://example.com/a/b", "https://example.com/a/b"},
		{"https://example.com/a%7Eb", "https://example.com/a~b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeURL(tt.in)
			if err != nil {
				t.Fatalf("NormalizeURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := NormalizeURL(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
	for _, bad := range []string{"ftp://example.com/", "mailto:x@y", "https:///nohost", "/relative", "http://%zz"} {
		if _, err := NormalizeURL(bad); !errors.Is(err, ErrBadURL) {
			t.Errorf("NormalizeURL(%q) err = %v, want ErrBadURL", bad, err)
		}
	}
}

func TestAMPCanonical(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://x.com/news/story/amp", "https://x.com/news/story", true},
		{"https://x.com/news/story/amp/", "https://x.com/news/story", true},
		{"https://x.com/amp/news/story", "https://x.com/news/story", true},
		{"https://x.com/news/story.amp.html", "https://x.com/news/story.html", true},
		{"https://x.com/news/story?amp=1&id=2", "https://x.com/news/story?id=2", true},
		{"https://x.com/news/story?outputType=amp", "https://x.com/news/story", true},
		{"https://x.com/news/example", "", false},
		{"https://x.com/news/story?outputType=full", "", false},
	}
	for _, tt := range tests {
		got, ok := ampCanonical(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ampCanonical(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReadSeeds(t *testing.T) {
	dir := t.TempDir()
	txt := filepath.Join(dir, "seeds.txt")
	if err := os.WriteFile(txt, []byte("\ufeff# comment\n\nhttps://A.example/feed.xml  # trailing\nhttps://b.example/rss?utm_source=x\n  https://a.example/feed.xml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opml := filepath.Join(dir, "subs.opml")
	if err := os.WriteFile(opml, []byte(`<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>subs</title></head><body>
<outline text="News"><outline text="C" type="rss" xmlUrl="https://c.example/atom.xml" htmlUrl="https://c.example/"/>
<outline text="D" htmlUrl="https://d.example/"/><outline text="bad" xmlUrl="javascript:alert(1)"/></outline>
</body></opml>`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSeeds([]string{txt, opml, "https://e.example/sitemap.xml", "https://b.example/rss"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://a.example/feed.xml", "https://b.example/rss", "https://c.example/atom.xml", "https://d.example/", "https://e.example/sitemap.xml"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ReadSeeds = %v\nwant %v", got, want)
	}
	bad := filepath.Join(dir, "bad.txt")
	_ = os.WriteFile(bad, []byte("https://ok.example/\nnot a url\n"), 0o644)
	if _, err := ReadSeeds([]string{bad}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad seed file: err = %v, want one naming line 2", err)
	}
	if _, err := ReadSeeds([]string{filepath.Join(dir, "missing.txt")}); err == nil {
		t.Error("missing seed file: no error")
	}
}

// The shipped seed list parses (it is never fetched by tests).
func TestShippedSeeds(t *testing.T) {
	got, err := ReadSeeds([]string{"../seeds/feeds.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 10 {
		t.Errorf("seeds/feeds.txt has %d URLs", len(got))
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		ct, body string
		want     docType
	}{
		{"application/rss+xml", `<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>`, docFeed},
		{"text/xml", "\ufeff  <feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>", docFeed},
		{"text/html", `<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"></rdf:RDF>`, docFeed},
		{"application/json", `{"version":"https://jsonfeed.org/version/1","items":[]}`, docFeed},
		{"application/xml", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`, docSitemap},
		{"", `<?xml version="1.0"?><!-- c --><sitemapindex></sitemapindex>`, docSitemapIndex},
		{"application/rss+xml", `<!DOCTYPE html><html><head></head></html>`, docHTML},
		{"text/html; charset=utf-8", `plain text`, docHTML},
		{"application/octet-stream", "\x1f\x8b\x08\x00", docGzip},
		{"application/pdf", "%PDF-1.4", docUnknown},
		{"application/json", `{"a":1}`, docUnknown},
	}
	for i, tt := range tests {
		if got := sniff(tt.ct, []byte(tt.body)); got != tt.want {
			t.Errorf("%d: sniff(%q, %q) = %v, want %v", i, tt.ct, tt.body, got, tt.want)
		}
	}
}

func TestParseSitemapNewsAndIndex(t *testing.T) {
	body := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc> /a?utm_source=s </loc><lastmod>2026-01-02</lastmod></url>
<url><loc>https://x.example/b</loc><news:news><news:publication><news:name>X</news:name><news:language>de</news:language></news:publication>
<news:publication_date>2026-11-20T10:00:00+01:00</news:publication_date><news:title>Titel</news:title></news:news></url>
<url><loc>javascript:void(0)</loc></url></urlset>`
	es, err := parseSitemap([]byte(body), "https://x.example/sitemap.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].URL != "https://x.example/a" || es[1].URL != "https://x.example/b" {
		t.Fatalf("entries = %+v", es)
	}
	if it := es[1].Item; it.Title != "Titel" || it.Language != "de" || !it.Published.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("news item = %+v", it)
	}
	if !es[0].Item.Published.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("lastmod = %v", es[0].Item.Published)
	}
	idx := `<sitemapindex><sitemap><loc>https://x.example/s1.xml.gz</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>`
	es, err = parseSitemap([]byte(idx), "https://x.example/index.xml")
	if err != nil || len(es) != 2 || !es[0].Child || es[1].URL != "https://x.example/s2.xml" {
		t.Errorf("index entries = %+v, %v", es, err)
	}
	if _, err := parseSitemap([]byte(`<html><body>no</body></html>`), "https://x.example/"); !errors.Is(err, ErrBadFeed) {
		t.Errorf("html as sitemap: err = %v", err)
	}
}

func TestScanHTML(t *testing.T) {
	page := `<!doctype html><html ⚡ lang="en"><head><base href="https://cdn.example/base/">
<link rel="alternate" type="application/rss+xml" href="/rss.xml"><link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" hreflang="de" href="/de/"><link rel="canonical" href="https://www.example.com/story?utm_campaign=z">
<meta property="og:type" content="article"></head><body><link rel="alternate" type="application/rss+xml" href="/late.xml"></body></html>`
	pi := scanHTML([]byte(page), "https://www.example.com/story/amp")
	if !pi.AMP || pi.Canonical != "https://www.example.com/story" || pi.OGType != "article" {
		t.Errorf("pageInfo = %+v", pi)
	}
	if strings.Join(pi.Feeds, " ") != "https://cdn.example/rss.xml https://cdn.example/base/atom.xml" {
		t.Errorf("feeds = %v", pi.Feeds)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := parseRetryAfter("3", now); d != 3*time.Second {
		t.Errorf("seconds: %v", d)
	}
	if d := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); d != 90*time.Second {
		t.Errorf("date: %v", d)
	}
	for _, v := range []string{"", "-1", "soon"} {
		if d := parseRetryAfter(v, now); d != 0 {
			t.Errorf("%q: %v", v, d)
		}
	}
}

func TestIsPrivateAddr(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fc00::1", "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"} {
		if !isPrivateAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s not refused", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "2606:4700::1111", "93.184.216.34"} {
		if isPrivateAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s refused", s)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero config: %v", err)
	}
	d := Config{}.WithDefaults()
	if d.Delay != time.Second || d.Workers != 8 || d.PerHostParallelism != 1 || d.MaxBodyBytes != 15<<20 || d.IgnoreRobots {
		t.Errorf("defaults: %+v", d)
	}
	if d := (Config{NoDelay: true}).WithDefaults(); d.Delay != 0 {
		t.Errorf("no_delay: delay %v", d.Delay)
	}
	for _, tt := range []struct {
		cfg Config
		key string
	}{
		{Config{Delay: -1}, "delay:"},
		{Config{Workers: -2}, "workers:"},
		{Config{LeaseTTL: 500 * time.Millisecond}, "lease_ttl:"},
		{Config{MinPollInterval: time.Hour, MaxPollInterval: time.Minute}, "max_poll_interval:"},
	} {
		err := tt.cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tt.key) {
			t.Errorf("Validate(%+v) = %v, want prefix %q", tt.cfg, err, tt.key)
		}
	}
}

func TestPollInterval(t *testing.T) {
	c, err := New(Config{}, frontier.NewMemoryState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		epw  float64
		want time.Duration
	}{{0, 24 * time.Hour}, {1, 24 * time.Hour}, {7 * 24, time.Hour}, {100000, 5 * time.Minute}} {
		if got := c.pollInterval(tt.epw); got != tt.want {
			t.Errorf("pollInterval(%v) = %v, want %v", tt.epw, got, tt.want)
		}
	}
}

// Private addresses are refused at dial time unless allowed, redirects
// included.
func TestPrivateAddressRefused(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, articleHTML("x", "", false))
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.AllowPrivateNetworks = false
	st := frontier.NewMemoryState()
	c, err := New(cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	var reported error
	sum, err := c.Ingest(context.Background(), []string{srv.URL + "/story"}, nil, func(u string, err error) { reported = err })
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(reported, ErrPrivateAddress) || hits.Load() != 0 || sum.ErrorsByClass[frontier.ClassPrivateAddress] != 1 {
		t.Errorf("reported %v, %d hits, summary %+v", reported, hits.Load(), sum)
	}
	f := newFetcher(cfg.WithDefaults())
	_, err = f.fetch(context.Background(), "http://localhost:1/", nil, nil)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("localhost: err = %v", err)
	}
}

// A redirect from an allowed network (allowed_networks) to a private address
// outside it is refused at dial time: the target never sees a request.
func TestRedirectToPrivateAddressRefused(t *testing.T) {
	var targetHits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this machine: %v", err)
	}
	target := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		fmt.Fprint(w, articleHTML("inside", "", false))
	})}}
	target.Start()
	defer target.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/secret", http.StatusFound)
	}))
	defer front.Close()

	cfg := testConfig()
	cfg.AllowPrivateNetworks = false
	cfg.AllowedNetworks = []string{"127.0.0.1/32"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, frontier.NewMemoryState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var reported error
	sum, err := c.Ingest(context.Background(), []string{front.URL + "/story"}, func(context.Context, Fetched) error { return nil },
		func(u string, err error) { reported = err })
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(reported, ErrPrivateAddress) || targetHits.Load() != 0 || sum.ErrorsByClass[frontier.ClassPrivateAddress] != 1 {
		t.Errorf("reported %v, %d target hits, summary %+v", reported, targetHits.Load(), sum.ErrorsByClass)
	}
	bad := testConfig()
	bad.AllowedNetworks = []string{"10.0.0.0"}
	if err := bad.Validate(); err == nil || !strings.HasPrefix(err.Error(), "allowed_networks:") {
		t.Errorf("Validate(10.0.0.0) = %v, want an allowed_networks error", err)
	}
}

// Ingest takes an article, a feed and a home page; handler errors are retried
// and reported.
func TestIngest(t *testing.T) {
	srv, lg := fixtureServer(t)
	st := frontier.NewMemoryState()
	c, err := New(testConfig(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	reports := map[string]error{}
	report := func(u string, err error) { reports[u] = err }
	ctx := context.Background()
	in := []string{srv.URL + "/a/1", srv.URL + "/feed.json", srv.URL + "/notfound", "not a url"}
	sum, err := c.Ingest(ctx, in, rec.handle, report)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 4 || reports[in[0]] != nil || reports[in[1]] != nil || reports[in[2]] == nil || reports[in[3]] == nil {
		t.Errorf("reports = %v", reports)
	}
	if rec.calls[srv.URL+"/a/1"] != 1 || rec.calls[srv.URL+"/c/1"] != 1 {
		t.Errorf("handled = %v (summary %+v)", rec.calls, sum)
	}
	// Ingesting a handled article again hands it on again (the user asked).
	if _, err := c.Ingest(ctx, in[:1], rec.handle, report); err != nil {
		t.Fatal(err)
	}
	if rec.calls[srv.URL+"/a/1"] != 2 || lg.count("/a/1") != 2 {
		t.Errorf("re-ingest: %d calls, %d fetches", rec.calls[srv.URL+"/a/1"], lg.count("/a/1"))
	}

	// A failing handler: class "process", retried, then failed.
	var calls atomic.Int64
	failing := func(ctx context.Context, f Fetched) error {
		calls.Add(1)
		return errors.New("store is down")
	}
	st2 := frontier.NewMemoryState()
	cfg := testConfig()
	cfg.MaxRetries = 2
	c2, err := New(cfg, st2, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err = c2.Crawl(ctx, []string{srv.URL + "/feed.json"}, false, failing)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || sum.ErrorsByClass[frontier.ClassProcess] != 3 || sum.Failed != 1 {
		t.Errorf("failing handler: %d calls, summary %+v", calls.Load(), sum)
	}
	if s, class := st2.JobStatus(srv.URL + "/c/1"); s != "failed" || class != frontier.ClassProcess {
		t.Errorf("job state %s %s", s, class)
	}
}

// Hostile bodies end in recorded errors, within the limits.
func TestHostileBodies(t *testing.T) {
	bomb := gz(strings.Repeat("\x00", 64<<20))
	mux := http.NewServeMux()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb)
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 600; i++ { // a minute, far beyond the timeout
			if _, err := w.Write([]byte("<p>x</p>")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		_ = conn.Close()
	})
	mux.HandleFunc("/badenc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "zstd-nonsense")
		fmt.Fprint(w, "abc")
	})
	mux.HandleFunc("/long", func(w http.ResponseWriter, r *http.Request) {
		n := 0
		_, _ = fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/long?n=%d", n+1), http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := testConfig()
	// Wide enough for a 6-hop redirect chain and a 64 MiB bomb read up to
	// the limit on a busy machine (at 500 ms, the chain timed out under a
	// CPU burner); the trickle and the hang last far longer.
	cfg.Timeout = 4 * time.Second
	cfg.MaxRetries = -1
	cfg.MaxRedirects = 5
	c, err := New(cfg, frontier.NewMemoryState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/bomb": frontier.ClassTooLarge, "/trickle": frontier.ClassTimeout, "/hang": frontier.ClassTimeout,
		"/reset": frontier.ClassReset, "/badenc": frontier.ClassDecode, "/long": frontier.ClassTooManyRedirects}
	got := map[string]string{}
	var urls []string
	for p := range want {
		urls = append(urls, srv.URL+p)
	}
	// No bound on the time taken: a fetch that ignored the timeout would
	// end without one (the trickle, after a minute) or never (the hang).
	_, err = c.Ingest(context.Background(), urls, func(context.Context, Fetched) error { return nil }, func(u string, err error) {
		class, _ := classify(err)
		got[strings.TrimPrefix(u, srv.URL)] = class
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, class := range want {
		if got[p] != class {
			t.Errorf("%s: class %q, want %q", p, got[p], class)
		}
	}
}

// Bodies come decoded whatever the Content-Encoding.
func TestContentEncodings(t *testing.T) {
	page := articleHTML("encoded", "", false)
	mux := http.NewServeMux()
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz(page))
	})
	mux.HandleFunc("/br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		bw := brotli.NewWriter(w)
		_, _ = bw.Write([]byte(page))
		_ = bw.Close()
	})
	mux.HandleFunc("/deflate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "deflate")
		fw, _ := flate.NewWriter(w, flate.DefaultCompression)
		_, _ = fw.Write([]byte(page))
		_ = fw.Close()
	})
	mux.HandleFunc("/identity", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(page)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newFetcher(testConfig().WithDefaults())
	for _, p := range []string{"/gzip", "/br", "/deflate", "/identity"} {
		resp, err := f.fetch(context.Background(), srv.URL+p, nil, nil)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if string(resp.Body) != page {
			t.Errorf("%s: body %q", p, resp.Body)
		}
	}
}

// Jobs leased by a process that died are taken over when the lease expires.
func TestLeaseTakeover(t *testing.T) {
	srv, lg := fixtureServer(t)
	st := frontier.NewMemoryState()
	ctx := context.Background()
	var jobs []frontier.Job
	for _, p := range []string{"/a/1", "/a/2", "/b/1"} {
		u := srv.URL + p
		jobs = append(jobs, frontier.Job{URL: u, Host: frontier.HostOf(u), Kind: frontier.KindArticle})
	}
	if _, err := st.Enqueue(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Lease(ctx, "crashed-process", 10, time.Now(), 700*time.Millisecond); len(got) != 3 {
		t.Fatalf("leased %d", len(got))
	}
	c, err := New(testConfig(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	start := time.Now()
	sum, err := c.Crawl(ctx, nil, false, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if sum.PagesStored != 3 || len(rec.calls) != 3 || lg.count("/a/1") != 1 {
		t.Errorf("takeover: %+v, calls %v", sum, rec.calls)
	}
	if d := time.Since(start); d < 600*time.Millisecond {
		t.Errorf("took the jobs over after %v, before the lease expired", d)
	}
}

// MemoryState keeps the State contract: lease order, lease expiry, Requeue
// leaving leased jobs alone, Finish twice harmless, Seen.
func TestMemoryStateContract(t *testing.T) {
	ctx := context.Background()
	m := frontier.NewMemoryState()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jobs := []frontier.Job{
		{URL: "https://h/c", NotBefore: t0.Add(2 * time.Second)},
		{URL: "https://h/a", NotBefore: t0},
		{URL: "https://h/b", NotBefore: t0},
		{URL: "https://h/later", NotBefore: t0.Add(time.Hour)},
	}
	if n, _ := m.Enqueue(ctx, jobs); n != 4 {
		t.Fatalf("added %d", n)
	}
	if n, _ := m.Enqueue(ctx, jobs[:1]); n != 0 {
		t.Errorf("re-enqueue added %d", n)
	}
	got, _ := m.Lease(ctx, "o1", 2, t0.Add(3*time.Second), time.Minute)
	if len(got) != 2 || got[0].URL != "https://h/a" || got[1].URL != "https://h/b" {
		t.Fatalf("lease order: %+v", got)
	}
	got, _ = m.Lease(ctx, "o2", 10, t0.Add(3*time.Second), time.Minute)
	if len(got) != 1 || got[0].URL != "https://h/c" {
		t.Fatalf("second lease: %+v", got)
	}
	_ = m.Requeue(ctx, []string{"https://h/a"}, t0)
	if s, _ := m.JobStatus("https://h/a"); s != "leased" {
		t.Errorf("Requeue touched a leased job: %s", s)
	}
	// o1's leases expire and are handed out again.
	got, _ = m.Lease(ctx, "o3", 10, t0.Add(2*time.Minute), time.Minute)
	if len(got) != 3 {
		t.Errorf("expired leases: %+v", got)
	}
	_ = m.Retry(ctx, "https://h/a", t0.Add(3*time.Minute), "http_5xx")
	_ = m.Finish(ctx, "https://h/b", "")
	_ = m.Finish(ctx, "https://h/b", "")
	_ = m.Finish(ctx, "https://h/c", "http_4xx")
	if seen, _ := m.Seen(ctx, "https://h/b"); !seen {
		t.Error("done job not seen")
	}
	if seen, _ := m.Seen(ctx, "https://h/a"); seen {
		t.Error("queued job seen")
	}
	if n, _ := m.Pending(ctx, time.Time{}); n != 2 {
		t.Errorf("pending %d, want 2 (a, later)", n)
	}
	got, _ = m.Lease(ctx, "o4", 10, t0.Add(3*time.Minute), time.Minute)
	if len(got) != 1 || got[0].URL != "https://h/a" || got[0].Attempts != 1 {
		t.Errorf("retried job: %+v", got)
	}
	// LeaseURLs: only the listed jobs that are due or whose lease expired,
	// once each, in NotBefore order.
	_, _ = m.Enqueue(ctx, []frontier.Job{{URL: "https://h/x", NotBefore: t0.Add(2 * time.Minute)}, {URL: "https://h/y", NotBefore: t0}})
	ask := []string{"https://h/x", "https://h/later", "https://h/b", "https://h/unknown", "https://h/a", "https://h/c", "https://h/y", "https://h/x"}
	got, _ = m.LeaseURLs(ctx, "o5", ask, 10, t0.Add(3*time.Minute), time.Minute)
	if len(got) != 2 || got[0].URL != "https://h/y" || got[1].URL != "https://h/x" {
		t.Errorf("LeaseURLs: %+v, want y and x (a is leased, b and c finished, later not due)", got)
	}
	if got, _ = m.LeaseURLs(ctx, "o6", ask, 10, t0.Add(3*time.Minute), time.Minute); len(got) != 0 {
		t.Errorf("LeaseURLs of live leases: %+v", got)
	}
	if got, _ = m.LeaseURLs(ctx, "o6", ask, 1, t0.Add(5*time.Minute), time.Minute); len(got) != 1 {
		t.Errorf("LeaseURLs n=1 after expiry: %+v", got)
	}
	if s, _ := m.JobStatus("https://h/later"); s != "queued" {
		t.Errorf("LeaseURLs touched a job not due: %s", s)
	}
	s1, _ := m.ReserveHost(ctx, "h", t0, time.Second)
	s2, _ := m.ReserveHost(ctx, "h", t0, time.Second)
	if !s1.Equal(t0) || !s2.Equal(t0.Add(time.Second)) {
		t.Errorf("slots %v %v", s1, s2)
	}
}

// Chains a server can extend for ever (a sitemap index listing the next
// index, a "feed" answering HTML that links the next one) are followed only
// MaxDiscoveryDepth deep, over any number of passes.
func TestDiscoveryDepthLimit(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/idx/", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		k, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/idx/"), ".xml"))
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>http://%s/idx/%d.xml</loc></sitemap></sitemapindex>`, r.Host, k+1)
	})
	mux.HandleFunc("/feed/", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		k, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/feed/"), ".xml"))
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/feed/%d.xml"></head><body>moved</body></html>`, k+1)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := testConfig()
	cfg.Delay, cfg.MaxDiscoveryDepth, cfg.MinPollInterval = time.Millisecond, 3, time.Millisecond
	st := frontier.NewMemoryState()
	c, err := New(cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seeds := []string{srv.URL + "/idx/0.xml", srv.URL + "/feed/0.xml"}
	for pass := 0; pass < 3; pass++ {
		if _, err := c.Crawl(context.Background(), seeds, true, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Each chain: the seed (depth 0) and children at depths 1..3, each
	// fetched once per pass at most (force polls everything again).
	if n := hits.Load(); n > 2*4*3 || n < 2*4 {
		t.Errorf("%d requests to the two chains in 3 passes, want 8..24 (4 levels each)", n)
	}
	for _, u := range []string{srv.URL + "/idx/4.xml", srv.URL + "/feed/4.xml"} {
		if seen, _ := st.Seen(context.Background(), u); seen {
			t.Errorf("%s (depth 4) was fetched", u)
		}
	}
}

// looksBinary refuses bodies with NUL bytes, except UTF-16 text (with or
// without a BOM).
func TestLooksBinary(t *testing.T) {
	utf16 := func(s string, bigEndian bool) []byte {
		var b []byte
		for _, r := range s {
			if bigEndian {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return b
	}
	page := "<!DOCTYPE html><html><head><meta charset=utf-16><title>Kopi</title></head><body><p>Harga kopi naik lagi pekan ini.</p></body></html>"
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\\r\xa8f")
	for _, tc := range []struct {
		name string
		body []byte
		want bool
	}{
		{"html", []byte(page), false},
		{"utf-16le with bom", append([]byte{0xff, 0xfe}, utf16(page, false)...), false},
		{"utf-16be with bom", append([]byte{0xfe, 0xff}, utf16(page, true)...), false},
		{"utf-16le without bom", utf16(page, false), false},
		{"utf-16be without bom", utf16(page, true), false},
		{"png", png, true},
		{"html with one nul", []byte("<html><body>a\x00b</body></html>" + page), true},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\nstream\n\x00\x01\x02\x00\x00\x03\nendstream"), true},
	} {
		if got := looksBinary(tc.body); got != tc.want {
			t.Errorf("%s: looksBinary = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Response headers over the transport's limit fail for good as too_large
// (and a robots.txt answering so allows all, like an oversized one).
func TestHugeHeadersTooLarge(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			hits.Add(1)
		}
		for i := range 40 {
			w.Header().Add("Set-Cookie", fmt.Sprintf("c%d=%s", i, strings.Repeat("x", 40<<10)))
		}
		fmt.Fprint(w, articleHTML("cookies", "", false))
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RetryBackoff = time.Millisecond
	c, err := New(cfg, frontier.NewMemoryState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var reported error
	if _, err := c.Ingest(context.Background(), []string{srv.URL + "/a"}, func(context.Context, Fetched) error { return nil },
		func(u string, err error) { reported = err }); err != nil {
		t.Fatal(err)
	}
	if class, transient := classify(reported); class != frontier.ClassTooLarge || transient || hits.Load() != 1 {
		t.Errorf("class %q transient %v after %d requests (%v), want too_large, permanent, 1 request", class, transient, hits.Load(), reported)
	}
}

// A page that redirects to itself with a tracking parameter added (the same
// URL once normalised) is followed and fetched, not taken for a loop.
func TestRedirectToSelfWithTrackingParameter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("utm_source") == "" {
			http.Redirect(w, r, r.URL.Path+"?utm_source=home", http.StatusFound)
			return
		}
		fmt.Fprint(w, articleHTML("self", "", false))
	}))
	defer srv.Close()
	f := newFetcher(testConfig().WithDefaults())
	resp, err := f.fetch(context.Background(), srv.URL+"/story", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.FinalURL, "utm_source=home") || !strings.Contains(string(resp.Body), "self") {
		t.Errorf("final %s, body %.60q", resp.FinalURL, resp.Body)
	}
}

// Feeds and sitemaps nested absurdly deep are refused before parsing.
func TestTooDeep(t *testing.T) {
	deepXML := func(n int) []byte {
		return []byte(`<?xml version="1.0"?><rss version="2.0"><channel>` + strings.Repeat("<x>", n) + strings.Repeat("</x>", n) + `</channel></rss>`)
	}
	deepJSON := func(n int) []byte {
		return []byte(`{"version":"https://jsonfeed.org/version/1.1","items":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`)
	}
	for _, tc := range []struct {
		name string
		body []byte
		want bool
	}{
		{"rss", []byte(`<?xml version="1.0"?><!-- <a><a><a> --><rss version="2.0"><channel><title>T</title><item><link>http://a.example/1</link><description><![CDATA[<p><b><i>x</i></b></p>]]></description><enclosure url="http://a.example/1.mp3"/></item></channel></rss>`), false},
		{"xml 200 deep", deepXML(200), false},
		{"xml 300 deep", deepXML(300), true},
		{"json 200 deep", deepJSON(200), false},
		{"json 300 deep", deepJSON(300), true},
		{"json brackets in strings", []byte(`{"title":"` + strings.Repeat("[{", 400) + `"}`), false},
	} {
		if got := tooDeep(tc.body, maxNesting); got != tc.want {
			t.Errorf("%s: tooDeep = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := parseFeed(deepXML(100000), "http://a.example/"); !errors.Is(err, ErrBadFeed) {
		t.Errorf("parseFeed of a 100k-deep feed: %v, want ErrBadFeed", err)
	}
	if _, err := parseSitemap([]byte(`<urlset>`+strings.Repeat("<url>", 100000)), "http://a.example/"); !errors.Is(err, ErrBadFeed) {
		t.Errorf("parseSitemap of a 100k-deep sitemap: %v, want ErrBadFeed", err)
	}
}

// Feed discovery on a home page stops probing well-known paths once the host
// stops answering, instead of waiting out a timeout per path.
func TestDiscoveryStopsOnHangingHost(t *testing.T) {
	var probes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><title>Home</title><meta property="og:type" content="website"></head><body><a href="/a">a</a></body></html>`)
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			probes.Add(1)
			<-r.Context().Done() // hang
		}
	}))
	defer srv.Close()
	cfg := testConfig()
	// 2 s: the home page and robots.txt must come within it on a busy
	// machine; the one probe of a hanging path costs it once.
	cfg.Timeout, cfg.Delay, cfg.MaxRetries = 2*time.Second, time.Millisecond, -1
	c, err := New(cfg, frontier.NewMemoryState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Crawl(context.Background(), []string{srv.URL + "/"}, true, nil); err != nil {
		t.Fatal(err)
	}
	if n := probes.Load(); n != 1 {
		t.Errorf("%d well-known paths probed on a hanging host, want 1", n)
	}
}
