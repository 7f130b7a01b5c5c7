package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
)

// testReleaseLeases: the leases of owners known dead come back at once,
// without an attempt counted. SQLite releases every lease (one run at a time
// crawls a file); PostgreSQL only those of the owners with the prefix (this
// machine's), never another machine's.
func testReleaseLeases(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	dsn := newDSN(t)
	s := Open(t, dsn, store.Config{})
	a, b, c, d := job("https://a.example/1"), job("https://a.example/2"), job("https://b.example/3"), job("https://b.example/4")
	for _, j := range []*frontier.Job{&a, &b, &c, &d} {
		j.NotBefore = t0
	}
	_, err := s.Enqueue(ctx, []frontier.Job{a, b, c, d})
	must(t, err)
	mine, err := s.Lease(ctx, "m1/10/aa", 2, t0, time.Hour)
	must(t, err)
	theirs, err := s.Lease(ctx, "m2/20/bb", 1, t0, time.Hour)
	must(t, err)
	if len(mine) != 2 || len(theirs) != 1 {
		t.Fatalf("leases: %v %v", urls(mine), urls(theirs))
	}
	// A retry counted one attempt on a job of mine before the crash.
	must(t, s.Retry(ctx, mine[0].URL, t0, frontier.ClassTimeout))
	again, err := s.LeaseURLs(ctx, "m1/10/aa", []string{mine[0].URL}, 1, t0, time.Hour)
	must(t, err)
	if len(again) != 1 || again[0].URL != mine[0].URL {
		t.Fatalf("re-lease: %v", urls(again))
	}

	n, err := s.ReleaseLeases(ctx, "m1/")
	must(t, err)
	sqlite := strings.HasPrefix(dsn, "sqlite:")
	want := []string{mine[0].URL, mine[1].URL}
	if sqlite {
		want = append(want, theirs[0].URL)
	}
	slices.Sort(want)
	if n != len(want) {
		t.Fatalf("released %d leases, want %d (%v)", n, len(want), want)
	}
	// Long before the leases would expire, another run takes them.
	got, err := s.Lease(ctx, "m1/11/cc", 10, t0.Add(time.Second), time.Hour)
	must(t, err)
	var gotURLs []string
	for _, j := range got {
		if j.URL == d.URL {
			continue // the queued job, never leased
		}
		gotURLs = append(gotURLs, j.URL)
		wantAttempts := 0
		if j.URL == mine[0].URL {
			wantAttempts = 1
		}
		if j.Attempts != wantAttempts {
			t.Errorf("%s: %d attempts after release, want %d (a release counts none)", j.URL, j.Attempts, wantAttempts)
		}
	}
	slices.Sort(gotURLs)
	if !slices.Equal(gotURLs, want) {
		t.Errorf("leased after release: %v, want %v", gotURLs, want)
	}
}

// testRenewLeases: a renewed lease is not taken over when the first TTL
// ends; only the owner can renew, and only a job still leased.
func testRenewLeases(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	a, b := job("https://a.example/1"), job("https://a.example/2")
	a.NotBefore, b.NotBefore = t0, t0
	_, err := s.Enqueue(ctx, []frontier.Job{a, b})
	must(t, err)
	jobs, err := s.Lease(ctx, "w1", 2, t0, 2*time.Second)
	must(t, err)
	if len(jobs) != 2 {
		t.Fatalf("lease: %v", urls(jobs))
	}
	n, err := s.RenewLeases(ctx, "w2", []string{a.URL, b.URL}, t0.Add(time.Hour))
	must(t, err)
	if n != 0 {
		t.Errorf("another owner renewed %d leases", n)
	}
	n, err = s.RenewLeases(ctx, "w1", []string{a.URL, "https://a.example/unknown"}, t0.Add(time.Minute))
	must(t, err)
	if n != 1 {
		t.Errorf("renewed %d leases, want 1", n)
	}
	// After the first TTL, only the job not renewed is taken over.
	got, err := s.Lease(ctx, "w2", 10, t0.Add(10*time.Second), time.Hour)
	must(t, err)
	if len(got) != 1 || got[0].URL != b.URL {
		t.Fatalf("taken over: %v, want only %s", urls(got), b.URL)
	}
	// The renewed lease still ends, at its new time.
	got, err = s.Lease(ctx, "w2", 10, t0.Add(2*time.Minute), time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].URL != a.URL {
		t.Fatalf("taken over after the renewed lease: %v, want %s", urls(got), a.URL)
	}
	must(t, s.Finish(ctx, a.URL, ""))
	if n, err := s.RenewLeases(ctx, "w2", []string{a.URL}, t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("renewing a finished job: %d, %v", n, err)
	}
	if n, err := s.RenewLeases(ctx, "w2", nil, t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("renewing nothing: %d, %v", n, err)
	}
}

