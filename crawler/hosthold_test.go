package crawler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
)

// exchange is one request as the server saw it: when it arrived and when
// the answer had been written.
type exchange struct {
	path       string
	start, end time.Time
}

// TestPolitenessAcrossProcesses: two crawlers that share nothing but the
// store, as two processes of a fleet would, crawl one host whose answers
// take three times its delay. The server must see one request at a time, and
// each at least the delay after the previous answer: the per-host limit and
// delay hold across processes as they do within one.
func TestPolitenessAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds")
	}
	t.Run("sqlite", func(t *testing.T) {
		dsn := filepath.Join(t.TempDir(), "fleet.db")
		testPolitenessAcrossProcesses(t, func() frontier.State {
			st, err := store.Open(context.Background(), dsn, store.Config{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		})
	})
	t.Run("memory", func(t *testing.T) {
		st := frontier.NewMemoryState()
		testPolitenessAcrossProcesses(t, func() frontier.State { return st })
	})
}

// testPolitenessAcrossProcesses runs the test with the State handles that
// open gives, one per crawler, all on one state.
func testPolitenessAcrossProcesses(t *testing.T, open func() frontier.State) {
	// A crawler leases 32 jobs at a time: with 40 both get some.
	const articles, delay, slow = 40, 20 * time.Millisecond, 60 * time.Millisecond
	var mu sync.Mutex
	var log []exchange
	inFlight, maxInFlight := 0, 0
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		start := time.Now()
		inFlight++
		maxInFlight = max(maxInFlight, inFlight)
		mu.Unlock()
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>`)
			for i := range articles {
				fmt.Fprintf(w, `<item><title>Story %d</title><link>%s/a/%d</link></item>`, i, srv.URL, i)
			}
			fmt.Fprint(w, `</channel></rss>`)
		default:
			time.Sleep(slow)
			fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title></head><body><article><p>The story at %s, told slowly.</p></article></body></html>`,
				r.URL.Path, r.URL.Path)
		}
		mu.Lock()
		inFlight--
		log = append(log, exchange{r.URL.Path, start, time.Now()})
		mu.Unlock()
	}))
	defer srv.Close()

	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	cfg := crawler.Config{
		UserAgent:            "wirecrawl-test/1.0",
		Workers:              2,
		Delay:                delay,
		Timeout:              5 * time.Second,
		RetryBackoff:         10 * time.Millisecond,
		AllowPrivateNetworks: true,
		LeaseTTL:             20 * time.Second,
	}
	var hmu sync.Mutex
	handled := map[string]int{}
	handler := func(_ context.Context, f crawler.Fetched) error {
		hmu.Lock()
		defer hmu.Unlock()
		handled[f.URL]++
		return nil
	}
	// The articles are queued before the crawlers start, so that both lease
	// some from the first moment.
	var jobs []frontier.Job
	for i := range articles {
		jobs = append(jobs, frontier.Job{URL: fmt.Sprintf("%s/a/%d", srv.URL, i), Host: srv.Listener.Addr().String(), Kind: frontier.KindArticle})
	}
	if _, err := open().Enqueue(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	fetched := make([]int, 2)
	for i := range 2 {
		c, err := crawler.NewAsOwnProcess(cfg, open(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		wg.Go(func() {
			sum, err := c.Crawl(ctx, []string{srv.URL + "/feed.xml"}, false, handler)
			if err != nil {
				t.Errorf("crawler %d: %v", i, err)
			}
			fetched[i] = sum.PagesFetched
		})
	}
	wg.Wait()

	t.Logf("pages fetched by each crawler: %v", fetched)
	for i, n := range fetched {
		if n == 0 {
			t.Errorf("crawler %d fetched nothing: the test needs the work shared", i)
		}
	}
	if len(handled) != articles {
		t.Errorf("%d articles handled, want %d: %v", len(handled), articles, handled)
	}
	for u, n := range handled {
		if n != 1 {
			t.Errorf("%s handled %d times", u, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if maxInFlight != 1 {
		t.Errorf("the server saw %d requests at once, want 1", maxInFlight)
	}
	sort.Slice(log, func(i, j int) bool { return log[i].start.Before(log[j].start) })
	short := 0
	for i := 1; i < len(log); i++ {
		if gap := log[i].start.Sub(log[i-1].end); gap < delay {
			short++
			if short <= 5 {
				t.Errorf("%s came %v after the answer to %s, want >= %v", log[i].path, gap.Round(time.Millisecond), log[i-1].path, delay)
			}
		}
	}
	if short > 0 {
		t.Errorf("%d of %d requests came sooner than the delay after the previous answer", short, len(log)-1)
	}
}

// A process that died holding a host (its hold never released) blocks the
// host until the hold expires, not for ever: the next crawler's first request
// to it waits for the expiry, then the crawl completes.
func TestDeadHoldExpires(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a hold to expire")
	}
	var mu sync.Mutex
	var first time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if first.IsZero() && r.URL.Path != "/robots.txt" {
			first = time.Now()
		}
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			fmt.Fprintf(w, `<!doctype html><html><head><title>A</title></head><body><article><p>The story at %s.</p></article></body></html>`, r.URL.Path)
		}
	}))
	defer srv.Close()
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	st := frontier.NewMemoryState()
	host := srv.Listener.Addr().String()
	if _, err := st.Enqueue(ctx, []frontier.Job{{URL: srv.URL + "/a/1", Host: host, Kind: frontier.KindArticle}}); err != nil {
		t.Fatal(err)
	}
	// The dead process's hold: taken now, never renewed nor released.
	start := time.Now()
	const deadFor = 1500 * time.Millisecond
	if ok, _, err := st.HoldHost(ctx, host, "dead-process#1", start, start.Add(deadFor)); err != nil || !ok {
		t.Fatalf("setup hold: %v %v", ok, err)
	}
	c, err := crawler.NewAsOwnProcess(crawler.Config{
		UserAgent:            "wirecrawl-test/1.0",
		Delay:                20 * time.Millisecond,
		Timeout:              5 * time.Second,
		AllowPrivateNetworks: true,
	}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sum, err := c.Crawl(ctx, nil, false, func(context.Context, crawler.Fetched) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if sum.PagesFetched != 1 {
		t.Fatalf("summary %+v, want the page fetched", sum)
	}
	mu.Lock()
	defer mu.Unlock()
	if waited := first.Sub(start); waited < deadFor {
		t.Errorf("first request %v after the dead hold was taken, want >= %v", waited, deadFor)
	}
}
