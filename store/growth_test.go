package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
)

// newsGen builds synthetic stories like news: many topics with their own
// words, a general vocabulary drawn Zipf-like, wire datelines, lede
// formulas and boilerplate sentences shared verbatim by many stories (a
// newsletter plug, a correction line, "contributed to this report").
type newsGen struct {
	vocab      []string
	topics     [][]string
	boiler     []string
	formulas   []string
	cities     []string
	wireAbbrev []string
}

func newNewsGen() *newsGen {
	r := rand.New(rand.NewPCG(16, 16))
	syll := []string{"ba", "ker", "lo", "min", "sta", "ri", "ton", "ve", "dal", "mor", "pe", "san", "tri", "gul", "hen", "os", "ca", "lin", "dre", "wu", "fan", "zi", "ro", "bel"}
	word := func() string {
		n := 1 + r.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		return b.String()
	}
	g := &newsGen{cities: []string{"WASHINGTON", "LONDON", "PARIS", "BERLIN", "TOKYO", "NAIROBI", "MADRID", "SEOUL"},
		wireAbbrev: []string{"AP", "CW", "MNA"}}
	for range 20000 {
		g.vocab = append(g.vocab, word())
	}
	for range 3000 {
		var t []string
		for range 200 {
			t = append(t, word()+word())
		}
		g.topics = append(g.topics, t)
	}
	for i := range 40 {
		g.boiler = append(g.boiler, g.sentence(r, nil, 14)+fmt.Sprintf(" (boilerplate %d)", i))
	}
	g.formulas = []string{"officials said on Tuesday, citing people familiar with the matter", "according to a statement released late on Monday",
		"the ministry said in a statement on its website", "a spokesperson said in an emailed statement"}
	return g
}

