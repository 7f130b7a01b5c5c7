package storetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
)

// NewDSN returns the DSN of a fresh, empty store for one test; the store may
// be opened several times (as several processes would) through that DSN.
type NewDSN func(t *testing.T) string

// Run runs the whole suite against the backend whose fresh stores newDSN names.
func Run(t *testing.T, newDSN NewDSN) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newDSN NewDSN)
	}{
		{"Migrations", testMigrations},
		{"Enqueue", testEnqueue},
		{"Lease", testLease},
		{"LeaseConcurrent", testLeaseConcurrent},
		{"LeaseURLs", testLeaseURLs},
		{"RetryFinish", testRetryFinish},
		{"Requeue", testRequeue},
		{"Expedite", testExpedite},
		{"Feed", testFeed},
		{"Robots", testRobots},
		{"ReserveHost", testReserveHost},
		{"HoldHost", testHoldHost},
		{"SaveNew", testSaveNew},
		{"SaveCopy", testSaveCopy},
		{"SaveCanonicalReplace", testCanonicalReplace},
		{"SaveUnchanged", testSaveUnchanged},
		{"SaveIdempotent", testSaveIdempotent},
		{"SaveMovesURL", testSaveMovesURL},
		{"SaveDecideError", testSaveDecideError},
		{"SaveConcurrentCopies", testSaveConcurrent},
		{"SaveMerge", testSaveMerge},
		{"SaveMergeCanonical", testSaveMergeCanonical},
		{"SaveMergeOwnStory", testSaveMergeOwnStory},
		{"SaveMergeConcurrent", testSaveMergeConcurrent},
		{"KeepCopyText", testKeepCopyText},
		{"Uint64Keys", testUint64Keys},
		{"Nominate", testNominate},
		{"Stories", testStories},
		{"Search", testSearch},
		{"Raw", testRaw},
		{"RunLock", testRunLock},
		{"Stats", testStats},
		{"FetchLogDurable", testFetchLogDurable},
		{"PendingDueBy", testPendingDueBy},
		{"ReleaseLeases", testReleaseLeases},
		{"RenewLeases", testRenewLeases},
		{"RequeueFailed", testRequeueFailed},
		{"Postpone", testPostpone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newDSN) })
	}
}

// Open opens dsn with cfg and closes the store when the test ends.
func Open(t testing.TB, dsn string, cfg store.Config) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func fresh(t *testing.T, newDSN NewDSN, cfg store.Config) store.Store {
	t.Helper()
	return Open(t, newDSN(t), cfg)
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func job(u string) frontier.Job {
	return frontier.Job{URL: u, Host: frontier.HostOf(u), Kind: frontier.KindArticle}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testMigrations(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	// Two openers at once on a fresh store: both succeed, migrations apply once.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	stores := make([]store.Store, 3)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = store.Open(ctx, dsn, store.Config{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent open %d: %v", i, err)
		}
	}
	if _, err := stores[0].Enqueue(ctx, []frontier.Job{job("https://a.example/1")}); err != nil {
		t.Fatal(err)
	}
	for _, s := range stores {
		must(t, s.Close())
	}
	// Reopening keeps the data.
	s := Open(t, dsn, store.Config{})
	n, err := s.Pending(ctx, time.Time{})
	must(t, err)
	if n != 1 {
		t.Fatalf("after reopen: pending = %d, want 1", n)
	}
}

func testEnqueue(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	item := &frontier.FeedItem{FeedURL: "https://a.example/feed", Title: "T", Published: t0, Language: "en"}
	j1 := job("https://a.example/1")
	j1.Item = item
	added, err := s.Enqueue(ctx, []frontier.Job{j1, job("https://a.example/2"), job("https://a.example/2"), {}})
	must(t, err)
	if added != 2 {
		t.Fatalf("added = %d, want 2 (duplicate in one batch counted once, empty URL skipped)", added)
	}
	added, err = s.Enqueue(ctx, []frontier.Job{job("https://a.example/2"), job("https://b.example/3")})
	must(t, err)
	if added != 1 {
		t.Fatalf("second enqueue added = %d, want 1", added)
	}
	n, err := s.Pending(ctx, time.Time{})
	must(t, err)
	if n != 3 {
		t.Fatalf("pending = %d, want 3", n)
	}
	// Enqueue leaves known URLs as they are, even done ones.
	must(t, s.Finish(ctx, "https://b.example/3", ""))
	added, err = s.Enqueue(ctx, []frontier.Job{job("https://b.example/3")})
	must(t, err)
	if seen, _ := s.Seen(ctx, "https://b.example/3"); added != 0 || !seen {
		t.Fatalf("re-enqueue of a done URL: added %d, seen %v; want 0, true", added, seen)
	}
	jobs, err := s.Lease(ctx, "w", 10, t0, time.Minute)
	must(t, err)
	if len(jobs) != 2 {
		t.Fatalf("leased %d jobs, want 2", len(jobs))
	}
	got := jobs[0]
	if got.URL != j1.URL || got.Host != "a.example" || got.Kind != frontier.KindArticle || got.Item == nil ||
		got.Item.Title != "T" || !got.Item.Published.Equal(t0) || got.Item.FeedURL != item.FeedURL {
		t.Fatalf("job round trip: got %+v item %+v", got, got.Item)
	}
	if jobs[1].Item != nil {
		t.Fatalf("job without item came back with %+v", jobs[1].Item)
	}
}

func testLease(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	early, now, late := job("https://a.example/early"), job("https://a.example/now"), job("https://a.example/late")
	early.NotBefore, now.NotBefore, late.NotBefore = t0.Add(-time.Minute), t0, t0.Add(time.Hour)
	early.Kind, early.Depth = frontier.KindSitemap, 3
	_, err := s.Enqueue(ctx, []frontier.Job{late, early, now})
	must(t, err)

	jobs, err := s.Lease(ctx, "w1", 1, t0, time.Minute)
	must(t, err)
	if len(jobs) != 1 || jobs[0].URL != early.URL {
		t.Fatalf("lease 1: got %v, want the earliest due job", urls(jobs))
	}
	if jobs[0].Kind != frontier.KindSitemap || jobs[0].Depth != 3 {
		t.Fatalf("lease 1: kind %q depth %d, want sitemap at depth 3 as enqueued", jobs[0].Kind, jobs[0].Depth)
	}
	jobs, err = s.Lease(ctx, "w2", 10, t0, time.Minute)
	must(t, err)
	if len(jobs) != 1 || jobs[0].URL != "https://a.example/now" {
		t.Fatalf("lease 2: got %v, want only the other due job (not leased, not future)", urls(jobs))
	}
	// Before expiry nothing more; after it, another owner takes both over.
	jobs, err = s.Lease(ctx, "w3", 10, t0.Add(30*time.Second), time.Minute)
	must(t, err)
	if len(jobs) != 0 {
		t.Fatalf("lease before expiry: got %v", urls(jobs))
	}
	jobs, err = s.Lease(ctx, "w3", 10, t0.Add(2*time.Minute), 24*time.Hour)
	must(t, err)
	if len(jobs) != 2 {
		t.Fatalf("lease after expiry: got %v, want the 2 expired jobs", urls(jobs))
	}
	jobs, err = s.Lease(ctx, "w4", 10, t0.Add(2*time.Hour), time.Minute)
	must(t, err)
	if len(jobs) != 1 || jobs[0].URL != late.URL {
		t.Fatalf("lease later: got %v, want the late job", urls(jobs))
	}
	n, err := s.Pending(ctx, time.Time{})
	must(t, err)
	if n != 3 {
		t.Fatalf("pending = %d, want 3 (leased jobs are pending)", n)
	}
	if jobs, err := s.Lease(ctx, "w", 0, t0, time.Minute); err != nil || len(jobs) != 0 {
		t.Fatalf("lease 0: %v %v", jobs, err)
	}
}

