package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// TestIndexPrunedOutsideWindow: a new story decided with a dedup window
// drops the index entries of stories first seen before the window's start
// (they can no longer be nominated); their stories and copies stay, and the
// stories inside the window keep theirs.
func TestIndexPrunedOutsideWindow(t *testing.T) {
	defer store.SetIndexPruneEvery(1)()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, be.dsn(t), store.Config{})
			var old []int64
			for i := range 3 {
				p := storetest.NewPage(fmt.Sprintf("https://a.example/old/%d", i), "A", fmt.Sprintf("old story %d", i), t0, 500, uint64(10+i))
				id, _, err := s.SavePage(ctx, func(context.Context, dedup.Index) (store.Page, error) { return p, nil })
				if err != nil {
					t.Fatal(err)
				}
				old = append(old, id)
			}
			cut := time.Now()
			if nom, _ := s.Nominate(ctx, dedup.Query{Keys: []uint64{500}}); len(nom.Candidates) != 3 {
				t.Fatalf("before pruning: %+v", nom)
			}
			p := storetest.NewPage("https://a.example/new", "A", "new story", t0, 600)
			p.Decision.WindowStart = cut
			if _, _, err := s.SavePage(ctx, func(context.Context, dedup.Index) (store.Page, error) { return p, nil }); err != nil {
				t.Fatal(err)
			}
			nom, err := s.Nominate(ctx, dedup.Query{Keys: []uint64{500, 10, 11, 12, 600}})
			if err != nil {
				t.Fatal(err)
			}
			if len(nom.Candidates) != 1 || nom.Candidates[0].StoryID == old[0] {
				t.Fatalf("after pruning: %+v; want only the new story", nom.Candidates)
			}
			st, _, ok, err := s.StoryOf(ctx, "https://a.example/old/1")
			if err != nil || !ok || st.ID != old[1] || st.Text != "old story 1" {
				t.Fatalf("a pruned story is still stored: %+v %v %v", st, ok, err)
			}
		})
	}
}
