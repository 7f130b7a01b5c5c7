package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// TestIngestLeavesFrontier: `wirecrawl ingest` on a database where an
// earlier crawl left jobs queued fetches what it was given (an article, a
// feed and the feed's articles) and none of those jobs.
func TestIngestLeavesFrontier(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 5, Stories: 12})
	db := filepath.Join(t.TempDir(), "w.db")
	env := crawlEnv(web, db)

	var hits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer other.Close()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var left []frontier.Job
	var leftURLs []string
	for i := range 20 {
		u := fmt.Sprintf("%s/old/%d", other.URL, i)
		left = append(left, frontier.Job{URL: u, Kind: frontier.KindArticle, NotBefore: time.Now().Add(-time.Minute), Attempts: i % 2})
		leftURLs = append(leftURLs, u)
	}
	if _, err := st.Enqueue(ctx, left); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	page := web.Truth()[0]
	code, out, errOut := runCLI(t, env, "ingest", page.URL)
	if code != 0 || !strings.Contains(out, page.URL+": stored as new story") {
		t.Fatalf("ingest of an article: exit %d, out %q, err %q", code, out, errOut)
	}
	var feed string
	for _, s := range web.Seeds() {
		if strings.HasSuffix(s, ".xml") && !strings.Contains(s, "sitemap") {
			feed = s
			break
		}
	}
	if feed == "" {
		t.Fatalf("no feed among the seeds %v", web.Seeds())
	}
	code, out, errOut = runCLI(t, env, "ingest", feed)
	if code != 0 || strings.Count(out, ": stored as new story")+strings.Count(out, ": merged into story") == 0 {
		t.Fatalf("ingest of a feed: exit %d, out %q, err %q", code, out, errOut)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("ingest fetched %d URLs an earlier crawl had queued", n)
	}

	st, err = store.Open(ctx, db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jobs, err := st.LeaseURLs(ctx, "check", leftURLs, len(leftURLs), time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != len(left) {
		t.Errorf("%d of %d jobs left by the earlier crawl still queued", len(jobs), len(left))
	}
	for _, j := range jobs {
		var i int
		_, _ = fmt.Sscanf(j.URL[strings.LastIndex(j.URL, "/")+1:], "%d", &i)
		if j.Attempts != i%2 {
			t.Errorf("%s: %d attempts, want %d", j.URL, j.Attempts, i%2)
		}
	}
}
