package crawler_test

// These tests run the crawler on the store's SQLite State, the one the
// commands use: the contract between the two, not just MemoryState.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

type counting struct {
	mu     sync.Mutex
	w      *testweb.Web
	stored map[string]int
}

func (c *counting) handle(ctx context.Context, f crawler.Fetched) error {
	p, ok := c.w.TruthFor(f.URL)
	if !ok {
		p, ok = c.w.TruthFor(f.FinalURL)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		c.stored[p.URL]++
	} else {
		c.stored["?"+f.URL]++
	}
	return nil
}

func (c *counting) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	bad := 0
	for _, p := range c.w.Truth() {
		n := c.stored[p.URL]
		if (p.Disallowed && n != 0) || (!p.Disallowed && n != 1) {
			bad++
			if bad <= 5 {
				t.Errorf("%s (disallowed %v) stored %d times", p.URL, p.Disallowed, n)
			}
		}
	}
	for u := range c.stored {
		if u[0] == '?' {
			t.Errorf("stored a non-article %s", u[1:])
		}
	}
	if bad > 0 {
		t.Errorf("%d pages not stored exactly once", bad)
	}
}

func TestCrawlSQLiteTwoCrawlers(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the simulated web")
	}
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	w, err := testweb.Start(ctx, testweb.Options{Seed: 5, Stories: 40, Faults: true, SlowDelay: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st := openStore(t)
	cfg := crawler.Config{
		UserAgent:            "wirecrawl-test/1.0",
		Workers:              4,
		Delay:                30 * time.Millisecond,
		MaxBodyBytes:         2 << 20,
		Timeout:              1500 * time.Millisecond,
		RetryBackoff:         10 * time.Millisecond,
		AllowPrivateNetworks: true,
		LeaseTTL:             20 * time.Second,
	}
	h := &counting{w: w, stored: map[string]int{}}
	// Two crawlers on one database, as two overlapping runs would be (when
	// the command lets them): the frontier leases split the work and
	// ReserveHost spaces the requests. They share this process, so they also
	// share each host's semaphore and the delay holds from every answer.
	var wg sync.WaitGroup
	sums := make([]crawler.Summary, 2)
	for i := range 2 {
		c, err := crawler.New(cfg, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.Crawl(ctx, w.Seeds(), false, h.handle)
			if err != nil {
				t.Errorf("crawler %d: %v", i, err)
			}
			sums[i] = s
		}()
	}
	wg.Wait()
	t.Logf("summaries: %+v / %+v", sums[0], sums[1])
	if sums[0].PagesStored == 0 || sums[1].PagesStored == 0 {
		t.Logf("one crawler did all the work")
	}
	h.check(t)
	// The delay holds as the server measures it (across processes too: see
	// TestPolitenessAcrossProcesses).
	checkServerGaps(t, w.Requests(), cfg.Delay)

	// A forced rerun on the same database: validators answer 304, no
	// article is fetched again.
	w.ResetRequests()
	c, err := crawler.New(cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Crawl(ctx, w.Seeds(), true, h.handle)
	if err != nil {
		t.Fatal(err)
	}
	n304 := 0
	for _, r := range w.Requests() {
		if r.Status == http.StatusNotModified {
			n304++
		}
		if _, ok := w.TruthFor(r.URL); ok {
			t.Errorf("rerun fetched article %s", r.URL)
		}
	}
	if n304 == 0 || s.NotModified != n304 {
		t.Errorf("rerun: %d 304s served, %d counted: %+v", n304, s.NotModified, s)
	}
	h.check(t)
}

// BenchmarkCrawlTestwebSQLite is BenchmarkCrawlTestweb on the store's SQLite
// State (a fresh database per iteration), as the commands run it. It reports
// the peak heap in use above the heap before the crawl (the simulated web's
// model is in that baseline; its per-request garbage is not).
func BenchmarkCrawlTestwebSQLite(b *testing.B) {
	ctx := context.Background()
	stories := 0
	if s := os.Getenv("CRAWLER_BENCH_STORIES"); s != "" {
		stories, _ = strconv.Atoi(s)
	}
	w, err := testweb.Start(ctx, testweb.Options{Seed: 7, Stories: stories})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peakOf := crawler.PeakHeap(stop)
	cfg := crawler.Config{UserAgent: "wirecrawl-bench/1.0", Workers: 16, NoDelay: true, PerHostParallelism: 4, AllowPrivateNetworks: true}
	var pages int64
	var elapsed time.Duration
	for i := range b.N {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)), store.Config{})
		if err != nil {
			b.Fatal(err)
		}
		c, err := crawler.New(cfg, st, nil)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		sum, err := c.Crawl(ctx, w.Seeds(), true, func(context.Context, crawler.Fetched) error { return nil })
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		pages += int64(sum.PagesStored)
		_ = c.Close()
		_ = st.Close()
	}
	close(stop)
	b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	if p := peakOf(); p > base.HeapInuse {
		b.ReportMetric(float64(p-base.HeapInuse)/(1<<20), "peak-heap-MiB")
	}
}

// checkServerGaps asserts that the server saw no two requests to one host
// closer than delay.
func checkServerGaps(t *testing.T, reqs []testweb.Request, delay time.Duration) {
	t.Helper()
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Time.Before(reqs[j].Time) })
	last := map[string]testweb.Request{}
	bad := 0
	for _, r := range reqs {
		if prev, ok := last[r.Host]; ok && r.Time.Sub(prev.Time) < delay {
			bad++
			if bad <= 5 {
				t.Errorf("host %s: %v between %s and %s", r.Host, r.Time.Sub(prev.Time), prev.Path, r.Path)
			}
		}
		last[r.Host] = r
	}
	if bad > 0 {
		t.Errorf("%d per-host gaps below %v", bad, delay)
	}
}
