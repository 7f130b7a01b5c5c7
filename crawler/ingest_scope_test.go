package crawler_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// waitedForOthers is the warning a pass logs when it ends after waiting
// lease_ttl for jobs it does not hold (crawler.Crawl, crawler.Ingest).
const waitedForOthers = "jobs still leased or due later"

// logBuffer collects a crawler's log lines, safe for its workers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns what was logged since the last take.
func (b *logBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

// warnLogger is a logger of warnings and errors into b.
func warnLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// hitCounter counts the requests a test server answers, by path.
type hitCounter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (h *hitCounter) add(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hits == nil {
		h.hits = map[string]int{}
	}
	h.hits[path]++
	return h.hits[path]
}

func (h *hitCounter) snapshot() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for k, v := range h.hits {
		out[k] = v
	}
	return out
}

func (h *hitCounter) total() int {
	n := 0
	for _, v := range h.snapshot() {
		n += v
	}
	return n
}

// ingestSite is a site with a feed of five articles (one an AMP page, one
// answering 503 once, one redirecting to another of them), a lone article,
// and a home page linking a second feed.
func ingestSite(t *testing.T) (*httptest.Server, *hitCounter) {
	hc := &hitCounter{}
	var srv *httptest.Server
	page := func(title, canonical, htmlAttr string) string {
		return fmt.Sprintf(`<!doctype html><html%s><head><title>%s</title><link rel="canonical" href="%s">
<meta property="og:type" content="article"></head><body><article><h1>%s</h1><p>Text of %s.</p></article></body></html>`,
			htmlAttr, title, canonical, title, title)
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hc.add(r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>`)
			for _, p := range []string{"/r/9", "/a/1", "/a/2", "/a/3", "/a/5/amp", "/a/9"} {
				fmt.Fprintf(w, `<item><title>%s</title><link>%s%s</link></item>`, p, srv.URL, p)
			}
			fmt.Fprint(w, `</channel></rss>`)
		case "/a/1":
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable) // retried within the pass
				return
			}
			fmt.Fprint(w, page("One", srv.URL+"/a/1", ""))
		case "/r/9":
			http.Redirect(w, r, "/a/9", http.StatusMovedPermanently)
		case "/":
			fmt.Fprint(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/feed2.xml"></head><body>Home</body></html>`)
		case "/feed2.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Two</title><item><link>%s/b/1</link></item><item><link>%s/a/2</link></item></channel></rss>`, srv.URL, srv.URL)
		case "/a/2", "/a/3", "/a/5", "/a/9", "/b/1", "/solo":
			fmt.Fprint(w, page("Page "+r.URL.Path, srv.URL+r.URL.Path, ""))
		case "/a/5/amp":
			fmt.Fprint(w, page("AMP five", srv.URL+"/a/5", " amp"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hc
}

// testIngestScope checks that Ingest fetches what its inputs lead to and
// nothing else of a frontier that an earlier crawl left full of queued jobs.
func testIngestScope(t *testing.T, st frontier.State) {
	ctx := context.Background()
	other := &hitCounter{}
	otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.add(r.URL.Path)
		fmt.Fprint(w, `<html><head><meta property="og:type" content="article"></head><body><article><p>x</p></article></body></html>`)
	}))
	defer otherSrv.Close()
	site, hits := ingestSite(t)

	// What an earlier crawl left: unrelated jobs, due, some with attempts;
	// and two of the feed's articles, one due, one waiting for a retry.
	past := time.Now().Add(-time.Minute)
	var unrelated []frontier.Job
	for i := range 30 {
		kind := frontier.KindArticle
		if i == 0 {
			kind = frontier.KindFeed
		}
		u := fmt.Sprintf("%s/old/%d", otherSrv.URL, i)
		unrelated = append(unrelated, frontier.Job{URL: u, Host: otherSrv.Listener.Addr().String(), Kind: kind, NotBefore: past, Attempts: i % 3})
	}
	earlier := []frontier.Job{
		{URL: site.URL + "/a/2", Kind: frontier.KindArticle, NotBefore: past},
		{URL: site.URL + "/a/3", Kind: frontier.KindArticle, NotBefore: time.Now().Add(time.Hour), Attempts: 2},
	}
	for i := range earlier {
		earlier[i].Host = site.Listener.Addr().String()
	}
	if _, err := st.Enqueue(ctx, append(slices.Clone(unrelated), earlier...)); err != nil {
		t.Fatal(err)
	}

	cfg := crawler.Config{
		UserAgent:            "wirecrawl-test/1.0 (+https://example.invalid/contact)",
		Workers:              4,
		Delay:                5 * time.Millisecond,
		Timeout:              5 * time.Second,
		ConnectTimeout:       2 * time.Second,
		RetryBackoff:         20 * time.Millisecond,
		MaxRetries:           3,
		AllowPrivateNetworks: true,
		LeaseTTL:             20 * time.Second,
	}
	var logged logBuffer
	c, err := crawler.New(cfg, st, warnLogger(&logged))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var mu sync.Mutex
	handled := map[string]int{}
	h := func(_ context.Context, f crawler.Fetched) error {
		mu.Lock()
		defer mu.Unlock()
		handled[f.URL]++
		return nil
	}
	checkUnrelated := func(step string) {
		t.Helper()
		if n := other.total(); n != 0 {
			t.Errorf("%s: the unrelated server got %d requests: %v", step, n, other.snapshot())
		}
		// Still queued and due, attempts unchanged: LeaseURLs (now, so no
		// live lease of the ingest could be taken over) gives all back.
		var us []string
		for _, j := range unrelated {
			us = append(us, j.URL)
		}
		got, err := st.LeaseURLs(ctx, "check-"+step, us, len(us), time.Now(), time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(unrelated) {
			t.Errorf("%s: %d of %d unrelated jobs still queued", step, len(got), len(unrelated))
		}
		for _, j := range got {
			k := slices.IndexFunc(unrelated, func(u frontier.Job) bool { return u.URL == j.URL })
			if k < 0 || j.Attempts != unrelated[k].Attempts {
				t.Errorf("%s: unrelated job %s has %d attempts", step, j.URL, j.Attempts)
			}
			if err := st.Retry(ctx, j.URL, past, "check"); err != nil { // back to queued
				t.Fatal(err)
			}
			unrelated[k].Attempts++ // Retry counts one
		}
	}

	// (a) One article.
	sum, err := c.Ingest(ctx, []string{site.URL + "/solo"}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if handled[site.URL+"/solo"] != 1 || len(handled) != 1 {
		t.Errorf("article ingest handled %v", handled)
	}
	if got := hits.snapshot(); got["/solo"] != 1 || len(got) > 2 {
		t.Errorf("article ingest requested %v; want /solo (and robots.txt)", got)
	}
	if sum.Left != 0 {
		t.Errorf("article ingest: Left = %d, want 0 (summary %+v)", sum.Left, sum)
	}
	// The event, not the duration (a busy machine makes any step slow):
	// a pass that waits for jobs not its own ends with this warning.
	if l := logged.take(); strings.Contains(l, waitedForOthers) {
		t.Errorf("article ingest waited for jobs not its own: %s", l)
	}
	checkUnrelated("article")

	// (b) A feed: its entries (two queued by the earlier crawl, one waiting
	// for a retry then; an AMP page for /a/5; a redirect to /a/9, also
	// listed) and nothing else.
	sum, err = c.Ingest(ctx, []string{site.URL + "/feed.xml"}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/a/1", "/a/2", "/a/3", "/a/5"} {
		if handled[site.URL+p] != 1 {
			t.Errorf("feed ingest: %s handled %d times (all: %v; summary %+v)", p, handled[site.URL+p], handled, sum)
		}
	}
	if n := handled[site.URL+"/r/9"] + handled[site.URL+"/a/9"]; n != 1 {
		t.Errorf("feed ingest: /a/9 (listed, and the target of /r/9) handled %d times", n)
	}
	if len(handled) != 6 {
		t.Errorf("feed ingest handled %v", handled)
	}
	got := hits.snapshot()
	if got["/a/1"] != 2 || got["/feed.xml"] != 1 || got["/a/5/amp"] != 1 {
		t.Errorf("feed ingest requests %v; want /a/1 twice (503, then 200), the feed and the AMP page once", got)
	}
	if sum.Retries != 1 || sum.Left != 0 || sum.Failed != 0 {
		t.Errorf("feed ingest summary %+v: want 1 retry, nothing left or failed", sum)
	}
	// The event, not the duration (a busy machine makes any step slow):
	// a pass that waits for jobs not its own ends with this warning.
	if l := logged.take(); strings.Contains(l, waitedForOthers) {
		t.Errorf("feed ingest waited for jobs not its own: %s", l)
	}
	for _, p := range []string{"/a/1", "/a/2", "/a/3", "/a/5", "/a/5/amp"} {
		if seen, err := st.Seen(ctx, site.URL+p); err != nil || !seen {
			t.Errorf("%s not done after the feed ingest (%v)", p, err)
		}
	}
	checkUnrelated("feed")

	// (c) A home page: its feed, and that feed's new article.
	sum, err = c.Ingest(ctx, []string{site.URL + "/"}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if handled[site.URL+"/b/1"] != 1 || handled[site.URL+"/a/2"] != 1 || len(handled) != 7 {
		t.Errorf("home page ingest handled %v (summary %+v)", handled, sum)
	}
	if got := hits.snapshot(); got["/feed2.xml"] != 1 || got["/"] != 1 || got["/a/2"] != 1 {
		t.Errorf("home page ingest requests %v", got)
	}
	if sum.Left != 0 {
		t.Errorf("home page ingest: Left = %d, want 0", sum.Left)
	}
	// The event, not the duration (a busy machine makes any step slow):
	// a pass that waits for jobs not its own ends with this warning.
	if l := logged.take(); strings.Contains(l, waitedForOthers) {
		t.Errorf("home page ingest waited for jobs not its own: %s", l)
	}
	checkUnrelated("home")
}

func TestIngestScopeMemory(t *testing.T) {
	testIngestScope(t, frontier.NewMemoryState())
}

func TestIngestScopeSQLite(t *testing.T) {
	testIngestScope(t, openStore(t))
}

// An article of an ingested feed that another process holds is left to it:
// the ingest waits for it at most LeaseTTL, then ends with it left.
func TestIngestScopeLeasedElsewhere(t *testing.T) {
	ctx := context.Background()
	site, hits := ingestSite(t)
	st := frontier.NewMemoryState()
	busy := site.URL + "/a/2"
	if _, err := st.Enqueue(ctx, []frontier.Job{{URL: busy, Host: site.Listener.Addr().String(), Kind: frontier.KindArticle}}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.LeaseURLs(ctx, "another-process", []string{busy}, 1, time.Now(), time.Hour); err != nil || len(got) != 1 {
		t.Fatalf("setup lease: %v %v", got, err)
	}
	cfg := crawler.Config{
		UserAgent:            "wirecrawl-test/1.0 (+https://example.invalid/contact)",
		Workers:              2,
		Delay:                5 * time.Millisecond,
		Timeout:              time.Second,
		RetryBackoff:         20 * time.Millisecond,
		AllowPrivateNetworks: true,
		LeaseTTL:             1500 * time.Millisecond,
	}
	var logged logBuffer
	c, err := crawler.New(cfg, st, warnLogger(&logged))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var mu sync.Mutex
	handled := map[string]int{}
	sum, err := c.Ingest(ctx, []string{site.URL + "/feed.xml"}, func(_ context.Context, f crawler.Fetched) error {
		mu.Lock()
		defer mu.Unlock()
		handled[f.URL]++
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits.snapshot()["/a/2"] != 0 || handled[busy] != 0 {
		t.Errorf("the article leased elsewhere was fetched")
	}
	if handled[site.URL+"/a/1"] != 1 || handled[site.URL+"/a/3"] != 1 || handled[site.URL+"/a/5"] != 1 {
		t.Errorf("handled %v", handled)
	}
	if sum.Left != 1 {
		t.Errorf("Left = %d, want 1 (summary %+v)", sum.Left, sum)
	}
	if s, _ := st.JobStatus(busy); s != "leased" {
		t.Errorf("the article leased elsewhere is %s", s)
	}
	// The event TestIngestScope and the hostile crawl test look for when a
	// pass must not wait: here it must have.
	if l := logged.take(); !strings.Contains(l, waitedForOthers) {
		t.Errorf("the ingest ended without warning %q; logged: %s", waitedForOthers, l)
	}
}

// An article that an earlier crawl queued for a retry keeps the attempts it
// used when an ingest of its feed makes it due: with two of three retries
// spent, a server that keeps failing gets two more requests, not four.
func TestIngestKeepsAttempts(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   func(t *testing.T) frontier.State
	}{
		{"memory", func(*testing.T) frontier.State { return frontier.NewMemoryState() }},
		{"sqlite", func(t *testing.T) frontier.State { return openStore(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			hc := &hitCounter{}
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hc.add(r.URL.Path)
				switch r.URL.Path {
				case "/feed.xml":
					w.Header().Set("Content-Type", "application/rss+xml")
					fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><item><link>%s/down</link></item></channel></rss>`, srv.URL)
				case "/down":
					w.WriteHeader(http.StatusServiceUnavailable)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			st := tc.st(t)
			down := srv.URL + "/down"
			if _, err := st.Enqueue(ctx, []frontier.Job{{URL: down, Host: srv.Listener.Addr().String(), Kind: frontier.KindArticle,
				NotBefore: time.Now().Add(time.Hour), Attempts: 2}}); err != nil {
				t.Fatal(err)
			}
			c, err := crawler.New(crawler.Config{
				UserAgent:            "wirecrawl-test/1.0 (+https://example.invalid/contact)",
				Workers:              2,
				Delay:                time.Millisecond,
				Timeout:              2 * time.Second,
				RetryBackoff:         10 * time.Millisecond,
				MaxRetries:           3,
				AllowPrivateNetworks: true,
			}, st, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			handler := func(context.Context, crawler.Fetched) error { return nil }
			for run := 1; run <= 2; run++ {
				sum, err := c.Ingest(ctx, []string{srv.URL + "/feed.xml"}, handler, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := hc.snapshot()["/down"]; got != 2 {
					t.Errorf("ingest %d: /down requested %d times in all, want 2 (the one retry left, then failed)", run, got)
				}
				if run == 1 && (sum.Failed != 1 || sum.Left != 0) {
					t.Errorf("ingest 1: summary %+v, want 1 failed, nothing left", sum)
				}
				if seen, err := st.Seen(ctx, down); err != nil || !seen {
					t.Errorf("ingest %d: /down not failed for good (seen %v, %v)", run, seen, err)
				}
			}
		})
	}
}
