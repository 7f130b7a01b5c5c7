package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

var backends = []struct {
	name string
	dsn  func(testing.TB) string
}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}}

// benchText is an article-sized body (about 600 words).
var benchText = strings.Repeat("The minister said on Tuesday that the talks would resume next week after a pause. ", 40)

// benchPage is page i of the benchmark: every fourth page is a copy of the
// story three pages earlier (it shares a key), the others are new stories.
// Each page has 8 band keys, as dedup's simhash tables produce.
func benchPage(i int) store.Page {
	story := i
	if i%4 == 3 {
		story = i - 3
	}
	keys := make([]uint64, 8)
	for b := range keys {
		keys[b] = uint64(story)*16 + uint64(b) + 1<<62
	}
	p := storetest.NewPage(fmt.Sprintf("https://site%d.example/news/%d", i%10, i), fmt.Sprintf("Site %d", i%10),
		fmt.Sprintf("%d %s", story, benchText), t0, keys...)
	p.Decision.ContentHash = uint64(i) + 1<<63
	return p
}

// BenchmarkSavePage measures stored pages per second: each op is one
// SavePage (dedup lookup inside the transaction, then the story or copy,
// its keys, the content hash and the frontier job).
func BenchmarkSavePage(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := storetest.Open(b, be.dsn(b), store.Config{})
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				if _, _, err := s.SavePage(ctx, storetest.LookupDecide(benchPage(i))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkSavePageParallel is BenchmarkSavePage with concurrent savers
// (GOMAXPROCS goroutines on one store handle).
func BenchmarkSavePageParallel(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := storetest.Open(b, be.dsn(b), store.Config{})
			ctx := context.Background()
			var next atomicInt
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := s.SavePage(ctx, storetest.LookupDecide(benchPage(next.add()))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkStories measures the streaming read behind exports, in stories/s.
func BenchmarkStories(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := storetest.Open(b, be.dsn(b), store.Config{})
			ctx := context.Background()
			const n = 2000
			for i := range n {
				if _, _, err := s.SavePage(ctx, storetest.LookupDecide(benchPage(i))); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			rows := 0
			for range b.N {
				err := s.Stories(ctx, export.Filter{}, func(wirecrawl.Story) error { rows++; return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "stories/s")
		})
	}
}

type atomicInt struct{ v atomic.Int64 }

func (a *atomicInt) add() int { return int(a.v.Add(1) - 1) }