// testLeaseURLs: LeaseURLs hands out only the listed URLs that Lease would
// hand out (due, or leased with an expired lease), and leaves every other
// job as it is.
func testLeaseURLs(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s := Open(t, dsn, store.Config{})
	at := func(u string, nb time.Time) frontier.Job {
		j := job(u)
		j.NotBefore = nb
		return j
	}
	expired := at("https://a.example/expired", t0.Add(-2*time.Hour))
	_, err := s.Enqueue(ctx, []frontier.Job{expired})
	must(t, err)
	js, err := s.Lease(ctx, "w0", 10, t0.Add(-2*time.Hour), time.Hour) // expires at t0-1h
	must(t, err)
	if len(js) != 1 {
		t.Fatalf("setup lease: %v", urls(js))
	}
	busy := at("https://a.example/busy", t0.Add(-2*time.Hour))
	_, err = s.Enqueue(ctx, []frontier.Job{busy})
	must(t, err)
	js, err = s.Lease(ctx, "w1", 10, t0.Add(-2*time.Hour), 3*time.Hour) // live until t0+1h
	must(t, err)
	if len(js) != 1 || js[0].URL != busy.URL {
		t.Fatalf("setup lease: %v", urls(js))
	}
	due := at("https://a.example/due", t0.Add(-time.Minute))
	due.Kind, due.Depth = frontier.KindSitemap, 2
	due.Item = &frontier.FeedItem{FeedURL: "https://a.example/feed", Title: "Due"}
	now := at("https://b.example/now", t0)
	future := at("https://a.example/future", t0.Add(time.Hour))
	done := at("https://a.example/done", t0.Add(-time.Hour))
	other := at("https://c.example/other", t0.Add(-2*time.Hour)) // due, but not asked for
	_, err = s.Enqueue(ctx, []frontier.Job{due, now, future, done, other})
	must(t, err)
	must(t, s.Finish(ctx, done.URL, ""))

	ask := []string{future.URL, now.URL, done.URL, busy.URL, "https://a.example/unknown", due.URL, expired.URL, now.URL}
	js, err = s.LeaseURLs(ctx, "w2", ask, 10, t0, time.Minute)
	must(t, err)
	if want := []string{expired.URL, due.URL, now.URL}; !slices.Equal(urls(js), want) {
		t.Fatalf("LeaseURLs: got %v, want %v (due or expired, in NotBefore order, once each)", urls(js), want)
	}
	if g := js[1]; g.Kind != frontier.KindSitemap || g.Depth != 2 || g.Host != "a.example" || g.Item == nil || g.Item.Title != "Due" || !g.NotBefore.Equal(due.NotBefore) {
		t.Fatalf("LeaseURLs round trip: %+v item %+v", g, g.Item)
	}
	if js[0].Attempts != 0 {
		t.Fatalf("taking over an expired lease counted an attempt: %+v", js[0])
	}
	// Leased now: not handed out again before the lease expires.
	js, err = s.LeaseURLs(ctx, "w3", ask, 10, t0.Add(30*time.Second), time.Minute)
	must(t, err)
	if len(js) != 0 {
		t.Fatalf("LeaseURLs of live leases: %v", urls(js))
	}
	// The job not asked for is still queued, and Lease finds only it.
	js, err = s.Lease(ctx, "w4", 10, t0.Add(30*time.Second), time.Minute)
	must(t, err)
	if len(js) != 1 || js[0].URL != other.URL {
		t.Fatalf("Lease after LeaseURLs: %v, want only %s", urls(js), other.URL)
	}
	// n bounds the batch; expired leases come back.
	js, err = s.LeaseURLs(ctx, "w5", ask, 2, t0.Add(2*time.Minute), time.Minute)
	must(t, err)
	if len(js) != 2 {
		t.Fatalf("LeaseURLs n=2: %v", urls(js))
	}
	if js, err := s.LeaseURLs(ctx, "w", ask, 0, t0.Add(time.Hour), time.Minute); err != nil || len(js) != 0 {
		t.Fatalf("LeaseURLs n=0: %v %v", urls(js), err)
	}
	if js, err := s.LeaseURLs(ctx, "w", nil, 10, t0.Add(time.Hour), time.Minute); err != nil || len(js) != 0 {
		t.Fatalf("LeaseURLs of no URLs: %v %v", urls(js), err)
	}
	if seen, _ := s.Seen(ctx, done.URL); !seen {
		t.Fatal("LeaseURLs reopened a done job")
	}

	// Long lists go in several statements; n holds across them.
	var many []frontier.Job
	var manyURLs []string
	for i := range 1100 {
		u := fmt.Sprintf("https://d.example/%04d", i)
		many = append(many, at(u, t0))
		manyURLs = append(manyURLs, "https://d.example/missing-"+u[len(u)-4:], u)
	}
	slices.Reverse(manyURLs)
	_, err = s.Enqueue(ctx, many)
	must(t, err)
	js, err = s.LeaseURLs(ctx, "w6", manyURLs, 1050, t0, time.Minute)
	must(t, err)
	if len(js) != 1050 {
		t.Fatalf("LeaseURLs of 2200 URLs, n=1050: got %d jobs", len(js))
	}
	js2, err := s.LeaseURLs(ctx, "w7", manyURLs, 1000, t0, time.Minute)
	must(t, err)
	got := map[string]int{}
	for _, j := range append(js, js2...) {
		got[j.URL]++
	}
	if len(js2) != 50 || len(got) != 1100 {
		t.Fatalf("second LeaseURLs: %d jobs, %d distinct in all; want 50 and 1100", len(js2), len(got))
	}

	// Workers on two handles lease from one list at once, in opposite
	// orders: every job is handed out once, and none waits for ever.
	var list []frontier.Job
	var listURLs []string
	for i := range 300 {
		u := fmt.Sprintf("https://e.example/%03d", i)
		list = append(list, at(u, t0))
		listURLs = append(listURLs, u)
	}
	_, err = s.Enqueue(ctx, list)
	must(t, err)
	stores := []store.Store{s, Open(t, dsn, store.Config{})}
	var mu sync.Mutex
	leased := map[string]int{}
	var wg sync.WaitGroup
	for w := range 6 {
		mine := slices.Clone(listURLs)
		if w%2 == 1 {
			slices.Reverse(mine)
		}
		wg.Go(func() {
			for {
				js, err := stores[w%2].LeaseURLs(ctx, fmt.Sprintf("c%d", w), mine, 7, t0, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(js) == 0 {
					return
				}
				mu.Lock()
				for _, j := range js {
					leased[j.URL]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(leased) != len(list) {
		t.Fatalf("concurrent LeaseURLs leased %d of %d jobs", len(leased), len(list))
	}
	for u, n := range leased {
		if n != 1 {
			t.Fatalf("%s leased %d times", u, n)
		}
	}
}

func urls(jobs []frontier.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.URL)
	}
	return out
}

// testLeaseConcurrent: workers on two store handles lease at once; every job
// is handed out exactly once.
func testLeaseConcurrent(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s1, s2 := Open(t, dsn, store.Config{}), Open(t, dsn, store.Config{})
	const n = 120
	var jobs []frontier.Job
	for i := range n {
		jobs = append(jobs, job(fmt.Sprintf("https://h%d.example/%d", i%7, i)))
	}
	_, err := s1.Enqueue(ctx, jobs)
	must(t, err)
	var (
		mu  sync.Mutex
		got = map[string]int{}
		wg  sync.WaitGroup
	)
	errc := make(chan error, 8)
	for w := range 8 {
		s := s1
		if w%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			for {
				js, err := s.Lease(ctx, fmt.Sprintf("w%d", w), 3, t0, time.Hour)
				if err != nil {
					errc <- err
					return
				}
				if len(js) == 0 {
					return
				}
				mu.Lock()
				for _, j := range js {
					got[j.URL]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("leased %d distinct jobs, want %d", len(got), n)
	}
	for u, c := range got {
		if c != 1 {
			t.Fatalf("%s leased %d times", u, c)
		}
	}
}

func testRetryFinish(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	_, err := s.Enqueue(ctx, []frontier.Job{job("https://a.example/1"), job("https://a.example/2")})
	must(t, err)
	_, err = s.Lease(ctx, "w", 2, t0, time.Minute)
	must(t, err)
	must(t, s.Retry(ctx, "https://a.example/1", t0.Add(time.Hour), "timeout"))
	if js, _ := s.Lease(ctx, "w", 5, t0.Add(time.Minute-time.Second), time.Minute); len(js) != 0 {
		t.Fatalf("retried job leased before its time: %v", urls(js))
	}
	js, err := s.Lease(ctx, "w", 5, t0.Add(time.Hour), time.Minute)
	must(t, err)
	// Job 2's lease expired at t0+1m too, so both come back; job 1 with one attempt.
	if len(js) != 2 {
		t.Fatalf("lease after retry time: %v", urls(js))
	}
	for _, j := range js {
		want := 0
		if j.URL == "https://a.example/1" {
			want = 1
		}
		if j.Attempts != want {
			t.Fatalf("%s attempts = %d, want %d", j.URL, j.Attempts, want)
		}
	}
	must(t, s.Finish(ctx, "https://a.example/1", ""))
	must(t, s.Finish(ctx, "https://a.example/2", "http_4xx"))
	for _, u := range []string{"https://a.example/1", "https://a.example/2"} {
		seen, err := s.Seen(ctx, u)
		must(t, err)
		if !seen {
			t.Fatalf("%s not seen after finish", u)
		}
	}
	if seen, _ := s.Seen(ctx, "https://a.example/never"); seen {
		t.Fatal("unknown URL seen")
	}
	n, err := s.Pending(ctx, time.Time{})
	must(t, err)
	if n != 0 {
		t.Fatalf("pending = %d after finishing everything", n)
	}
	// A finished job is not put back by a late Retry from a worker whose lease expired.
	must(t, s.Retry(ctx, "https://a.example/1", t0, "timeout"))
	if seen, _ := s.Seen(ctx, "https://a.example/1"); !seen {
		t.Fatal("late retry reopened a done job")
	}
	must(t, s.Retry(ctx, "https://a.example/unknown", t0, "timeout"))
	if n, _ := s.Pending(ctx, time.Time{}); n != 0 {
		t.Fatal("retry of a URL not in the frontier added it")
	}
	// Finishing a done job again, even as failed, leaves it done.
	must(t, s.Finish(ctx, "https://a.example/1", "http_5xx"))
	if st, _ := s.Stats(ctx); st.Frontier["done"] != 1 || st.Frontier["failed"] != 1 {
		t.Fatalf("finish twice: frontier %v", st.Frontier)
	}
	// Finish of a URL never enqueued records it (an ingested URL).
	must(t, s.Finish(ctx, "https://c.example/x", ""))
	if seen, _ := s.Seen(ctx, "https://c.example/x"); !seen {
		t.Fatal("finish of an unknown URL is not seen")
	}
}

func testRequeue(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	// Requeue judges leases by the wall clock, so this test uses it.
	now := time.Now()
	feed := frontier.Job{URL: "https://a.example/feed", Host: "a.example", Kind: frontier.KindFeed, NotBefore: now.Add(-time.Second)}
	busy := frontier.Job{URL: "https://a.example/busy", Host: "a.example", Kind: frontier.KindFeed, NotBefore: now.Add(-time.Second)}
	stale := frontier.Job{URL: "https://a.example/stale", Host: "a.example", Kind: frontier.KindFeed, NotBefore: now.Add(-2 * time.Hour)}
	_, err := s.Enqueue(ctx, []frontier.Job{feed, busy})
	must(t, err)
	js, err := s.Lease(ctx, "w", 2, now, time.Hour)
	must(t, err)
	if len(js) != 2 {
		t.Fatalf("leased %v", urls(js))
	}
	_, err = s.Enqueue(ctx, []frontier.Job{stale})
	must(t, err)
	js, err = s.Lease(ctx, "w", 5, now.Add(-2*time.Hour), time.Hour) // a lease that expired an hour ago
	must(t, err)
	if len(js) != 1 || js[0].URL != stale.URL {
		t.Fatalf("leased %v, want the stale job", urls(js))
	}
	must(t, s.Finish(ctx, feed.URL, ""))
	due := now.Add(10 * time.Minute)
	must(t, s.Requeue(ctx, []string{feed.URL, busy.URL, stale.URL, "https://a.example/unknown"}, due))
	if seen, _ := s.Seen(ctx, feed.URL); seen {
		t.Fatal("requeued feed still seen as done")
	}
	if js, _ := s.Lease(ctx, "w2", 5, now.Add(5*time.Minute), time.Hour); len(js) != 0 {
		t.Fatalf("requeued jobs leased before their time (or the leased job was requeued): %v", urls(js))
	}
	js, err = s.Lease(ctx, "w2", 5, due, time.Hour)
	must(t, err)
	if len(js) != 2 || js[0].URL != feed.URL || js[1].URL != stale.URL || js[0].Kind != frontier.KindFeed {
		t.Fatalf("after requeue: %v, want the feed and the job whose lease had expired", urls(js))
	}
	if n, _ := s.Pending(ctx, time.Time{}); n != 3 {
		t.Fatalf("pending = %d, want 3; requeue must not add unknown URLs", n)
	}
}

// testExpedite: queued jobs become due, keeping their attempts; leased, done
// and unknown URLs are left as they are.
func testExpedite(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	later, early, leased, done := job("https://a.example/later"), job("https://a.example/early"),
		job("https://a.example/leased"), job("https://a.example/done")
	later.NotBefore, later.Attempts = t0.Add(time.Hour), 2
	early.NotBefore = t0.Add(-time.Hour)
	leased.NotBefore, done.NotBefore = t0.Add(-2*time.Hour), t0.Add(-2*time.Hour)
	_, err := s.Enqueue(ctx, []frontier.Job{later, early, leased, done})
	must(t, err)
	js, err := s.Lease(ctx, "other", 2, t0.Add(-time.Hour-time.Minute), 2*time.Hour) // leased and done, until t0+59m
	must(t, err)
	if len(js) != 2 {
		t.Fatalf("setup lease: %v", urls(js))
	}
	must(t, s.Finish(ctx, done.URL, ""))
	if js, _ := s.Lease(ctx, "w", 10, t0, time.Minute); len(js) != 1 || js[0].URL != early.URL {
		t.Fatalf("before Expedite, due at t0: %v, want only the early job", urls(js))
	}
	must(t, s.Retry(ctx, early.URL, t0.Add(-time.Hour), "")) // back to queued, one attempt
	must(t, s.Expedite(ctx, []string{later.URL, early.URL, leased.URL, done.URL, "https://a.example/unknown"}, t0))
	js, err = s.Lease(ctx, "w", 10, t0, 3*time.Hour)
	must(t, err)
	got := map[string]int{}
	for _, j := range js {
		got[j.URL] = j.Attempts
	}
	if len(got) != 2 || got[later.URL] != 2 || got[early.URL] != 1 {
		t.Fatalf("after Expedite, due at t0: %v (url: attempts), want the later job with 2 and the early one with 1", got)
	}
	if seen, _ := s.Seen(ctx, done.URL); !seen {
		t.Fatal("Expedite reopened a done job")
	}
	// The job leased elsewhere comes back only when its lease expires, and
	// the unknown URL never.
	if js, _ := s.Lease(ctx, "w", 10, t0.Add(30*time.Minute), time.Minute); len(js) != 0 {
		t.Fatalf("leased elsewhere, yet handed out: %v", urls(js))
	}
	if js, _ := s.Lease(ctx, "w", 10, t0.Add(2*time.Hour), time.Minute); len(js) != 1 || js[0].URL != leased.URL {
		t.Fatalf("at t0+2h: %v, want only the job whose lease by other expired", urls(js))
	}
}

// testHoldHost: one holder at a time per host, across store handles; a
// holder extends its hold; a release closes the host until the time given;
// an expired hold is taken over, and its holder's late release is ignored.
func testHoldHost(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	a, b := Open(t, dsn, store.Config{}), Open(t, dsn, store.Config{})
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	hold := func(s store.Store, host, holder string, now, until time.Duration, wantOK bool, wantUntil time.Duration) {
		t.Helper()
		ok, busy, err := s.HoldHost(ctx, host, holder, at(now), at(until))
		must(t, err)
		if ok != wantOK || !busy.Equal(at(wantUntil)) {
			t.Fatalf("HoldHost(%s, %s, now %v, until %v) = %v, busy until %v; want %v, %v",
				host, holder, now, until, ok, busy.Sub(t0), wantOK, wantUntil)
		}
	}
	hold(a, "h.example", "a1", 0, 2*time.Second, true, 2*time.Second)
	hold(b, "h.example", "b1", time.Second, 3*time.Second, false, 2*time.Second)
	hold(b, "other.example", "b1", time.Second, 3*time.Second, true, 3*time.Second) // hosts are apart
	hold(a, "h.example", "a1", 1500*time.Millisecond, 4*time.Second, true, 4*time.Second)
	hold(b, "h.example", "b1", 3*time.Second, 5*time.Second, false, 4*time.Second)
	must(t, b.ReleaseHost(ctx, "h.example", "b1", at(time.Hour))) // not b1's: ignored
	must(t, a.ReleaseHost(ctx, "h.example", "a1", at(4500*time.Millisecond)))
	if slot, err := b.ReserveHost(ctx, "h.example", at(4400*time.Millisecond), 0); err != nil || !slot.Equal(at(4500*time.Millisecond)) {
		t.Fatalf("ReserveHost after a release until 4.5s: slot %v, %v; want 4.5s", slot.Sub(t0), err)
	}
	hold(b, "h.example", "b1", 4400*time.Millisecond, 5*time.Second, false, 4500*time.Millisecond)
	hold(a, "h.example", "a1", 4400*time.Millisecond, 5*time.Second, false, 4500*time.Millisecond) // released: a1 waits too
	hold(b, "h.example", "b1", 4500*time.Millisecond, 6*time.Second, true, 6*time.Second)
	// b1 dies holding the host: the hold expires and a2 takes it; b1's late
	// release does not free the host under a2.
	hold(a, "h.example", "a2", 6*time.Second, 8*time.Second, true, 8*time.Second)
	must(t, b.ReleaseHost(ctx, "h.example", "b1", at(6*time.Second)))
	hold(b, "h.example", "b2", 7*time.Second, 9*time.Second, false, 8*time.Second)
	// Holds do not move ReserveHost's slots; releases move them forward only.
	slot, err := a.ReserveHost(ctx, "h.example", at(7*time.Second), time.Second)
	must(t, err)
	if !slot.Equal(at(7 * time.Second)) {
		t.Fatalf("ReserveHost slot %v, want 7s: holds must not move slots", slot.Sub(t0))
	}
}

func testFeed(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	if _, ok, err := s.Feed(ctx, "https://a.example/feed"); ok || err != nil {
		t.Fatalf("unknown feed: ok %v err %v", ok, err)
	}
	st := frontier.FeedState{URL: "https://a.example/feed", ETag: `W/"x"`, LastModified: "Sun, 01 Mar 2026 12:00:00 GMT",
		LastPolled: t0, NextPoll: t0.Add(15 * time.Minute), EntriesPerWeek: 42.5, Failures: 2}
	must(t, s.SaveFeed(ctx, st))
	got, ok, err := s.Feed(ctx, st.URL)
	must(t, err)
	if !ok || !feedEqual(got, st) {
		t.Fatalf("feed round trip: got %+v, want %+v", got, st)
	}
	st.ETag, st.Failures, st.NextPoll = "", 0, t0.Add(time.Hour)
	must(t, s.SaveFeed(ctx, st))
	got, _, err = s.Feed(ctx, st.URL)
	must(t, err)
	if !feedEqual(got, st) {
		t.Fatalf("feed update: got %+v, want %+v", got, st)
	}
}

func feedEqual(a, b frontier.FeedState) bool {
	return a.URL == b.URL && a.ETag == b.ETag && a.LastModified == b.LastModified && a.LastPolled.Equal(b.LastPolled) &&
		a.NextPoll.Equal(b.NextPoll) && a.EntriesPerWeek == b.EntriesPerWeek && a.Failures == b.Failures
}

func testRobots(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	if _, _, _, ok, err := s.Robots(ctx, "a.example"); ok || err != nil {
		t.Fatalf("unknown robots: ok %v err %v", ok, err)
	}
	body := []byte("User-agent: *\nDisallow: /private\n")
	must(t, s.SaveRobots(ctx, "a.example", body, 200, t0))
	must(t, s.SaveRobots(ctx, "b.example:8080", nil, 404, t0.Add(time.Hour)))
	got, status, fetched, ok, err := s.Robots(ctx, "a.example")
	must(t, err)
	if !ok || string(got) != string(body) || status != 200 || !fetched.Equal(t0) {
		t.Fatalf("robots round trip: %q %d %v %v", got, status, fetched, ok)
	}
	got, status, _, ok, err = s.Robots(ctx, "b.example:8080")
	must(t, err)
	if !ok || len(got) != 0 || status != 404 {
		t.Fatalf("robots 404: %q %d %v", got, status, ok)
	}
	must(t, s.SaveRobots(ctx, "a.example", []byte("x"), 200, t0.Add(time.Hour)))
	got, _, fetched, _, err = s.Robots(ctx, "a.example")
	must(t, err)
	if string(got) != "x" || !fetched.Equal(t0.Add(time.Hour)) {
		t.Fatalf("robots update: %q %v", got, fetched)
	}
}

// testReserveHost: goroutines on two handles reserve slots of one host at
// once; the slots are distinct and at least delay apart.
func testReserveHost(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s1, s2 := Open(t, dsn, store.Config{}), Open(t, dsn, store.Config{})
	const delay = 250 * time.Millisecond
	slot, err := s1.ReserveHost(ctx, "a.example", t0, delay)
	must(t, err)
	if !slot.Equal(t0) {
		t.Fatalf("first slot = %v, want now %v", slot, t0)
	}
	const n = 24
	var (
		mu    sync.Mutex
		slots = []time.Time{slot}
		wg    sync.WaitGroup
	)
	errc := make(chan error, n)
	for i := range n {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			sl, err := s.ReserveHost(ctx, "a.example", t0.Add(time.Duration(i)*time.Millisecond), delay)
			if err != nil {
				errc <- err
				return
			}
			mu.Lock()
			slots = append(slots, sl)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
	for i := 1; i < len(slots); i++ {
		if gap := slots[i].Sub(slots[i-1]); gap < delay {
			t.Fatalf("slots %d and %d are %v apart, want >= %v", i-1, i, gap, delay)
		}
	}
	if last := slots[len(slots)-1]; !last.Equal(t0.Add(n * delay)) {
		t.Fatalf("last slot = %v, want %v (no gaps when all wait)", last, t0.Add(n*delay))
	}
	// Another host is independent; a caller arriving after the slots gets now.
	slot, err = s2.ReserveHost(ctx, "b.example", t0, delay)
	must(t, err)
	if !slot.Equal(t0) {
		t.Fatalf("other host: slot %v, want %v", slot, t0)
	}
	later := t0.Add(time.Hour)
	slot, err = s2.ReserveHost(ctx, "a.example", later, delay)
	must(t, err)
	if !slot.Equal(later) {
		t.Fatalf("idle host: slot %v, want %v", slot, later)
	}
}

// page builds a page whose index keys are keys.
func page(u, site, text string, pub time.Time, d dedup.Decision) store.Page {
	return store.Page{
		Doc: wirecrawl.Document{URL: u, Site: site, Title: "Title of " + u, Byline: "By Reporter", Published: pub,
			Lang: "en", Text: text, FetchedAt: pub.Add(time.Hour)},
		Decision:    d,
		FrontierURL: u,
	}
}

// fixed returns a decide func that ignores the index.
func fixed(p store.Page) func(context.Context, dedup.Index) (store.Page, error) {
	return func(context.Context, dedup.Index) (store.Page, error) { return p, nil }
}

func newDecision(keys ...uint64) dedup.Decision {
	return dedup.Decision{Action: dedup.ActionNew, Canonical: true, Similarity: 1, Reason: "new story",
		Simhash: keys[0] ^ 0xabcdef, ContentHash: keys[0] + 1, Keys: keys}
}

func save(t *testing.T, s store.Store, p store.Page) int64 {
	t.Helper()
	id, d, err := s.SavePage(context.Background(), fixed(p))
	if err != nil {
		t.Fatalf("save %s: %v", p.Doc.URL, err)
	}
	if d.Action == dedup.ActionNew && d.StoryID != id {
		t.Fatalf("save %s: decision story %d, returned %d", p.Doc.URL, d.StoryID, id)
	}
	return id
}

func storyOf(t *testing.T, s store.Store, u string) (wirecrawl.Story, wirecrawl.Copy) {
	t.Helper()
	st, c, ok, err := s.StoryOf(context.Background(), u)
	if err != nil || !ok {
		t.Fatalf("story of %s: ok %v err %v", u, ok, err)
	}
	return st, c
}

func testSaveNew(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	_, err := s.Enqueue(ctx, []frontier.Job{job("https://a.example/feed-link")})
	must(t, err)
	p := page("https://a.example/story", "A News", "one two three four five", t0, newDecision(11, 12, 13))
	p.FrontierURL = "https://a.example/feed-link" // fetched via a redirect
	p.Doc.CanonicalURL = "https://a.example/canonical"
	id := save(t, s, p)
	if id <= 0 {
		t.Fatalf("story id %d", id)
	}
	st, c := storyOf(t, s, p.Doc.URL)
	if st.ID != id || st.URL != p.Doc.URL || st.Title != p.Doc.Title || st.Byline != "By Reporter" || st.Site != "A News" ||
		st.Lang != "en" || st.Text != p.Doc.Text || !st.Published.Equal(t0) || st.FirstPublisher != "A News" ||
		st.FirstSeen.IsZero() || st.Updated.IsZero() || len(st.Copies) != 1 {
		t.Fatalf("story: %+v", st)
	}
	if c.URL != p.Doc.URL || c.Site != "A News" || c.Similarity != 1 || c.Reason != "new story" ||
		!c.FetchedAt.Equal(t0.Add(time.Hour)) || !c.Published.Equal(t0) || c.Text != "" {
		t.Fatalf("copy: %+v", c)
	}
	for _, u := range []string{p.FrontierURL, p.Doc.URL} {
		if seen, _ := s.Seen(ctx, u); !seen {
			t.Fatalf("%s not marked done", u)
		}
	}
	if n, _ := s.Pending(ctx, time.Time{}); n != 0 {
		t.Fatalf("pending %d after save", n)
	}
	sid, h, ok, err := s.StoredURL(ctx, p.Doc.URL)
	must(t, err)
	if !ok || sid != id || h != p.Decision.ContentHash {
		t.Fatalf("stored url: %d %d %v", sid, h, ok)
	}
	if _, _, ok, _ := s.StoredURL(ctx, "https://a.example/other"); ok {
		t.Fatal("unknown URL stored")
	}
	cands, err := s.Lookup(ctx, []uint64{99, 12, 13})
	must(t, err)
	if len(cands) != 1 || cands[0].StoryID != id || cands[0].Simhash != p.Decision.Simhash || cands[0].Text != p.Doc.Text || cands[0].Length != 5 {
		t.Fatalf("lookup: %+v", cands)
	}
	if cands, err := s.Lookup(ctx, []uint64{99}); err != nil || len(cands) != 0 {
		t.Fatalf("lookup of an unknown key: %v %v", cands, err)
	}
	if cands, err := s.Lookup(ctx, nil); err != nil || len(cands) != 0 {
		t.Fatalf("lookup of no keys: %v %v", cands, err)
	}
	if _, _, ok, err := s.StoryOf(ctx, "https://nowhere.example/"); ok || err != nil {
		t.Fatalf("story of unknown URL: %v %v", ok, err)
	}
}

func copyDecision(story int64, canonical bool, keys ...uint64) dedup.Decision {
	return dedup.Decision{Action: dedup.ActionCopy, StoryID: story, Canonical: canonical, Similarity: 0.93, Distance: 3,
		Containment: 0.97, Reason: "simhash distance 3, containment 0.97", Simhash: keys[0] ^ 0xabcdef, ContentHash: keys[0] + 1, Keys: keys}
}

func testSaveCopy(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	id := save(t, s, page("https://b.example/s", "B Post", "wire text here", t0.Add(time.Hour), newDecision(1, 2)))
	// An earlier-published copy arrives later: it becomes the first publisher.
	cid := save(t, s, page("https://a.example/s", "A News", "wire text here too", t0, copyDecision(id, false, 2, 3)))
	if cid != id {
		t.Fatalf("copy stored under %d, want %d", cid, id)
	}
	st, c := storyOf(t, s, "https://a.example/s")
	if st.ID != id || st.URL != "https://b.example/s" || st.Text != "wire text here" {
		t.Fatalf("non-canonical copy changed the story: %+v", st)
	}
	if c.Similarity != 0.93 || c.Reason != "simhash distance 3, containment 0.97" || c.Site != "A News" {
		t.Fatalf("copy record: %+v", c)
	}
	if st.FirstPublisher != "A News" {
		t.Fatalf("first publisher %q, want A News (earliest published copy)", st.FirstPublisher)
	}
	if len(st.Copies) != 2 || st.Copies[0].URL != st.URL {
		t.Fatalf("copies %+v: want 2, canonical first", st.Copies)
	}
	cands, err := s.Lookup(ctx, []uint64{3})
	must(t, err)
	if len(cands) != 1 || cands[0].StoryID != id {
		t.Fatalf("the copy's keys lead to the story: %+v", cands)
	}
	cands, err = s.Lookup(ctx, []uint64{1, 2, 3})
	must(t, err)
	if len(cands) != 1 {
		t.Fatalf("lookup returns each story once: %+v", cands)
	}
	if _, _, err := s.SavePage(ctx, fixed(page("https://c.example/s", "C", "x", t0, copyDecision(9999, false, 5)))); err == nil {
		t.Fatal("copy of a story that does not exist: want an error")
	}
	if _, _, ok, _ := s.StoredURL(ctx, "https://c.example/s"); ok {
		t.Fatal("failed save left the URL stored")
	}
}

func testCanonicalReplace(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	id := save(t, s, page("https://a.example/s", "A", "short first version", t0, newDecision(1)))
	upd := page("https://b.example/s", "B", "a longer and later version of the story text", time.Time{}, copyDecision(id, true, 1, 2))
	upd.Doc.Lang = ""
	save(t, s, upd)
	st, c := storyOf(t, s, "https://a.example/s")
	if st.URL != "https://b.example/s" || st.Text != upd.Doc.Text || st.Title != upd.Doc.Title || st.Site != "B" {
		t.Fatalf("canonical not replaced: %+v", st)
	}
	if !st.Published.Equal(t0) || st.Lang != "en" {
		t.Fatalf("unknown published/lang of the update must keep the known ones: %v %q", st.Published, st.Lang)
	}
	if c.URL != "https://a.example/s" || len(st.Copies) != 2 || st.Copies[0].URL != "https://b.example/s" {
		t.Fatalf("copies after replacement: %+v", st.Copies)
	}
	cands, err := s.Lookup(ctx, []uint64{1})
	must(t, err)
	if len(cands) != 1 || cands[0].Text != upd.Doc.Text || cands[0].Simhash != upd.Decision.Simhash || cands[0].Length != 9 {
		t.Fatalf("candidate after replacement: %+v", cands)
	}
	stats, err := s.Stats(ctx)
	must(t, err)
	if stats.Versions != 1 || stats.Stories != 1 || stats.Copies != 2 {
		t.Fatalf("stats after replacement: %+v", stats)
	}
}

func testSaveUnchanged(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	p := page("https://a.example/s", "A", "text", t0, newDecision(1))
	id := save(t, s, p)
	must(t, s.Requeue(ctx, []string{p.Doc.URL}, t0))
	if seen, _ := s.Seen(ctx, p.Doc.URL); seen {
		t.Fatal("requeued URL seen")
	}
	// The realistic decide: dedup asks the index about the URL.
	gotID, d, err := s.SavePage(ctx, func(ctx context.Context, idx dedup.Index) (store.Page, error) {
		sid, h, ok, err := idx.StoredURL(ctx, p.Doc.URL)
		if err != nil || !ok || h != p.Decision.ContentHash {
			return store.Page{}, fmt.Errorf("stored url: %d %d %v %v", sid, h, ok, err)
		}
		q := p
		q.Doc.Title = "changed title that must not be stored"
		q.Decision = dedup.Decision{Action: dedup.ActionUnchanged, StoryID: sid, ContentHash: h, Keys: []uint64{77}}
		return q, nil
	})
	must(t, err)
	if gotID != id || d.Action != dedup.ActionUnchanged {
		t.Fatalf("unchanged: id %d action %s", gotID, d.Action)
	}
	if seen, _ := s.Seen(ctx, p.Doc.URL); !seen {
		t.Fatal("unchanged page's frontier job not done")
	}
	st, _ := storyOf(t, s, p.Doc.URL)
	if st.Title != p.Doc.Title {
		t.Fatalf("unchanged page rewrote the story: %q", st.Title)
	}
	if cands, _ := s.Lookup(ctx, []uint64{77}); len(cands) != 0 {
		t.Fatal("unchanged page stored keys")
	}
}

func testSaveIdempotent(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	p := page("https://a.example/s", "A", "text", t0, newDecision(1, 2))
	id1 := save(t, s, p)
	id2 := save(t, s, p) // a blind re-save as a new story keeps the story
	if id1 != id2 {
		t.Fatalf("re-save as new: story %d then %d", id1, id2)
	}
	// Re-saved as new with other text and keys: the old keys go.
	p2 := page("https://a.example/s", "A", "rewritten text", t0, newDecision(7))
	if id := save(t, s, p2); id != id1 {
		t.Fatalf("re-save with new text: story %d, want %d", id, id1)
	}
	if cands, _ := s.Lookup(ctx, []uint64{1, 2}); len(cands) != 0 {
		t.Fatalf("stale keys still find the story: %+v", cands)
	}
	if cands, _ := s.Lookup(ctx, []uint64{7}); len(cands) != 1 || cands[0].Text != "rewritten text" {
		t.Fatalf("new keys: %+v", cands)
	}
	save(t, s, p)
	c := page("https://b.example/s", "B", "text", t0, copyDecision(id1, false, 2, 3))
	save(t, s, c)
	save(t, s, c)
	stats, err := s.Stats(ctx)
	must(t, err)
	if stats.Stories != 1 || stats.Copies != 2 || stats.Duplicates != 1 {
		t.Fatalf("after re-saves: %+v", stats)
	}
	n := 0
	must(t, s.Stories(ctx, export.Filter{}, func(st wirecrawl.Story) error {
		n++
		if len(st.Copies) != 2 {
			t.Fatalf("copies after re-saves: %+v", st.Copies)
		}
		return nil
	}))
	if n != 1 {
		t.Fatalf("%d stories", n)
	}
}

// testSaveMovesURL: a stored URL decided to belong elsewhere moves; every URL
// stays in exactly one story, and an emptied story disappears.
func testSaveMovesURL(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	a := save(t, s, page("https://a.example/s", "A", "story a", t0, newDecision(1)))
	save(t, s, page("https://b.example/s", "B", "story a copy", t0, copyDecision(a, false, 1)))
	b := save(t, s, page("https://c.example/s", "C", "story b", t0, newDecision(2)))
	// b.example's page was rewritten into a copy of story b.
	save(t, s, page("https://b.example/s", "B", "story b copy", t0, copyDecision(b, false, 2)))
	st, _ := storyOf(t, s, "https://b.example/s")
	if st.ID != b {
		t.Fatalf("moved URL in story %d, want %d", st.ID, b)
	}
	// c.example's page became a new story of its own, leaving story b with b.example.
	nid := save(t, s, page("https://c.example/s", "C", "something else", t0, newDecision(3)))
	if nid != b {
		// story b still has b.example, so c.example moved to a new story
		st, _ := storyOf(t, s, "https://b.example/s")
		if st.URL != "https://b.example/s" {
			t.Fatalf("story left by its canonical URL points at %q", st.URL)
		}
	}
	// a.example moves into story b: story a is left empty and goes away.
	save(t, s, page("https://a.example/s", "A", "story b again", t0, copyDecision(b, false, 2)))
	stats, err := s.Stats(ctx)
	must(t, err)
	if stats.Copies != 3 || stats.Stories != 2 {
		t.Fatalf("after moves: %d stories, %d copies; want 2, 3", stats.Stories, stats.Copies)
	}
	if cands, _ := s.Lookup(ctx, []uint64{1}); len(cands) != 0 {
		t.Fatalf("an emptied story's keys remain: %+v", cands)
	}
	seen := map[string]int{}
	must(t, s.Stories(ctx, export.Filter{}, func(st wirecrawl.Story) error {
		if len(st.Copies) == 0 {
			t.Fatalf("story %d without copies", st.ID)
		}
		for _, c := range st.Copies {
			seen[c.URL]++
		}
		return nil
	}))
	for u, n := range seen {
		if n != 1 {
			t.Fatalf("%s in %d stories", u, n)
		}
	}
}

func testSaveDecideError(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	boom := errors.New("boom")
	_, _, err := s.SavePage(ctx, func(context.Context, dedup.Index) (store.Page, error) { return store.Page{}, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("decide error: got %v", err)
	}
	if _, _, err := s.SavePage(ctx, fixed(store.Page{Decision: newDecision(1)})); err == nil {
		t.Fatal("page without URL: want an error")
	}
	// The store is usable afterwards (the lock was released).
	save(t, s, page("https://a.example/s", "A", "x", t0, newDecision(1)))
}

// NewPage builds an article page decided as a new story with the given index
// keys (at least one); LookupDecide turns it into a copy when needed.
func NewPage(u, site, text string, published time.Time, keys ...uint64) store.Page {
	return page(u, site, text, published, newDecision(keys...))
}

// LookupDecide is a dedup stand-in for tests and benchmarks: a page sharing
// a key with a stored story is a copy of it, else a new story; a URL already
// stored is unchanged.
func LookupDecide(p store.Page) func(context.Context, dedup.Index) (store.Page, error) {
	decide := lookupDecide(p)
	return func(ctx context.Context, idx dedup.Index) (store.Page, error) {
		id, h, ok, err := idx.StoredURL(ctx, p.Doc.URL)
		if err != nil {
			return store.Page{}, err
		}
		if ok && h == p.Decision.ContentHash {
			p.Decision = dedup.Decision{Action: dedup.ActionUnchanged, StoryID: id, ContentHash: h}
			return p, nil
		}
		return decide(ctx, idx)
	}
}

// lookupDecide is LookupDecide without the unchanged check, so re-saves go
// through the write path.
func lookupDecide(p store.Page) func(context.Context, dedup.Index) (store.Page, error) {
	return func(ctx context.Context, idx dedup.Index) (store.Page, error) {
		cands, err := idx.Lookup(ctx, p.Decision.Keys)
		if err != nil {
			return store.Page{}, err
		}
		if len(cands) > 0 {
			keys := p.Decision.Keys
			p.Decision = copyDecision(cands[0].StoryID, false, keys...)
		}
		return p, nil
	}
}

// testSaveConcurrent: copies of one story saved at once, through two store
// handles, form one story.
func testSaveConcurrent(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s1, s2 := Open(t, dsn, store.Config{}), Open(t, dsn, store.Config{})
	const stories, copies = 6, 4
	var wg sync.WaitGroup
	errc := make(chan error, stories*copies)
	for i := range stories {
		for j := range copies {
			s := s1
			if j%2 == 1 {
				s = s2
			}
			p := page(fmt.Sprintf("https://site%d.example/story-%d", j, i), fmt.Sprintf("Site %d", j),
				fmt.Sprintf("story %d text", i), t0, newDecision(uint64(1000+i)))
			wg.Go(func() {
				if _, _, err := s.SavePage(ctx, lookupDecide(p)); err != nil {
					errc <- err
				}
			})
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	stats, err := s1.Stats(ctx)
	must(t, err)
	if stats.Stories != stories || stats.Copies != stories*copies {
		t.Fatalf("%d stories, %d copies; want %d, %d", stats.Stories, stats.Copies, stories, stories*copies)
	}
	must(t, s2.Stories(ctx, export.Filter{}, func(st wirecrawl.Story) error {
		if len(st.Copies) != copies {
			t.Fatalf("story %d has %d copies, want %d", st.ID, len(st.Copies), copies)
		}
		tail := func(u string) string { return u[strings.LastIndex(u, "/"):] }
		for _, c := range st.Copies {
			if tail(c.URL) != tail(st.Copies[0].URL) {
				t.Fatalf("story %d mixes %s and %s", st.ID, c.URL, st.Copies[0].URL)
			}
		}
		return nil
	}))
}

func testKeepCopyText(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	for _, keep := range []bool{false, true} {
		s := Open(t, dsn, store.Config{KeepCopyText: keep})
		u := fmt.Sprintf("https://a.example/keep-%v", keep)
		save(t, s, page(u, "A", "own text "+u, t0, newDecision(uint64(len(u)))))
		_, c, _, err := s.StoryOf(ctx, u)
		must(t, err)
		if want := map[bool]string{true: "own text " + u}[keep]; c.Text != want {
			t.Fatalf("keep_copy_text %v: copy text %q, want %q", keep, c.Text, want)
		}
	}
}

// testUint64Keys: keys and hashes with the top bit set survive the int64 bit-cast.
func testUint64Keys(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	keys := []uint64{^uint64(0), 1 << 63, 0, 0x8000_0000_dead_beef}
	d := newDecision(keys...)
	d.Simhash, d.ContentHash = ^uint64(0)-5, 1<<63|7
	id := save(t, s, page("https://a.example/s", "A", "x", t0, d))
	for _, k := range keys {
		cands, err := s.Lookup(ctx, []uint64{k})
		must(t, err)
		if len(cands) != 1 || cands[0].StoryID != id || cands[0].Simhash != d.Simhash {
			t.Fatalf("key %#x: %+v", k, cands)
		}
	}
	_, h, _, err := s.StoredURL(ctx, "https://a.example/s")
	must(t, err)
	if h != d.ContentHash {
		t.Fatalf("content hash %#x, want %#x", h, d.ContentHash)
	}
}

func testStories(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	const n = 300 // more than one page of the store's keyset paging
	var ids []int64
	for i := range n {
		p := page(fmt.Sprintf("https://s%d.example/%d", i%3, i), fmt.Sprintf("Site %d", i%3), fmt.Sprintf("text %d", i),
			t0.Add(time.Duration(i)*time.Hour), newDecision(uint64(5000+i)))
		if i%2 == 1 {
			p.Doc.Lang = "de"
		}
		if i == 7 {
			p.Doc.Published = time.Time{} // unknown: filtered by first-seen time
		}
		ids = append(ids, save(t, s, p))
		if i%10 == 0 {
			c := page(fmt.Sprintf("https://copy.example/%d", i), "Copy Site", fmt.Sprintf("text %d", i), t0, copyDecision(ids[i], false, uint64(5000+i)))
			save(t, s, c)
		}
	}
	collect := func(f export.Filter) []wirecrawl.Story {
		t.Helper()
		var out []wirecrawl.Story
		must(t, s.Stories(ctx, f, func(st wirecrawl.Story) error { out = append(out, st); return nil }))
		return out
	}
	all := collect(export.Filter{})
	if len(all) != n {
		t.Fatalf("%d stories, want %d", len(all), n)
	}
	copies := 0
	for i, st := range all {
		if i > 0 && st.ID <= all[i-1].ID {
			t.Fatal("stories not in ID order")
		}
		if st.ID != ids[i] {
			t.Fatalf("story %d: id %d, want %d", i, st.ID, ids[i])
		}
		copies += len(st.Copies)
		want := 1
		if i%10 == 0 {
			want = 2
		}
		if len(st.Copies) != want || st.Copies[0].URL != st.URL {
			t.Fatalf("story %d: copies %+v", i, st.Copies)
		}
	}
	if copies != n+n/10 {
		t.Fatalf("%d copies in stories, want %d", copies, n+n/10)
	}
	if got := collect(export.Filter{Lang: "DE"}); len(got) != n/2 || got[0].Lang != "de" {
		t.Fatalf("lang filter: %d stories", len(got))
	}
	if got := collect(export.Filter{Site: "site 1"}); len(got) != n/3 {
		t.Fatalf("site name filter: %d stories, want %d", len(got), n/3)
	}
	if got := collect(export.Filter{Site: "s2.example"}); len(got) != n/3 {
		t.Fatalf("site host filter: %d stories, want %d", len(got), n/3)
	}
	if got := collect(export.Filter{Site: "Copy Site"}); len(got) != n/10 {
		t.Fatalf("copy site filter: %d stories, want %d", len(got), n/10)
	}
	got := collect(export.Filter{Since: t0.Add(10 * time.Hour), Until: t0.Add(20 * time.Hour)})
	if len(got) != 10 || got[0].ID != ids[10] || got[9].ID != ids[19] {
		t.Fatalf("time filter [10h, 20h): %d stories", len(got))
	}
	// Story 7 has no published time: its first-seen time (now) is used.
	got = collect(export.Filter{Since: time.Now().Add(-time.Hour)})
	if len(got) != 1 || got[0].ID != ids[7] {
		t.Fatalf("since an hour ago: %d stories, want story 7 (unknown published)", len(got))
	}
	// Odd i (de), i%3 == 1, published before 100h: 1, 7, 13, ..., 97 less
	// story 7, whose unknown published time counts as its first-seen time.
	if got := collect(export.Filter{Lang: "de", Site: "Site 1", Until: t0.Add(100 * time.Hour)}); len(got) != 16 {
		t.Fatalf("combined filter: %d stories, want 16", len(got))
	}
	// An error from fn stops the walk and is returned.
	stop := errors.New("stop")
	calls := 0
	err := s.Stories(ctx, export.Filter{}, func(wirecrawl.Story) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("fn error: %v after %d calls", err, calls)
	}
	// The walk is a snapshot: a copy moved to a later story during the walk
	// is seen once, where it was when the walk began.
	moved := fmt.Sprintf("https://copy.example/%d", 0)
	count := 0
	first := true
	err = s.Stories(ctx, export.Filter{}, func(st wirecrawl.Story) error {
		if first {
			first = false
			p := page(moved, "Copy Site", "text 0", t0, copyDecision(ids[n-1], false, uint64(5000+n-1)))
			if _, _, err := s.SavePage(ctx, fixed(p)); err != nil {
				return err
			}
		}
		for _, c := range st.Copies {
			if c.URL == moved {
				count++
				if st.ID != ids[0] {
					return fmt.Errorf("moved copy seen in story %d, not %d where it was", st.ID, ids[0])
				}
			}
		}
		return nil
	})
	must(t, err)
	if count != 1 {
		t.Fatalf("copy moved during the walk seen %d times", count)
	}
	if st, _ := storyOf(t, s, moved); st.ID != ids[n-1] {
		t.Fatalf("moved copy in story %d, want %d", st.ID, ids[n-1])
	}
	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = s.Stories(cctx, export.Filter{}, func(wirecrawl.Story) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls >= n {
		t.Fatalf("cancelled walk: %v after %d calls", err, calls)
	}
}

func testRaw(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	for _, keep := range []bool{false, true} {
		s := Open(t, dsn, store.Config{RawHTML: keep})
		u := fmt.Sprintf("https://a.example/raw-%v", keep)
		p := page(u, "A", "text "+u, t0, newDecision(uint64(len(u)+100)))
		p.Raw = &export.Raw{URL: u, Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}, "X-Two": {"a", "b"}},
			Body: []byte("<html><body>\x00\xff binary-safe</body></html>"), FetchedAt: t0}
		save(t, s, p)
		raw, ok, err := s.Raw(ctx, u)
		must(t, err)
		if ok != keep {
			t.Fatalf("raw_html %v: raw kept = %v", keep, ok)
		}
		if keep && (raw.URL != u || raw.Status != 200 || string(raw.Body) != string(p.Raw.Body) ||
			!slices.Equal(raw.Header["X-Two"], []string{"a", "b"}) || raw.Header.Get("Content-Type") != "text/html; charset=utf-8" ||
			!raw.FetchedAt.Equal(t0)) {
			t.Fatalf("raw round trip: %+v", raw)
		}
	}
	s := Open(t, dsn, store.Config{RawHTML: true})
	if _, ok, err := s.Raw(ctx, "https://a.example/none"); ok || err != nil {
		t.Fatalf("raw of unknown URL: %v %v", ok, err)
	}
}

func testRunLock(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s1, s2 := Open(t, dsn, store.Config{}), Open(t, dsn, store.Config{})
	rel, err := s1.RunLock(ctx, "crawl", false)
	must(t, err)
	if _, err := s2.RunLock(ctx, "crawl", false); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second holder, other handle: got %v, want ErrLocked", err)
	}
	if _, err := s1.RunLock(ctx, "crawl", false); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second holder, same handle: got %v, want ErrLocked", err)
	}
	other, err := s2.RunLock(ctx, "export", false)
	must(t, err)
	other()
	// Waiting gives up with the context.
	wctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	_, err = s2.RunLock(wctx, "crawl", true)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait with deadline: got %v", err)
	}
	// A waiter gets the lock once it is released.
	got := make(chan error, 1)
	go func() {
		r, err := s2.RunLock(ctx, "crawl", true)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	rel()
	rel() // idempotent
	select {
	case err := <-got:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("waiter did not get the released lock")
	}
	// Close releases held locks.
	s3 := Open(t, dsn, store.Config{})
	_, err = s3.RunLock(ctx, "crawl", false)
	must(t, err)
	must(t, s3.Close())
	r, err := s1.RunLock(ctx, "crawl", false)
	if err != nil {
		t.Fatalf("after the holder closed: %v", err)
	}
	r()
}

func testStats(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	st, err := s.Stats(ctx)
	must(t, err)
	if st.Stories != 0 || st.Copies != 0 || st.Fetches.Total != 0 || st.Frontier["queued"] != 0 {
		t.Fatalf("empty store stats: %+v", st)
	}
	a := save(t, s, page("https://a.example/1", "A", "one", t0, newDecision(1)))
	save(t, s, page("https://b.example/1", "B", "one", t0.Add(time.Hour), copyDecision(a, false, 1)))
	p := page("https://b.example/2", "B", "two", t0, newDecision(2))
	p.Doc.Lang = "de"
	save(t, s, p)
	_, err = s.Enqueue(ctx, []frontier.Job{job("https://c.example/1"), job("https://c.example/2"), job("https://c.example/3")})
	must(t, err)
	_, err = s.Lease(ctx, "w", 1, t0, time.Hour)
	must(t, err)
	must(t, s.Finish(ctx, "https://c.example/3", "http_4xx"))
	must(t, s.SaveFeed(ctx, frontier.FeedState{URL: "https://c.example/feed"}))
	recs := []frontier.FetchRecord{
		{URL: "https://a.example/1", Status: 200},
		{URL: "https://c.example/3", Status: 404, ErrClass: "http_4xx", Error: "404 Not Found"},
		{URL: "https://c.example/4", ErrClass: "timeout", Error: "deadline exceeded"},
		{URL: "https://c.example/5", ErrClass: "timeout", Error: "deadline exceeded again"},
	}
	for i, r := range recs {
		r.Kind, r.At, r.Duration = frontier.KindArticle, t0.Add(time.Duration(i)*time.Minute), time.Second
		must(t, s.LogFetch(ctx, r))
	}
	st, err = s.Stats(ctx)
	must(t, err)
	if st.Stories != 2 || st.Copies != 3 || st.Duplicates != 1 || st.Feeds != 1 {
		t.Fatalf("counts: %+v", st)
	}
	wantFrontier := map[string]int64{"queued": 1, "leased": 1, "done": 3, "failed": 1}
	for k, v := range wantFrontier {
		if st.Frontier[k] != v {
			t.Fatalf("frontier %v, want %v", st.Frontier, wantFrontier)
		}
	}
	wantSites := []store.SiteCount{{Site: "B", Stories: 2, Copies: 2, First: 1}, {Site: "A", Stories: 1, Copies: 1, First: 1}}
	if !slices.Equal(st.Sites, wantSites) {
		t.Fatalf("sites %+v, want %+v", st.Sites, wantSites)
	}
	wantLangs := []store.LangCount{{Lang: "de", Stories: 1}, {Lang: "en", Stories: 1}}
	if !slices.Equal(st.Langs, wantLangs) {
		t.Fatalf("langs %+v, want %+v", st.Langs, wantLangs)
	}
	f := st.Fetches
	if f.Total != 4 || f.Logged != 4 || f.OK != 1 || !f.From.Equal(t0) || !f.To.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("fetches %+v", f)
	}
	wantErr := []store.ErrorCount{{Class: "timeout", Count: 2, Example: "deadline exceeded again"}, {Class: "http_4xx", Count: 1, Example: "404 Not Found"}}
	if !slices.Equal(f.Errors, wantErr) {
		t.Fatalf("error classes %+v, want %+v", f.Errors, wantErr)
	}
}

// partition checks that every stored URL is in exactly one story, each story
// has copies, and returns the stories' URL sets keyed by story ID.
func partition(t *testing.T, s store.Store) map[int64][]string {
	t.Helper()
	seen := map[string]int64{}
	out := map[int64][]string{}
	must(t, s.Stories(context.Background(), export.Filter{}, func(st wirecrawl.Story) error {
		if len(st.Copies) == 0 {
			t.Fatalf("story %d without copies", st.ID)
		}
		for _, c := range st.Copies {
			if prev, ok := seen[c.URL]; ok {
				t.Fatalf("%s in stories %d and %d", c.URL, prev, st.ID)
			}
			seen[c.URL] = st.ID
			out[st.ID] = append(out[st.ID], c.URL)
		}
		return nil
	}))
	for _, us := range out {
		sort.Strings(us)
	}
	return out
}

// testSaveMerge: a page that bridges two stories saved apart merges them
// (Decision.Merge): copies, keys and versions move to the surviving story,
// the longer canonical wins, the merged story is gone.
func testSaveMerge(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	a := save(t, s, page("https://a.example/s", "A", "alpha text of four", t0.Add(2*time.Hour), newDecision(1, 2)))
	save(t, s, page("https://a2.example/s", "A2", "alpha text of four too", t0.Add(3*time.Hour), copyDecision(a, false, 2)))
	stA, _ := storyOf(t, s, "https://a.example/s")
	b := save(t, s, page("https://b.example/s", "B", "the longer beta version of the same story here", t0, newDecision(3, 4)))
	// Story b gets a more complete version: one earlier version kept.
	bTwo := page("https://b2.example/s", "B2", "the longer beta version of the same story here and more", t0.Add(time.Hour), copyDecision(b, true, 4, 6))
	save(t, s, bTwo)
	if a == b {
		t.Fatalf("stories a and b share id %d", a)
	}
	// The bridge is a copy of a that also verified against b (and lists a
	// itself and a story that does not exist, which are ignored).
	bridge := page("https://c.example/s", "C", "alpha text of four and beta", t0.Add(time.Hour), copyDecision(a, false, 2, 3, 7))
	bridge.Decision.Merge = []int64{a, b, b + 1000}
	id, d, err := s.SavePage(ctx, fixed(bridge))
	must(t, err)
	if id != a || d.StoryID != a {
		t.Fatalf("bridge stored under %d (decision %d), want %d", id, d.StoryID, a)
	}
	parts := partition(t, s)
	want := []string{"https://a.example/s", "https://a2.example/s", "https://b.example/s", "https://b2.example/s", "https://c.example/s"}
	if len(parts) != 1 || !slices.Equal(parts[a], want) {
		t.Fatalf("after merge: %v, want story %d with %v", parts, a, want)
	}
	st, _ := storyOf(t, s, "https://b.example/s")
	if st.ID != a {
		t.Fatalf("b's URL in story %d, want %d", st.ID, a)
	}
	// The most complete canonical (b's current one) wins, with its metadata.
	if st.URL != bTwo.Doc.URL || st.Text != bTwo.Doc.Text || st.Title != bTwo.Doc.Title || st.Site != "B2" {
		t.Fatalf("canonical after merge: %+v", st)
	}
	if st.Copies[0].URL != st.URL {
		t.Fatalf("canonical copy not first: %+v", st.Copies)
	}
	if st.FirstPublisher != "B" {
		t.Fatalf("first publisher %q, want B (earliest published copy of both)", st.FirstPublisher)
	}
	if !st.FirstSeen.Equal(stA.FirstSeen) {
		t.Fatalf("first seen %v, want a's %v (the earlier story)", st.FirstSeen, stA.FirstSeen)
	}
	for _, k := range []uint64{1, 3, 4, 6, 7} {
		cands, err := s.Lookup(ctx, []uint64{k})
		must(t, err)
		if len(cands) != 1 || cands[0].StoryID != a || cands[0].Text != bTwo.Doc.Text || cands[0].Length != 11 ||
			!cands[0].Published.Equal(bTwo.Doc.Published) {
			t.Fatalf("key %d after merge: %+v", k, cands)
		}
	}
	if cands, _ := s.Lookup(ctx, []uint64{1, 2, 3, 4, 5, 6, 7}); len(cands) != 1 {
		t.Fatalf("lookup after merge returns %d stories", len(cands))
	}
	for _, u := range want {
		sid, _, ok, err := s.StoredURL(ctx, u)
		must(t, err)
		if !ok || sid != a {
			t.Fatalf("stored url %s: story %d ok %v, want %d", u, sid, ok, a)
		}
	}
	stats, err := s.Stats(ctx)
	must(t, err)
	// Versions: b's first canonical (replaced by b2) and a's (lost the merge).
	if stats.Stories != 1 || stats.Copies != 5 || stats.Duplicates != 4 || stats.Versions != 2 {
		t.Fatalf("stats after merge: %+v", stats)
	}
	// A later copy of the merged story b finds the survivor, and a re-save
	// of the bridge with the same merge list changes nothing.
	save(t, s, page("https://d.example/s", "D", "beta", t0.Add(4*time.Hour), copyDecision(a, false, 4)))
	save(t, s, bridge)
	if parts := partition(t, s); len(parts) != 1 || len(parts[a]) != 6 {
		t.Fatalf("after later copies: %v", parts)
	}
}

// testSaveMergeCanonical: which canonical survives a merge, as in
// dedup.MemoryIndex.Add: the longest of the merged ones, replaced by the
// page only when it is canonical and longer still; a new story's page stays
// canonical.
func testSaveMergeCanonical(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		action    dedup.Action
		canonical bool
		words     int
		want      string // "a", "b" or "page"
	}{
		{"copy longer than both", dedup.ActionCopy, true, 7, "page"},
		{"copy not longer than b", dedup.ActionCopy, true, 5, "b"},
		{"non-canonical copy", dedup.ActionCopy, false, 9, "b"},
		{"new story", dedup.ActionNew, true, 1, "page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fresh(t, newDSN, store.Config{})
			a := save(t, s, page("https://a.example/s", "A", "one two three", t0, newDecision(1)))
			b := save(t, s, page("https://b.example/s", "B", "one two three four five", t0, newDecision(2)))
			text := strings.TrimSpace(strings.Repeat("w ", tc.words))
			d := copyDecision(a, tc.canonical, 3)
			d.Action, d.Words, d.Merge = tc.action, tc.words, []int64{a, b}
			if tc.action == dedup.ActionNew {
				d.StoryID, d.Merge = 0, []int64{a, b}
			}
			p := page("https://p.example/s", "P", text, t0, d)
			id, _, err := s.SavePage(ctx, fixed(p))
			must(t, err)
			parts := partition(t, s)
			if len(parts) != 1 || len(parts[id]) != 3 {
				t.Fatalf("after merge: %v", parts)
			}
			st, _ := storyOf(t, s, "https://a.example/s")
			wantURL := map[string]string{"a": "https://a.example/s", "b": "https://b.example/s", "page": p.Doc.URL}[tc.want]
			if st.URL != wantURL {
				t.Fatalf("canonical %s (%q), want %s", st.URL, st.Text, wantURL)
			}
		})
	}
}

// testSaveMergeConcurrent: bridging pages saved at once through two store
// handles chain separately saved stories into one; every URL ends in
// exactly one story and no key points at a deleted story.
func testSaveMergeConcurrent(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s1, s2 := Open(t, dsn, store.Config{}), Open(t, dsn, store.Config{})
	const n = 12
	for i := range n {
		save(t, s1, page(fmt.Sprintf("https://s%d.example/x", i), fmt.Sprintf("S%d", i), "story "+strings.Repeat("w ", i), t0, newDecision(uint64(100+i))))
	}
	// Bridge i shares keys with stories i and i+1: a copy of the first
	// candidate that merges every other candidate, as dedup decides.
	mergeDecide := func(p store.Page) func(context.Context, dedup.Index) (store.Page, error) {
		return func(ctx context.Context, idx dedup.Index) (store.Page, error) {
			cands, err := idx.Lookup(ctx, p.Decision.Keys)
			if err != nil {
				return store.Page{}, err
			}
			if len(cands) == 0 {
				return store.Page{}, fmt.Errorf("%s: no candidates", p.Doc.URL)
			}
			keys := p.Decision.Keys
			p.Decision = copyDecision(cands[0].StoryID, false, keys...)
			for _, c := range cands[1:] {
				p.Decision.Merge = append(p.Decision.Merge, c.StoryID)
			}
			return p, nil
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n - 1 {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		p := page(fmt.Sprintf("https://bridge.example/%d", i), "Bridge", "bridge", t0, newDecision(uint64(100+i), uint64(100+i+1), uint64(500+i)))
		wg.Go(func() {
			if _, _, err := s.SavePage(ctx, mergeDecide(p)); err != nil {
				errc <- err
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	parts := partition(t, s2)
	if len(parts) != 1 {
		t.Fatalf("%d stories after chaining bridges, want 1: %v", len(parts), parts)
	}
	var id int64
	for k, us := range parts {
		id = k
		if len(us) != 2*n-1 {
			t.Fatalf("story %d has %d URLs, want %d", k, len(us), 2*n-1)
		}
	}
	keys := make([]uint64, 0, 2*n)
	for i := range n {
		keys = append(keys, uint64(100+i), uint64(500+i))
	}
	cands, err := s1.Lookup(ctx, keys)
	must(t, err)
	if len(cands) != 1 || cands[0].StoryID != id {
		t.Fatalf("keys after merges: %+v, want story %d only", cands, id)
	}
	st, _ := storyOf(t, s1, "https://s0.example/x")
	if want := "story " + strings.Repeat("w ", n-1); st.Text != want {
		t.Fatalf("canonical %q, want the longest %q", st.Text, want)
	}
}

// testSaveMergeOwnStory: a page stored alone as story x, refetched and now
// decided a copy of story a that merges x, merges x before the URL moves, so
// x's (longer) canonical and its earlier versions are not lost with it.
func testSaveMergeOwnStory(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	a := save(t, s, page("https://a.example/s", "A", "short text", t0, newDecision(1)))
	x := save(t, s, page("https://x.example/s", "X", "the long first text of x", t0, newDecision(2)))
	save(t, s, page("https://x2.example/s", "X2", "the long first text of x grown longer", t0, copyDecision(x, true, 2)))
	save(t, s, page("https://x2.example/s", "X2", "moved away", t0, newDecision(9))) // x is left with x.example alone
	p := page("https://x.example/s", "X", "short text again", t0, copyDecision(a, false, 1, 2))
	p.Decision.Merge = []int64{x}
	if id := save(t, s, p); id != a {
		t.Fatalf("stored under %d, want %d", id, a)
	}
	st, _ := storyOf(t, s, "https://a.example/s")
	if st.Text != "the long first text of x grown longer" {
		t.Fatalf("canonical %q, want x's", st.Text)
	}
	if parts := partition(t, s); len(parts) != 2 || len(parts[a]) != 2 {
		t.Fatalf("after merge: %v", parts)
	}
	stats, err := s.Stats(ctx)
	must(t, err)
	// x's first version (replaced by x2's) and a's canonical (lost the merge).
	if stats.Versions != 2 {
		t.Fatalf("versions %d, want 2", stats.Versions)
	}
}

// testFetchLogDurable: a fetch-log record reaches the database with the
// handle's next write transaction (the page's own, when it is stored), and
// every record is written by Close at the latest; another handle sees them.
func testFetchLogDurable(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	a, err := store.Open(ctx, dsn, store.Config{})
	must(t, err)
	b := Open(t, dsn, store.Config{})
	logged := func() int64 {
		t.Helper()
		st, err := b.Stats(ctx)
		must(t, err)
		return st.Fetches.Logged
	}
	must(t, a.LogFetch(ctx, frontier.FetchRecord{URL: "https://a.example/1", Kind: frontier.KindArticle, Status: 200, At: t0}))
	save(t, a, page("https://a.example/1", "A", "one story text here", t0, newDecision(1)))
	if n := logged(); n != 1 {
		t.Fatalf("after the page's transaction: %d records logged, want 1", n)
	}
	for i := range 5 {
		must(t, a.LogFetch(ctx, frontier.FetchRecord{URL: fmt.Sprintf("https://a.example/x%d", i), ErrClass: "http_4xx", At: t0}))
	}
	must(t, a.Close())
	if n := logged(); n != 6 {
		t.Fatalf("after Close: %d records logged, want 6", n)
	}
}

// testPendingDueBy: Pending counts leased jobs and the queued jobs due by its
// time (all queued jobs with a zero time), so a pass does not wait for a job
// due tomorrow.
func testPendingDueBy(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	now := time.Now()
	today, tomorrow := job("https://a.example/today"), job("https://b.example/tomorrow")
	tomorrow.NotBefore = now.Add(24 * time.Hour)
	_, err := s.Enqueue(ctx, []frontier.Job{today, tomorrow})
	must(t, err)
	count := func(dueBy time.Time) int {
		t.Helper()
		n, err := s.Pending(ctx, dueBy)
		must(t, err)
		return n
	}
	if all, soon := count(time.Time{}), count(now.Add(time.Hour)); all != 2 || soon != 1 {
		t.Fatalf("queued: Pending(all) = %d, want 2; Pending(in an hour) = %d, want 1", all, soon)
	}
	leased, err := s.Lease(ctx, "w1", 10, now.Add(time.Second), time.Minute)
	must(t, err)
	if len(leased) != 1 || leased[0].URL != today.URL {
		t.Fatalf("leased %v, want only %s", urls(leased), today.URL)
	}
	if n := count(now.Add(time.Hour)); n != 1 {
		t.Fatalf("with the due job leased: Pending(in an hour) = %d, want 1 (the leased job)", n)
	}
	must(t, s.Finish(ctx, today.URL, ""))
	if all, soon := count(time.Time{}), count(now.Add(time.Hour)); all != 1 || soon != 0 {
		t.Fatalf("done: Pending(all) = %d, want 1; Pending(in an hour) = %d, want 0", all, soon)
	}
	// FailedClass: the class of a job failed for good, "" otherwise.
	gone := job("https://c.example/gone")
	_, err = s.Enqueue(ctx, []frontier.Job{gone})
	must(t, err)
	must(t, s.Finish(ctx, gone.URL, "http_4xx"))
	for u, want := range map[string]string{gone.URL: "http_4xx", today.URL: "", tomorrow.URL: "", "https://d.example/unknown": ""} {
		if got, err := s.FailedClass(ctx, u); err != nil || got != want {
			t.Errorf("FailedClass(%s) = %q, %v; want %q", u, got, err, want)
		}
	}
}
