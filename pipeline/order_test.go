package pipeline_test

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"testing"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// orderDocs returns testweb's truth pages as cleaned documents (a perfect
// cleaner's output), in truth order.
func orderDocs(t *testing.T, opts testweb.Options) []wirecrawl.Document {
	t.Helper()
	web, err := testweb.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	var docs []wirecrawl.Document
	for _, p := range web.Truth() {
		docs = append(docs, wirecrawl.Document{URL: p.URL, Title: p.Title, Byline: p.Byline, Text: p.Body,
			Published: p.Published, Site: p.Outlet, Lang: p.Lang})
	}
	return docs
}

// labels turns a URL -> story assignment into a labelling of docs that does
// not depend on story ids: each page's label is the smallest index (in docs)
// of a page in its cluster. A page missing from the assignment is an error.
func labels(t *testing.T, docs []wirecrawl.Document, story map[string]int64) []int {
	t.Helper()
	first := map[int64]int{}
	out := make([]int, len(docs))
	for i, d := range docs {
		id, ok := story[d.URL]
		if !ok {
			t.Fatalf("%s not stored", d.URL)
		}
		if _, ok := first[id]; !ok {
			first[id] = i
		}
		out[i] = first[id]
	}
	return out
}

// moved counts the pages whose cluster differs between two labellings.
func moved(a, b []int) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// storeOrder saves docs in the given order through dedup and SavePage into
// the store dsn names, and returns the stored partition as labels.
func storeOrder(t *testing.T, ctx context.Context, dsn string, d *dedup.Deduper, docs []wirecrawl.Document, order []int) []int {
	t.Helper()
	st := storetest.Open(t, dsn, store.Config{})
	for _, i := range order {
		doc := docs[i]
		_, _, err := st.SavePage(ctx, func(ctx context.Context, idx dedup.Index) (store.Page, error) {
			dec, err := d.Decide(ctx, idx, doc)
			return store.Page{Doc: doc, Decision: dec}, err
		})
		if err != nil {
			t.Fatalf("save %s: %v", doc.URL, err)
		}
	}
	story := map[string]int64{}
	err := st.Stories(ctx, export.Filter{}, func(s wirecrawl.Story) error {
		for _, c := range s.Copies {
			if prev, ok := story[c.URL]; ok {
				return fmt.Errorf("%s in stories %d and %d", c.URL, prev, s.ID)
			}
			story[c.URL] = s.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(story) != len(docs) {
		t.Fatalf("%d URLs stored, want %d", len(story), len(docs))
	}
	return labels(t, docs, story)
}

// memoryOrder is storeOrder with dedup.MemoryIndex: the reference for what
// merging can achieve.
func memoryOrder(t *testing.T, ctx context.Context, d *dedup.Deduper, docs []wirecrawl.Document, order []int) []int {
	t.Helper()
	idx := dedup.NewMemoryIndex()
	stored := map[string]int64{}
	for _, i := range order {
		dec, err := idx.Store(ctx, d, docs[i])
		if err != nil {
			t.Fatalf("memory index %s: %v", docs[i].URL, err)
		}
		stored[docs[i].URL] = dec.StoryID
	}
	for u, id := range stored {
		stored[u] = idx.StoryOf(id)
	}
	return labels(t, docs, stored)
}

// TestOrderIndependence feeds one set of cleaned testweb pages through
// dedup and the store in two arrival orders and compares the clusters. The
// store applies Decision.Merge like dedup.MemoryIndex, so for each order the
// stored partition must equal MemoryIndex's, and the store's clusters move
// between orders no more than MemoryIndex's do. Measured (two orders, three
// webs of 1,046, 858 and 1,078 pages): with merging 0, 1 and 0 pages move;
// with dedup.no_merge, which is what the store did before it applied
// Decision.Merge, 4, 2 and 1.
func TestOrderIndependence(t *testing.T) {
	orderBackends(t, func(t *testing.T) string { return storetest.SQLiteDSN(t) }, true)
}

// TestOrderIndependencePostgres is TestOrderIndependence on PostgreSQL, with
// merging only (to keep the package's time down); it is skipped unless
// WIRECRAWL_TEST_POSTGRES is set.
func TestOrderIndependencePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("TestOrderIndependence checks the same on SQLite; the store's backends share storetest's conformance suite")
	}
	storetest.PostgresDSN(t) // skips when unset
	orderBackends(t, func(t *testing.T) string { return storetest.PostgresDSN(t) }, false)
}

// orderBackends runs the order comparison on the backend newDSN names, with
// merging and, when noMerge is set, also with dedup.no_merge.
func orderBackends(t *testing.T, newDSN func(t *testing.T) string, noMerge bool) {
	for _, opts := range []testweb.Options{{Seed: 1}, {Seed: 9, Outlets: 3, Stories: 400}, {Seed: 3, Outlets: 8, Stories: 300}} {
		docs := orderDocs(t, opts)
		for _, cfg := range []struct {
			name string
			dc   dedup.Config
		}{{"merge", dedup.Config{}}, {"no_merge", dedup.Config{NoMerge: true}}} {
			if cfg.dc.NoMerge && !noMerge {
				continue
			}
			t.Run(fmt.Sprintf("seed%d/%s", opts.Seed, cfg.name), func(t *testing.T) {
				// Each web and setting has its own databases: they run
				// side by side (on PostgreSQL, much of the time is round
				// trips).
				t.Parallel()
				ctx := t.Context() // the hang guard is go test's -timeout
				d := dedup.New(cfg.dc)
				orders := [2][]int{}
				for k := range orders {
					orders[k] = mrand.New(mrand.NewPCG(uint64(opts.Seed), uint64(100+k))).Perm(len(docs))
				}
				var stored, mem [2][]int
				for k, order := range orders {
					stored[k] = storeOrder(t, ctx, newDSN(t), d, docs, order)
					mem[k] = memoryOrder(t, ctx, d, docs, order)
					if n := moved(stored[k], mem[k]); n != 0 {
						t.Errorf("order %d: the store's clusters differ from MemoryIndex's for %d of %d pages", k, n, len(docs))
					}
				}
				sm, mm := moved(stored[0], stored[1]), moved(mem[0], mem[1])
				t.Logf("%d pages: a second arrival order moves %d pages in the store, %d in MemoryIndex", len(docs), sm, mm)
				if sm > mm {
					t.Errorf("the store's clusters move %d pages between orders, MemoryIndex's %d", sm, mm)
				}
			})
		}
	}
}
