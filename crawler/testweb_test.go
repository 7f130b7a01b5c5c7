package crawler

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// startWeb starts a simulated news web for one test.
func startWeb(t testing.TB, opts testweb.Options) *testweb.Web {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := testweb.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("testweb: %v", err)
	}
	t.Cleanup(func() {
		_ = w.Close()
		cancel()
	})
	return w
}

// truthHandler counts, per true article URL, how often the handler stored it.
type truthHandler struct {
	w       *testweb.Web
	mu      sync.Mutex
	stored  map[string]int // canonical truth URL -> calls
	unknown []string
	n       atomic.Int64
	after   func(n int64) // called after each stored page
}

func newTruthHandler(w *testweb.Web) *truthHandler {
	return &truthHandler{w: w, stored: map[string]int{}}
}

func (h *truthHandler) handle(ctx context.Context, f Fetched) error {
	p, ok := h.w.TruthFor(f.URL)
	if !ok {
		p, ok = h.w.TruthFor(f.FinalURL)
	}
	h.mu.Lock()
	if ok {
		h.stored[p.URL]++
	} else {
		h.unknown = append(h.unknown, f.URL)
	}
	h.mu.Unlock()
	n := h.n.Add(1)
	if h.after != nil {
		h.after(n)
	}
	return nil
}

// checkComplete asserts that every allowed truth page was stored exactly once
// and nothing else was.
func (h *truthHandler) checkComplete(t *testing.T) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	missing, dup := 0, 0
	for _, p := range h.w.Truth() {
		n := h.stored[p.URL]
		switch {
		case p.Disallowed && n > 0:
			t.Errorf("disallowed page %s stored", p.URL)
		case !p.Disallowed && n == 0:
			missing++
			if missing <= 5 {
				t.Errorf("page %s never stored (fault %q)", p.URL, p.Fault)
			}
		case n > 1:
			dup++
			if dup <= 5 {
				t.Errorf("page %s stored %d times", p.URL, n)
			}
		}
	}
	if missing > 0 || dup > 0 {
		t.Errorf("%d pages missing, %d stored more than once", missing, dup)
	}
	if len(h.unknown) > 0 {
		t.Errorf("%d stored URLs are not articles, e.g. %v", len(h.unknown), h.unknown[:min(3, len(h.unknown))])
	}
}

// checkPoliteness asserts from the server's log that no disallowed path was
// requested, that per-host gaps held, and that Retry-After was honoured.
func checkPoliteness(t *testing.T, w *testweb.Web, reqs []testweb.Request, delay func(outlet int) time.Duration) {
	t.Helper()
	disallowed := map[string]bool{}
	for _, p := range w.Truth() {
		if p.Disallowed {
			disallowed[p.URL] = true
		}
	}
	// The log is in completion order; gaps are between arrivals.
	reqs = append([]testweb.Request(nil), reqs...)
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Time.Before(reqs[j].Time) })
	last := map[string]testweb.Request{}
	retryAt := map[string]time.Time{}
	violations := 0
	for _, r := range reqs {
		if disallowed[r.URL] {
			t.Errorf("disallowed URL requested: %s", r.URL)
		}
		if prev, ok := last[r.Host]; ok {
			if gap := r.Time.Sub(prev.Time); gap < delay(r.Outlet) {
				violations++
				if violations <= 5 {
					t.Errorf("host %s: requests %v apart (< %v): %s (%d %s) then %s (%d %s)", r.Host, gap, delay(r.Outlet),
						prev.Path, prev.Status, prev.Fault, r.Path, r.Status, r.Fault)
				}
			}
		}
		last[r.Host] = r
		if at, ok := retryAt[r.URL]; ok && r.Time.Before(at) {
			t.Errorf("%s requested again %v before its Retry-After", r.URL, at.Sub(r.Time))
		}
		delete(retryAt, r.URL)
		if r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable {
			// testweb sends Retry-After of RetryAfter (429) or an HTTP date
			// at least that far (503); check the lower bound.
			retryAt[r.URL] = r.Time.Add(w.Options().RetryAfter)
		}
	}
	if violations > 0 {
		t.Errorf("%d per-host delay violations", violations)
	}
}

func webConfig() Config {
	cfg := testConfig()
	cfg.Workers = 8
	cfg.Delay = 15 * time.Millisecond
	cfg.MaxBodyBytes = 2 << 20
	cfg.Timeout = 3 * time.Second
	cfg.RetryBackoff = 10 * time.Millisecond
	return cfg
}

