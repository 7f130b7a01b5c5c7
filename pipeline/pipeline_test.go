package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/cleaner"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// crawlOnce runs one crawl pass of web into st with the real stages.
func crawlOnce(t *testing.T, ctx context.Context, web *testweb.Web, st store.Store, force bool) (crawler.Summary, pipeline.Counts) {
	t.Helper()
	p, err := pipeline.New(ctx, st, pipeline.Config{
		Crawler: crawler.Config{AllowPrivateNetworks: true, NoDelay: true, Workers: 8},
		Force:   force,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sum, err := p.Crawl(ctx, web.Seeds())
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	return sum, p.Counts()
}

// storedClusters maps every stored URL to its story, failing on a URL stored twice.
func storedClusters(t *testing.T, ctx context.Context, st store.Store) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	err := st.Stories(ctx, export.Filter{}, func(s wirecrawl.Story) error {
		for _, c := range s.Copies {
			if prev, dup := got[c.URL]; dup {
				t.Errorf("%s stored in story %d and story %d", c.URL, prev, s.ID)
			}
			got[c.URL] = s.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCrawlSimulatedWeb crawls the simulated news web end to end and checks
// the stored stories against its truth: every allowed article stored exactly
// once, nothing disallowed fetched, wire copies merged, different stories kept
// apart, and a second run fetching nothing new.
func TestCrawlSimulatedWeb(t *testing.T) {
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	web, err := testweb.Start(ctx, testweb.Options{Seed: 7, Outlets: 5, Stories: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer web.Close()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	sum, counts := crawlOnce(t, ctx, web, st, false)
	t.Logf("first run: %+v; %+v", sum, counts)

	truth := map[string]string{}
	disallowed := map[string]bool{}
	for _, p := range web.Truth() {
		u, err := crawler.NormalizeURL(p.URL)
		if err != nil {
			t.Fatal(err)
		}
		if p.Disallowed {
			disallowed[u] = true
			continue
		}
		truth[u] = p.StoryID
	}
	got := storedClusters(t, ctx, st)
	for u := range truth {
		if _, ok := got[u]; !ok {
			t.Errorf("article %s not stored", u)
		}
	}
	for u := range got {
		if disallowed[u] {
			t.Errorf("disallowed %s was stored", u)
		}
		if _, ok := truth[u]; !ok && !disallowed[u] {
			t.Errorf("stored %s is not an article of the web", u)
		}
	}
	for _, r := range web.Requests() {
		if u, _ := crawler.NormalizeURL(r.URL); disallowed[u] {
			t.Errorf("fetched disallowed %s", r.URL)
		}
	}
	assign := map[string]string{}
	for u, id := range got {
		assign[u] = fmt.Sprint(id)
	}
	s := web.ScoreClusters(assign)
	t.Logf("%d pages, %d true duplicate pairs: pairwise P %.4f R %.4f F1 %.4f, B-cubed F1 %.4f",
		s.Pages, s.TruePairs, s.PairPrecision, s.PairRecall, s.PairF1, s.BCubedF1)
	if s.PairPrecision < 0.99 || s.PairF1 < 0.98 {
		t.Errorf("end-to-end dedup P %.4f F1 %.4f, want P >= 0.99 and F1 >= 0.98", s.PairPrecision, s.PairF1)
	}

	web.ResetRequests()
	sum2, counts2 := crawlOnce(t, ctx, web, st, false)
	t.Logf("second run: %+v; %+v", sum2, counts2)
	if sum2.PagesFetched != 0 {
		t.Errorf("second run fetched %d pages, want 0", sum2.PagesFetched)
	}
	// Forced: every feed and sitemap is polled, and answers 304.
	sum3, _ := crawlOnce(t, ctx, web, st, true)
	t.Logf("forced run: %+v", sum3)
	if sum3.PagesFetched != 0 || sum3.NotModified == 0 || sum3.NotModified < sum.FeedsPolled/2 {
		t.Errorf("forced rerun: %d pages fetched, %d of %d feeds not modified; want 0 pages and 304s",
			sum3.PagesFetched, sum3.NotModified, sum3.FeedsPolled)
	}
	if after := storedClusters(t, ctx, st); len(after) != len(got) {
		t.Errorf("second run changed the stored URLs: %d, was %d", len(after), len(got))
	}
}

// TestNoArticleIsNotRetried: a page with no article fails once with class
// no_article; fetching it again would not change it.
func TestNoArticleIsNotRetried(t *testing.T) {
	ctx := context.Background()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Sign in</title></head><body><form><input name=user><input type=password></form></body></html>`)
	}))
	defer srv.Close()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := pipeline.New(ctx, st, pipeline.Config{
		Crawler: crawler.Config{AllowPrivateNetworks: true, NoDelay: true, MaxRetries: 3, RetryBackoff: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var reported error
	sum, err := p.Ingest(ctx, []string{srv.URL + "/news/login-wall.html"}, func(_ string, err error) { reported = err })
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Errorf("page fetched %d times, want once", hits.Load())
	}
	if sum.ErrorsByClass[pipeline.ClassNoArticle] != 1 || sum.Retries != 0 {
		t.Errorf("summary %+v: want one no_article error and no retry", sum)
	}
	if !errors.Is(reported, cleaner.ErrNoContent) {
		t.Errorf("reported error %v, want cleaner.ErrNoContent", reported)
	}
	if got := p.Counts().NoArticle; got != 1 {
		t.Errorf("NoArticle = %d, want 1", got)
	}
}

// TestFeedContentStandsInForEmptyPage: when the page itself yields no article
// (here a login wall), the feed item's full content (content:encoded) is
// stored instead, with the feed's title, author and date filling the gaps.
func TestFeedContentStandsInForEmptyPage(t *testing.T) {
	ctx := context.Background()
	body := strings.Repeat("The council voted on Tuesday to expand the harbour after a long debate about costs and fishing rights. ", 6)
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Harbour News</title><link>%[1]s/</link>
<item><title>Council expands the harbour</title><link>%[1]s/news/harbour.html</link><dc:creator>Jo Reporter</dc:creator><pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>%[2]s</p><p>%[2]s</p>]]></content:encoded></item></channel></rss>`, srvURL, body)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><head><title>Sign in</title></head><body><form><input name=user><input type=password></form></body></html>`)
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := pipeline.New(ctx, st, pipeline.Config{Crawler: crawler.Config{AllowPrivateNetworks: true, NoDelay: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Crawl(ctx, []string{srv.URL + "/feed.xml"}); err != nil {
		t.Fatal(err)
	}
	var stories []wirecrawl.Story
	if err := st.Stories(ctx, export.Filter{}, func(s wirecrawl.Story) error { stories = append(stories, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stories) != 1 {
		t.Fatalf("stored %d stories, want the one from the feed content", len(stories))
	}
	s := stories[0]
	if !strings.Contains(s.Text, "The council voted on Tuesday") || strings.Contains(s.Text, "password") {
		t.Errorf("text %q is not the feed's content", s.Text)
	}
	if s.Title != "Council expands the harbour" || s.Byline != "Jo Reporter" || s.Published.IsZero() {
		t.Errorf("title %q, byline %q, published %v: want the feed item's metadata", s.Title, s.Byline, s.Published)
	}
}