func (g *newsGen) sentence(r *rand.Rand, topic []string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		if topic != nil && r.IntN(10) < 4 {
			ws[i] = topic[r.IntN(len(topic))]
		} else {
			// Zipf-like: small indexes much more often
			ws[i] = g.vocab[int(float64(len(g.vocab))*r.Float64()*r.Float64()*r.Float64())]
		}
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// story i: a dateline and lede (often with a formula), 4-7 paragraphs of
// topic sentences, sometimes a boilerplate paragraph.
func (g *newsGen) story(i int) []string {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	topic := g.topics[r.IntN(len(g.topics))]
	lede := g.sentence(r, topic, 18+r.IntN(10))
	if r.IntN(3) == 0 {
		lede = strings.TrimSuffix(lede, ".") + ", " + g.formulas[r.IntN(len(g.formulas))] + "."
	}
	paras := []string{g.cities[r.IntN(len(g.cities))] + " (" + g.wireAbbrev[r.IntN(3)] + ") — " + lede}
	for range 4 + r.IntN(4) {
		var ss []string
		for range 1 + r.IntN(3) {
			ss = append(ss, g.sentence(r, topic, 12+r.IntN(14)))
		}
		paras = append(paras, strings.Join(ss, " "))
	}
	if r.IntN(3) == 0 {
		paras = append(paras, g.boiler[r.IntN(len(g.boiler))])
	}
	return paras
}

// copyOf is a syndicated copy of story i: another byline line, the last
// paragraph dropped, a local paragraph added.
func (g *newsGen) copyOf(i, j int) []string {
	p := g.story(i)
	r := rand.New(rand.NewPCG(uint64(i), uint64(j)))
	out := append([]string{"By Staff and wire reports"}, p[:len(p)-1]...)
	return append(out, g.sentence(r, nil, 20))
}

// growthSizes are the index sizes BenchmarkDecideSaveGrowth fills:
// WIRECRAWL_BENCH_STORIES (comma-separated), default 10000.
func growthSizes(b *testing.B) []int {
	v := os.Getenv("WIRECRAWL_BENCH_STORIES")
	if v == "" {
		return []int{10_000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("WIRECRAWL_BENCH_STORIES: bad size %q", f)
		}
		out = append(out, n)
	}
	return out
}

// BenchmarkDecideSaveGrowth fills a store with n synthetic news stories
// (first seen over the last 60 days, so the 30-day window matters) and
// measures what a crawl pays per page at that size: dedup.Decide inside
// SavePage's transaction, then the story or copy. Two pages in five are
// copies of a recent story. Sizes: WIRECRAWL_BENCH_STORIES=10000,100000,1000000.
//
//	go test ./store -run XXX -bench DecideSaveGrowth -benchtime 2000x
func BenchmarkDecideSaveGrowth(b *testing.B) {
	g := newNewsGen()
	ctx := context.Background()
	for _, be := range backends {
		for _, n := range growthSizes(b) {
			b.Run(fmt.Sprintf("%s/stories=%d", be.name, n), func(b *testing.B) {
				s := storeWithStories(b, ctx, be.dsn(b), g, n)
				d := dedup.New(dedup.Config{})
				now := time.Now()
				b.ResetTimer()
				cpu0, _ := rusage()
				var copies int
				for i := 0; b.Loop(); i++ {
					var doc wirecrawl.Document
					if i%5 < 2 {
						src := n - 1 - (i*37)%min(n, 2000) // a recent story
						doc = wirecrawl.Document{URL: fmt.Sprintf("https://copy%d.example/%d/%d", i%50, src, i), Site: "Copy",
							Text: strings.Join(g.copyOf(src, i), "\n\n"), FetchedAt: now}
					} else {
						doc = wirecrawl.Document{URL: fmt.Sprintf("https://wire.example/new/%d", n+i), Site: "Wire",
							Text: strings.Join(g.story(n+i), "\n\n"), FetchedAt: now}
					}
					_, dec, err := s.SavePage(ctx, func(ctx context.Context, idx dedup.Index) (store.Page, error) {
						dec, err := d.Decide(ctx, idx, doc)
						return store.Page{Doc: doc, Decision: dec, FrontierURL: doc.URL}, err
					})
					if err != nil {
						b.Fatal(err)
					}
					if dec.Action == dedup.ActionCopy {
						copies++
					}
				}
				cpu1, rss := rusage()
				st := d.Stats()
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/page")
				// the process's CPU: the PostgreSQL server's is not in it
				b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/page")
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
				b.ReportMetric(float64(copies)/float64(b.N), "copies/page")
				b.ReportMetric(float64(st.Nominated)/float64(st.Decisions), "nominated/page")
				b.ReportMetric(float64(st.TextsRead)/float64(st.Decisions), "texts-read/page")
				b.ReportMetric(float64(st.StopKeys)/float64(st.Decisions), "stop-keys/page")
				b.ReportMetric(st.CacheHitRate(), "cache-hit-rate")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// storeWithStories opens a fresh store and bulk-loads n stories of g, with
// their real dedup keys.
func storeWithStories(b *testing.B, ctx context.Context, dsn string, g *newsGen, n int) store.Store {
	b.Helper()
	s, err := store.Open(ctx, dsn, store.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	d := dedup.New(dedup.Config{})
	start := time.Now()
	const chunk = 5000
	for lo := 0; lo < n; lo += chunk {
		var bs []store.BulkStory
		for i := lo; i < min(n, lo+chunk); i++ {
			text := strings.Join(g.story(i), "\n\n")
			fp := d.Fingerprint(text)
			bs = append(bs, store.BulkStory{URL: fmt.Sprintf("https://wire.example/story/%d", i), Site: "Wire", Text: text,
				Simhash: fp.Simhash, ContentHash: fp.ContentHash, Words: fp.Words, Keys: fp.Keys,
				FirstSeen: start.Add(-time.Duration(n-i) * 60 * 24 * time.Hour / time.Duration(n))})
		}
		if err := store.BulkLoad(ctx, s, bs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d stories loaded in %v", n, time.Since(start).Round(time.Second))
	return s
}
