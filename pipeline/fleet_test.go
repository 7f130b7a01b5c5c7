package pipeline_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// fleetCrawl runs n crawlers at once, each with its own store handle on one
// database, as a fleet of processes sharing one frontier and one dedup index
// would, and checks the result against the web's truth.
func fleetCrawl(t *testing.T, dsn string, n int) {
	ctx := t.Context() // the hang guard is go test's -timeout, not a duration a busy machine may miss
	web, err := testweb.Start(ctx, testweb.Options{Seed: 21, Outlets: 6, Stories: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer web.Close()

	var wg sync.WaitGroup
	sums := make([]crawler.Summary, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		st, err := store.Open(ctx, dsn, store.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		p, err := pipeline.New(ctx, st, pipeline.Config{
			Crawler: crawler.Config{AllowPrivateNetworks: true, Delay: 5 * time.Millisecond, Workers: 4},
			OnOutcome: func(o pipeline.Outcome) {
				if o.Err != nil {
					t.Errorf("crawler %d: %v", i, o.Err)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sums[i], errs[i] = p.Crawl(ctx, web.Seeds())
		}(i)
	}
	wg.Wait()
	fetched := 0
	for i := range sums {
		if errs[i] != nil {
			t.Fatalf("crawler %d: %v", i, errs[i])
		}
		t.Logf("crawler %d: %d pages fetched, %d stored, %d left", i, sums[i].PagesFetched, sums[i].PagesStored, sums[i].Left)
		fetched += sums[i].PagesFetched
	}

	st, err := store.Open(ctx, dsn, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := storedClusters(t, ctx, st)
	assign := map[string]string{}
	for u, id := range got {
		assign[u] = fmt.Sprint(id)
	}
	s := web.ScoreClusters(assign)
	allowed, aliases := 0, 0
	for _, p := range web.Truth() {
		if !p.Disallowed {
			allowed++
			aliases += len(p.Aliases)
		}
	}
	t.Logf("%d crawlers: %d fetches for %d articles (%d aliases); P %.4f R %.4f F1 %.4f", n, fetched, allowed, aliases, s.PairPrecision, s.PairRecall, s.PairF1)
	if s.Pages != allowed || s.Unknown != 0 {
		t.Errorf("stored %d of %d articles (%d unknown URLs)", s.Pages, allowed, s.Unknown)
	}
	// A crawler that follows an alias (a redirect, an AMP page) learns the
	// article's URL only after fetching it, so an article may be fetched
	// under each of its URLs once, by whichever crawler leased that URL;
	// more means no shared frontier (which would cost about n fetches per
	// article).
	if fetched > allowed+aliases {
		t.Errorf("%d article fetches for %d articles with %d aliases: the crawlers did not share the frontier", fetched, allowed, aliases)
	}
	if s.PairPrecision < 0.99 || s.PairF1 < 0.98 {
		t.Errorf("fleet dedup P %.4f F1 %.4f: copies arriving at once did not form one story", s.PairPrecision, s.PairF1)
	}
	// Politeness holds across the fleet: the per-host slots are shared.
	if v := web.CheckPoliteness(5 * time.Millisecond); len(v) > 0 {
		t.Errorf("%d politeness violations across the fleet, first: %+v", len(v), v[0])
	}
}

func TestFleetSQLite(t *testing.T) {
	fleetCrawl(t, "sqlite:"+filepath.Join(t.TempDir(), "fleet.db"), 3)
}

func TestFleetPostgres(t *testing.T) {
	fleetCrawl(t, storetest.PostgresDSN(t), 3)
}