// testRequeueFailed: jobs failed for good with one class come back with a
// fresh set of attempts; other classes, done and queued jobs stay.
func testRequeueFailed(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	p1, p2, tm, ok := job("https://a.example/p1"), job("https://a.example/p2"), job("https://a.example/t"), job("https://a.example/ok")
	for _, j := range []*frontier.Job{&p1, &p2, &tm, &ok} {
		j.NotBefore = t0
	}
	_, err := s.Enqueue(ctx, []frontier.Job{p1, p2, tm, ok})
	must(t, err)
	_, err = s.Lease(ctx, "w", 10, t0, time.Minute)
	must(t, err)
	must(t, s.Retry(ctx, p1.URL, t0, frontier.ClassProcess))
	_, err = s.Lease(ctx, "w", 10, t0, time.Minute)
	must(t, err)
	must(t, s.Finish(ctx, p1.URL, frontier.ClassProcess))
	must(t, s.Finish(ctx, p2.URL, frontier.ClassProcess))
	must(t, s.Finish(ctx, tm.URL, frontier.ClassTimeout))
	must(t, s.Finish(ctx, ok.URL, ""))

	n, err := s.RequeueFailed(ctx, frontier.ClassProcess)
	must(t, err)
	if n != 2 {
		t.Fatalf("requeued %d, want 2", n)
	}
	for u, wantSeen := range map[string]bool{p1.URL: false, p2.URL: false, tm.URL: true, ok.URL: true} {
		seen, err := s.Seen(ctx, u)
		must(t, err)
		if seen != wantSeen {
			t.Errorf("%s: seen %v after requeue, want %v", u, seen, wantSeen)
		}
	}
	got, err := s.Lease(ctx, "w2", 10, time.Now(), time.Minute)
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("leased %v, want the two requeued jobs", urls(got))
	}
	for _, j := range got {
		if j.Attempts != 0 {
			t.Errorf("%s: %d attempts, want a fresh set", j.URL, j.Attempts)
		}
	}
}

// testPostpone: jobs a pass leased but will not try go back to the queue at
// the given time, their attempts unchanged; another owner's are left alone.
func testPostpone(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	a, b := job("https://a.example/1"), job("https://a.example/2")
	a.NotBefore, b.NotBefore = t0, t0
	_, err := s.Enqueue(ctx, []frontier.Job{a, b})
	must(t, err)
	_, err = s.LeaseURLs(ctx, "w1", []string{a.URL}, 1, t0, time.Minute)
	must(t, err)
	must(t, s.Retry(ctx, a.URL, t0, frontier.ClassTimeout))
	got, err := s.Lease(ctx, "w1", 1, t0, time.Minute)
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("lease: %v", urls(got))
	}
	other, err := s.Lease(ctx, "w2", 1, t0, 2*time.Hour)
	must(t, err)
	if len(other) != 1 {
		t.Fatalf("lease: %v", urls(other))
	}
	later := t0.Add(time.Hour)
	must(t, s.Postpone(ctx, "w1", []string{got[0].URL, other[0].URL}, later))
	if jobs, err := s.Lease(ctx, "w3", 10, later.Add(-time.Second), time.Hour); err != nil || len(jobs) != 0 {
		t.Fatalf("before the postponed time: %v %v (the other owner's lease lasts two hours)", urls(jobs), err)
	}
	jobs, err := s.Lease(ctx, "w3", 10, later, time.Hour)
	must(t, err)
	if len(jobs) != 1 || jobs[0].URL != got[0].URL || jobs[0].Attempts != got[0].Attempts {
		t.Fatalf("after the postponed time: %v, want %s with %d attempts", jobs, got[0].URL, got[0].Attempts)
	}
}