func TestCrawlTestweb(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the simulated web")
	}
	w := startWeb(t, testweb.Options{Seed: 1, Stories: 90, CrawlDelay: 40 * time.Millisecond})
	st := frontier.NewMemoryState()
	cfg := webConfig()
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := newTruthHandler(w)
	var progressCalls, lastDone atomic.Int64
	c.SetProgress(func(done, queued int) {
		progressCalls.Add(1)
		lastDone.Store(int64(done))
	})
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	sum, err := c.Crawl(ctx, w.Seeds(), false, h.handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first run: %+v, %d requests, %d truth pages", sum, len(w.Requests()), len(w.Truth()))
	if progressCalls.Load() == 0 || lastDone.Load() < int64(sum.PagesStored) {
		t.Errorf("progress hook: %d calls, last done %d", progressCalls.Load(), lastDone.Load())
	}
	c.SetProgress(nil)
	h.checkComplete(t)
	checkPoliteness(t, w, w.Requests(), func(o int) time.Duration {
		if o%2 == 0 {
			return 40 * time.Millisecond
		}
		return cfg.Delay
	})
	// The only failures are the disallowed pages the feeds list.
	if sum.Failed != sum.ErrorsByClass[frontier.ClassRobots] || len(sum.ErrorsByClass) > 1 || sum.Left != 0 {
		t.Errorf("failed %d, left %d; errors %v", sum.Failed, sum.Left, sum.ErrorsByClass)
	}

	// Second run, forced, same state: feeds and sitemaps answer 304, no
	// article is fetched again.
	w.ResetRequests()
	sum2, err := c.Crawl(ctx, w.Seeds(), true, h.handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second run: %+v", sum2)
	n304, articles := 0, 0
	for _, r := range w.Requests() {
		if r.Status == http.StatusNotModified {
			n304++
		}
		if _, ok := w.TruthFor(r.URL); ok {
			articles++
		}
	}
	if n304 == 0 || sum2.NotModified != n304 {
		t.Errorf("second run: %d 304s served, %d counted", n304, sum2.NotModified)
	}
	if articles != 0 || sum2.PagesFetched != 0 {
		t.Errorf("second run fetched %d article URLs", articles)
	}
	h.checkComplete(t)
}

func TestCrawlTestwebFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the simulated web")
	}
	w := startWeb(t, testweb.Options{Seed: 2, Stories: 70, Faults: true, SlowDelay: 100 * time.Millisecond})
	st := frontier.NewMemoryState()
	cfg := webConfig()
	cfg.Timeout = 1500 * time.Millisecond // the trickle trap times out on each of its tries
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := newTruthHandler(w)
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	sum, err := c.Crawl(ctx, w.Seeds(), false, h.handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("faults run: %+v, %d requests", sum, len(w.Requests()))
	h.checkComplete(t)
	checkPoliteness(t, w, w.Requests(), func(int) time.Duration { return cfg.Delay })
	// Every trap ends failed with a class, none stored, none still pending;
	// except a trap that timed out, which waits for a later run (a hanging
	// URL is not retried in the pass that it held up).
	deferred := 0
	for _, tr := range w.Traps() {
		n, err := NormalizeURL(tr.URL)
		if err != nil {
			t.Fatal(err)
		}
		state, class := st.JobStatus(n)
		switch tr.Kind {
		case testweb.TrapRedirectChain:
			continue // ends at a real article
		case testweb.TrapSitemapExtra:
			if state != "done" {
				t.Errorf("trap sitemap %s: %s", tr.URL, state)
			}
			continue
		}
		if class == frontier.ClassTimeout && state == "queued" {
			deferred++
		} else if state != "failed" && state != "" {
			t.Errorf("trap %s (%s): state %q class %q", tr.URL, tr.Kind, state, class)
		}
		t.Logf("trap %-20s %-8s %s", tr.Kind, state, class)
	}
	if sum.Left != deferred || sum.Deferred != deferred {
		t.Errorf("left %d, deferred %d, want both %d (the traps that timed out)", sum.Left, sum.Deferred, deferred)
	}
}

func TestCrawlTestwebInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the simulated web")
	}
	w := startWeb(t, testweb.Options{Seed: 3, Stories: 80})
	st := frontier.NewMemoryState()
	cfg := webConfig()
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := newTruthHandler(w)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.after = func(n int64) {
		if n == 40 {
			cancel()
		}
	}
	_, err = c.Crawl(ctx, w.Seeds(), false, h.handle)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted crawl: err = %v, want context.Canceled", err)
	}
	first := h.n.Load()
	h.after = nil
	// The rerun is a new Crawler on the same state, as after a restart.
	c2, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	ctx2 := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	sum, err := c2.Crawl(ctx2, w.Seeds(), false, h.handle)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("interrupted after %d pages; rerun: %+v", first, sum)
	h.checkComplete(t)
}

// sortedKeys is a test helper for stable messages.
func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var _ = strings.TrimSpace
var _ = sortedKeys
