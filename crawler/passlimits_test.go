package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// countingServer serves robots.txt (404), article pages, and pages that
// hang (paths under /hang/) until the client gives up, counting requests.
func countingServer(t *testing.T, pageDelay time.Duration) (*httptest.Server, *reqLog) {
	t.Helper()
	lg := &reqLog{}
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg.add(r)
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case strings.HasPrefix(r.URL.Path, "/hang/"):
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		default:
			if pageDelay > 0 {
				select {
				case <-time.After(pageDelay):
				case <-stop:
					return
				}
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, articleHTML("Page "+r.URL.Path, "", false))
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv, lg
}

func enqueueArticles(t *testing.T, st frontier.State, base, prefix string, n int) []string {
	t.Helper()
	var jobs []frontier.Job
	var urls []string
	for i := range n {
		u := fmt.Sprintf("%s/%s/%d.html", base, prefix, i)
		jobs = append(jobs, frontier.Job{URL: u, Host: frontier.HostOf(u), Kind: frontier.KindArticle, NotBefore: time.Now()})
		urls = append(urls, u)
	}
	if _, err := st.Enqueue(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	return urls
}

func (l *reqLog) countPrefix(prefix string) int {
	n := 0
	for _, r := range l.all() {
		if strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// TestHangingHostDeferred reproduces issue 12's hostile host: URLs that hang
// until the timeout. Each is asked for once in the pass, not retried in it
// (the retry is left for a later run, TimeoutRetryDelay away); after
// MaxHostTimeouts in a row the host's other URLs are left for later too,
// counted; and another host's pages are all fetched meanwhile.
func TestHangingHostDeferred(t *testing.T) {
	hang, hangLog := countingServer(t, 0)
	good, goodLog := countingServer(t, 0)
	st := frontier.NewMemoryState()
	hanging := enqueueArticles(t, st, hang.URL, "hang", 6)
	pages := enqueueArticles(t, st, good.URL, "news", 6)

	cfg := testConfig()
	cfg.Timeout = time.Second
	cfg.MaxRetries = 3
	cfg.MaxHostTimeouts = 3
	cfg.TimeoutRetryDelay = time.Hour
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := newRecorder()
	sum, err := c.Crawl(context.Background(), nil, false, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if n := hangLog.countPrefix("/hang/"); n != cfg.MaxHostTimeouts {
		t.Errorf("%d requests to hanging URLs, want %d (one each, then the host is given up)", n, cfg.MaxHostTimeouts)
	}
	if sum.Deferred != 3 || sum.HostsGivenUp != 1 || sum.LeftOnHosts != 3 || sum.Failed != 0 {
		t.Errorf("summary: deferred %d, hosts given up %d, left on hosts %d, failed %d; want 3, 1, 3, 0",
			sum.Deferred, sum.HostsGivenUp, sum.LeftOnHosts, sum.Failed)
	}
	if sum.ErrorsByClass[frontier.ClassTimeout] != 3 || !strings.Contains(sum.ErrorExamples[frontier.ClassTimeout], "hang") {
		t.Errorf("timeouts %d, example %q", sum.ErrorsByClass[frontier.ClassTimeout], sum.ErrorExamples[frontier.ClassTimeout])
	}
	timedOut := 0
	for _, u := range hanging {
		state, class := st.JobStatus(u)
		if state != "queued" {
			t.Errorf("%s: %s (%s), want queued for a later run", u, state, class)
		}
		if class == frontier.ClassTimeout {
			timedOut++
		}
	}
	if timedOut != 3 {
		t.Errorf("%d hanging URLs queued with class timeout, want 3", timedOut)
	}
	for _, u := range pages {
		if rec.calls[u] != 1 {
			t.Errorf("%s handled %d times, want once", u, rec.calls[u])
		}
	}

	// The next run (a cron tick later) does not ask the hanging host again
	// before TimeoutRetryDelay.
	before, beforeGood := hangLog.countPrefix("/hang/"), goodLog.countPrefix("/news/")
	if _, err := c.Crawl(context.Background(), nil, false, rec.handle); err != nil {
		t.Fatal(err)
	}
	if n := hangLog.countPrefix("/hang/"); n != before {
		t.Errorf("the next run asked the hanging host %d times before its retry time", n-before)
	}
	if n := goodLog.countPrefix("/news/"); n != beforeGood {
		t.Errorf("the next run fetched %d stored pages again", n-beforeGood)
	}
}

// TestMaxPassDuration: a pass over more work than fits ends at
// MaxPassDuration without error, says so, holds no lease afterwards, and
// the next pass finishes the work, each page handled once.
func TestMaxPassDuration(t *testing.T) {
	slow, _ := countingServer(t, 200*time.Millisecond)
	st := frontier.NewMemoryState()
	urls := enqueueArticles(t, st, slow.URL, "slow", 40) // one host, one request at a time: >= 8 s

	cfg := testConfig()
	cfg.MaxPassDuration = time.Second
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := newRecorder()
	sum, err := c.Crawl(context.Background(), nil, false, rec.handle)
	if err != nil {
		t.Fatalf("a pass cut at max_pass_duration returned %v", err)
	}
	if !sum.TimeUp || sum.Left == 0 {
		t.Fatalf("summary: time up %v, left %d; want a pass cut with work left", sum.TimeUp, sum.Left)
	}
	for _, u := range urls {
		if state, _ := st.JobStatus(u); state == "leased" {
			t.Errorf("%s still leased after the pass", u)
		}
	}
	c2, err := New(testConfig(), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	sum2, err := c2.Crawl(context.Background(), nil, false, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.TimeUp || sum2.Left != 0 {
		t.Errorf("second pass: time up %v, left %d", sum2.TimeUp, sum2.Left)
	}
	for _, u := range urls {
		if rec.calls[u] != 1 {
			t.Errorf("%s handled %d times, want once", u, rec.calls[u])
		}
	}
}

// brokenState is a MemoryState whose store "breaks": errBroken, from any
// call or from the handler writing to it, is an unusable-store error.
type brokenState struct {
	*frontier.MemoryState
}

var errBroken = errors.New("database disk image is malformed")

func (brokenState) Unusable(err error) bool { return errors.Is(err, errBroken) }

// TestUnusableStoreEndsPass: a handler error that says the store is
// unusable ends the pass at once with that error; no job is failed or
// retried for it, and no page is fetched twice.
func TestUnusableStoreEndsPass(t *testing.T) {
	srv, lg := countingServer(t, 0)
	st := brokenState{frontier.NewMemoryState()}
	urls := enqueueArticles(t, st, srv.URL, "news", 60)
	cfg := testConfig()
	cfg.Delay = 0
	cfg.NoDelay = true
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var mu sync.Mutex
	handled := 0
	h := func(ctx context.Context, f Fetched) error {
		mu.Lock()
		defer mu.Unlock()
		handled++
		if handled > 5 {
			return fmt.Errorf("store %s: %w", f.URL, errBroken)
		}
		return nil
	}
	sum, err := c.Crawl(context.Background(), nil, false, h)
	if !errors.Is(err, errBroken) {
		t.Fatalf("crawl on a broken store: %v, want the store's error", err)
	}
	if sum.Failed != 0 || sum.Retries != 0 {
		t.Errorf("failed %d, retries %d; want none (the pages are not at fault)", sum.Failed, sum.Retries)
	}
	for _, u := range urls {
		if state, class := st.JobStatus(u); state == "failed" {
			t.Errorf("%s failed (%s)", u, class)
		}
	}
	for _, r := range lg.all() {
		if n := lg.count(r.Path); n > 1 {
			t.Fatalf("%s fetched %d times", r.Path, n)
		}
	}
	if n := lg.countPrefix("/news/"); n > 5+cfg.Workers*2 {
		t.Errorf("%d pages fetched after the store broke at the 6th; the pass went on", n)
	}
}

// TestLeaseHeartbeat: a job whose request outlasts LeaseTTL several times
// over keeps its lease (renewed while it runs), so another crawler sharing
// the store does not take it over and fetch it a second time.
// (TestLeaseTakeover: a dead owner's job comes back after its lease.)
func TestLeaseHeartbeat(t *testing.T) {
	slow, lg := countingServer(t, 7*time.Second)
	st := frontier.NewMemoryState()
	enqueueArticles(t, st, slow.URL, "slow", 1)
	cfg := testConfig()
	cfg.LeaseTTL = 2 * time.Second
	cfg.Timeout = 20 * time.Second
	cfg.NoDelay = true
	a, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.hosts = newHostSems() // another process: its own host semaphores

	recA, recB := newRecorder(), newRecorder()
	doneA := make(chan error, 1)
	go func() {
		_, err := a.Crawl(context.Background(), nil, false, recA.handle)
		doneA <- err
	}()
	// Crawler b passes over the store again and again while a runs: the
	// one that leased the job first fetches it; the other's passes wait for
	// it (up to LeaseTTL each) and must not find its lease expired.
	for {
		if _, err := b.Crawl(context.Background(), nil, false, recB.handle); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-doneA:
			if err != nil {
				t.Fatal(err)
			}
			if n := lg.countPrefix("/slow/"); n != 1 {
				t.Errorf("the slow page was asked for %d times, want once (its lease was renewed)", n)
			}
			if len(recA.calls)+len(recB.calls) != 1 {
				t.Errorf("handled by a %v, by b %v; want once by one of them", recA.calls, recB.calls)
			}
			return
		default:
		}
	}
}

// relettingState is a MemoryState that holds back the worker which puts url
// back for an in-pass retry until the pass has leased url again: the
// interleaving a loaded machine produces when the dispatcher leases between
// a job's Retry and the moment it hears that the job is over.
type relettingState struct {
	*frontier.MemoryState
	url       string
	retried   atomic.Bool
	releaseMu sync.Once
	leased    chan struct{} // closed when url is leased after its Retry
}

func (s *relettingState) Retry(ctx context.Context, u string, notBefore time.Time, class string) error {
	err := s.MemoryState.Retry(ctx, u, notBefore, class)
	if u == s.url && s.retried.CompareAndSwap(false, true) {
		select {
		case <-s.leased:
		case <-time.After(time.Minute): // a guard against a hang, not a timing
		}
	}
	return err
}

func (s *relettingState) Lease(ctx context.Context, owner string, n int, now time.Time, ttl time.Duration) ([]frontier.Job, error) {
	jobs, err := s.MemoryState.Lease(ctx, owner, n, now, ttl)
	for _, j := range jobs {
		if j.URL == s.url && s.retried.Load() {
			s.releaseMu.Do(func() { close(s.leased) })
		}
	}
	return jobs, err
}

// TestGivenUpHostLeavesNoLease: a job of a host given up in the pass
// (MaxHostTimeouts) that waits for an in-pass retry (a 503), and that the
// pass leases again before its worker is done with it, ends the pass
// queued (or done), never leased: every job a pass leases ends it done,
// failed, retried or postponed. (It stayed leased until lease_ttl: the
// dispatcher took the new lease for its own stale one and dropped it.)
func TestGivenUpHostLeavesNoLease(t *testing.T) {
	stop := make(chan struct{})
	var flakyHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case strings.HasPrefix(r.URL.Path, "/hang/"):
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		case r.URL.Path == "/flaky.html" && flakyHits.Add(1) == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, articleHTML("Page "+r.URL.Path, "", false))
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })

	flaky := srv.URL + "/flaky.html"
	st := &relettingState{MemoryState: frontier.NewMemoryState(), url: flaky, leased: make(chan struct{})}
	if _, err := st.Enqueue(context.Background(), []frontier.Job{{URL: flaky, Host: frontier.HostOf(flaky), Kind: frontier.KindArticle, NotBefore: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	hanging := enqueueArticles(t, st, srv.URL, "hang", 4)

	cfg := testConfig()
	cfg.NoDelay = true
	cfg.Delay = 0
	cfg.PerHostParallelism = 4
	cfg.Timeout = time.Second
	cfg.RetryBackoff = time.Millisecond
	cfg.MaxHostTimeouts = 2
	cfg.TimeoutRetryDelay = time.Hour
	cfg.LeaseTTL = time.Hour // a lease left behind is not taken back in the pass
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.hosts = newHostSems()
	sum, err := c.Crawl(context.Background(), nil, false, newRecorder().handle)
	if err != nil {
		t.Fatal(err)
	}
	if !st.retried.Load() {
		t.Fatal("the flaky page was never retried: the test did not set up its case")
	}
	if sum.HostsGivenUp != 1 {
		t.Errorf("hosts given up %d, want 1", sum.HostsGivenUp)
	}
	for _, u := range append([]string{flaky}, hanging...) {
		state, class := st.JobStatus(u)
		if state == "leased" {
			t.Errorf("%s still leased after the pass (class %q)", u, class)
		}
		if state == "failed" {
			t.Errorf("%s failed (%s); want it queued for a later run or done", u, class)
		}
	}
}
