package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// TestSaveGroupAtomicPages: SavePage calls that queue while a page is being
// written are stored together in one transaction (group commit), and each
// page stays atomic: the pages whose decide fails are not stored and get
// their error, the others are stored, including a copy decided against a
// new story stored earlier in the same group.
func TestSaveGroupAtomicPages(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, be.dsn(t), store.Config{})
			const waiting = 8
			// The first page holds the writer until the others wait.
			first := storetest.NewPage("https://a.example/first", "A", "first story", t0, 100)
			errFirst := make(chan error, 1)
			started := make(chan struct{})
			go func() {
				_, _, err := s.SavePage(ctx, func(context.Context, dedup.Index) (store.Page, error) {
					close(started)
					for store.WaitingSaves(s) < waiting {
						runtime.Gosched()
					}
					return first, nil
				})
				errFirst <- err
			}()
			<-started
			errBad := errors.New("decide failed")
			var wg sync.WaitGroup
			errs := make([]error, waiting)
			for i := range waiting {
				wg.Go(func() {
					u := fmt.Sprintf("https://b.example/%d", i)
					p := storetest.NewPage(u, "B", fmt.Sprintf("story %d", i), t0, uint64(200+i))
					if i == 0 {
						p = storetest.NewPage(u, "B", "first story", t0, 100) // a copy of the first page's story
					}
					decide := storetest.LookupDecide(p)
					if i%3 == 2 {
						decide = func(context.Context, dedup.Index) (store.Page, error) { return store.Page{}, errBad }
					}
					_, _, errs[i] = s.SavePage(ctx, decide)
				})
			}
			wg.Wait()
			if err := <-errFirst; err != nil {
				t.Fatal(err)
			}
			firstStory, _, ok, err := s.StoryOf(ctx, "https://a.example/first")
			if err != nil || !ok {
				t.Fatalf("first page not stored: %v", err)
			}
			for i, err := range errs {
				u := fmt.Sprintf("https://b.example/%d", i)
				st, _, ok, serr := s.StoryOf(ctx, u)
				if serr != nil {
					t.Fatal(serr)
				}
				switch {
				case i%3 == 2:
					if !errors.Is(err, errBad) || ok {
						t.Errorf("page %d: failed decide returned %v, stored %v", i, err, ok)
					}
				case err != nil || !ok:
					t.Errorf("page %d: err %v, stored %v", i, err, ok)
				case i == 0 && st.ID != firstStory.ID:
					t.Errorf("page 0 is in story %d, want the first page's %d", st.ID, firstStory.ID)
				}
			}
		})
	}
}
