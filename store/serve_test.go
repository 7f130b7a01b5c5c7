package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
)

// TestScheduler: NextDue is the earliest of a feed's next poll, a queued
// job's due time and a lease's expiry, on both backends; FeedsDue counts the
// feeds due by a time.
func TestScheduler(t *testing.T) {
	for _, b := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, b.dsn(t), store.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			sch, ok := st.(store.Scheduler)
			if !ok {
				t.Fatalf("%T does not implement store.Scheduler", st)
			}
			if err := sch.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := sch.NextDue(ctx, time.Time{}); err != nil || ok {
				t.Fatalf("empty store: NextDue ok %v, err %v; want nothing due", ok, err)
			}
			base := time.Unix(1_800_000_000, 0)
			check := func(want time.Time) {
				t.Helper()
				got, ok, err := sch.NextDue(ctx, time.Time{})
				if err != nil || !ok || !got.Equal(want) {
					t.Fatalf("NextDue = %v, %v, %v; want %v", got, ok, err, want)
				}
			}
			if err := st.SaveFeed(ctx, frontier.FeedState{URL: "http://a.test/feed", NextPoll: base.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if err := st.SaveFeed(ctx, frontier.FeedState{URL: "http://b.test/feed", NextPoll: base.Add(3 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			check(base.Add(time.Hour))
			if n, err := sch.FeedsDue(ctx, base.Add(2*time.Hour)); err != nil || n != 1 {
				t.Fatalf("FeedsDue = %d, %v; want 1", n, err)
			}
			jobs := []frontier.Job{
				{URL: "http://a.test/1", Kind: frontier.KindArticle, NotBefore: base.Add(30 * time.Minute)},
				{URL: "http://a.test/2", Kind: frontier.KindArticle, NotBefore: base.Add(-time.Hour)},
			}
			if _, err := st.Enqueue(ctx, jobs); err != nil {
				t.Fatal(err)
			}
			check(base.Add(-time.Hour))
			// Leasing the due job leaves its lease expiry and the other job.
			leased, err := st.Lease(ctx, "t", 1, base, 10*time.Minute)
			if err != nil || len(leased) != 1 {
				t.Fatalf("lease: %v %v", leased, err)
			}
			check(base.Add(10 * time.Minute))
			if err := st.Finish(ctx, "http://a.test/2", ""); err != nil {
				t.Fatal(err)
			}
			check(base.Add(30 * time.Minute))
			// What was due by `after` is left out.
			got, ok, err := sch.NextDue(ctx, base.Add(30*time.Minute))
			if err != nil || !ok || !got.Equal(base.Add(time.Hour)) {
				t.Fatalf("NextDue after the queued job's time = %v, %v, %v; want the feed's %v", got, ok, err, base.Add(time.Hour))
			}
			if _, ok, err := sch.NextDue(ctx, base.Add(5*time.Hour)); err != nil || ok {
				t.Fatalf("NextDue after everything: ok %v, err %v; want nothing", ok, err)
			}
		})
	}
}
