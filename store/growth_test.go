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
// WIRECRAWL_BENCH_STORIES (comma-separated), default 10000,100000.
func growthSizes(b *testing.B) []int {
	v := os.Getenv("WIRECRAWL_BENCH_STORIES")
	if v == "" {
		return []int{10_000, 100_000}
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

// growthRound is how many pages BenchmarkDecideSaveGrowth stores in one
// store before it turns to the next size.
const growthRound = 50

// growthStore is one filled store of BenchmarkDecideSaveGrowth and what
// its pages cost.
type growthStore struct {
	n      int
	s      store.Store
	d      *dedup.Deduper
	pages  int
	copies int
	wall   time.Duration
	cpu    time.Duration
}

// save stores the store's next page: two pages in five are copies of a
// recent story, the others new stories.
func (gs *growthStore) save(b *testing.B, ctx context.Context, g *newsGen, now time.Time) {
	i, n := gs.pages, gs.n
	var doc wirecrawl.Document
	if i%5 < 2 {
		src := n - 1 - (i*37)%min(n, 2000) // a recent story
		doc = wirecrawl.Document{URL: fmt.Sprintf("https://copy%d.example/%d/%d", i%50, src, i), Site: "Copy",
			Text: strings.Join(g.copyOf(src, i), "\n\n"), FetchedAt: now}
	} else {
		doc = wirecrawl.Document{URL: fmt.Sprintf("https://wire.example/new/%d", n+i), Site: "Wire",
			Text: strings.Join(g.story(n+i), "\n\n"), FetchedAt: now}
	}
	cpu0, _ := rusage()
	start := time.Now()
	_, dec, err := gs.s.SavePage(ctx, func(ctx context.Context, idx dedup.Index) (store.Page, error) {
		dec, err := gs.d.Decide(ctx, idx, doc)
		return store.Page{Doc: doc, Decision: dec, FrontierURL: doc.URL}, err
	})
	gs.wall += time.Since(start)
	cpu1, _ := rusage()
	gs.cpu += cpu1 - cpu0
	if err != nil {
		b.Fatal(err)
	}
	gs.pages++
	if dec.Action == dedup.ActionCopy {
		gs.copies++
	}
}

// BenchmarkDecideSaveGrowth fills one store per size with synthetic news
// stories (first seen over the last 60 days, so the 30-day window matters)
// and measures what a crawl pays per page at each size: dedup.Decide
// inside SavePage's transaction, then the story or copy. The sizes take
// turns, growthRound pages each, so that the shared machine's load falls
// on all of them alike; the ratio of the largest size's wall time per page
// to the smallest's is the figure issue 16 judges (at most 1.5). Sizes:
// WIRECRAWL_BENCH_STORIES=10000,100000,1000000 (filling a million takes
// some minutes per backend).
//
//	go test ./store -run XXX -bench DecideSaveGrowth -benchtime 3000x -timeout 60m
func BenchmarkDecideSaveGrowth(b *testing.B) {
	g := newNewsGen()
	ctx := context.Background()
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			var stores []*growthStore
			for _, n := range growthSizes(b) {
				stores = append(stores, &growthStore{n: n, s: storeWithStories(b, ctx, be.dsn(b), g, n), d: dedup.New(dedup.Config{})})
			}
			now := time.Now()
			_, fillRSS := rusage()
			measured := resetPeakRSS()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				stores[(i/growthRound)%len(stores)].save(b, ctx, g, now)
			}
			for _, gs := range stores {
				if gs.pages == 0 {
					continue
				}
				st := gs.d.Stats()
				at := fmt.Sprintf("@%d", gs.n)
				b.ReportMetric(float64(gs.wall.Microseconds())/float64(gs.pages), "µs/page"+at)
				// the process's CPU: the PostgreSQL server's is not in it
				b.ReportMetric(float64(gs.cpu.Microseconds())/float64(gs.pages), "cpu-µs/page"+at)
				b.ReportMetric(float64(gs.copies)/float64(gs.pages), "copies/page"+at)
				b.ReportMetric(float64(st.TextsRead)/float64(max(st.Decisions, 1)), "texts-read/page"+at)
				b.ReportMetric(float64(st.StopKeys)/float64(max(st.Decisions, 1)), "stop-keys/page"+at)
			}
			if first, last := stores[0], stores[len(stores)-1]; first.pages > 0 && last.pages > 0 && len(stores) > 1 {
				per := func(gs *growthStore) float64 { return float64(gs.wall) / float64(gs.pages) }
				b.ReportMetric(per(last)/per(first), "largest/smallest")
			}
			// the peak while the pages were stored, with every store open
			// (the whole process's, fill included, where it cannot be reset)
			if rss := peakRSS(); measured && rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
			} else {
				_, rss := rusage()
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
			}
			b.ReportMetric(float64(fillRSS)/(1<<20), "fill-peak-RSS-MiB")
			b.ReportMetric(0, "ns/op")
		})
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
	err = store.BulkLoad(ctx, s, n, func(i int) store.BulkStory {
		text := strings.Join(g.story(i), "\n\n")
		fp := d.Fingerprint(text)
		return store.BulkStory{URL: fmt.Sprintf("https://wire.example/story/%d", i), Site: "Wire", Text: text,
			Simhash: fp.Simhash, ContentHash: fp.ContentHash, Words: fp.Words, Keys: fp.Keys,
			FirstSeen: start.Add(-time.Duration(n-i) * 60 * 24 * time.Hour / time.Duration(n))}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d stories loaded in %v", n, time.Since(start).Round(time.Second))
	return s
}

// resetPeakRSS resets the process's peak resident set (Linux:
// /proc/self/clear_refs) and reports whether it could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the process's peak resident set since it started or since
// resetPeakRSS (Linux: VmHWM), 0 if unknown.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if f := strings.Fields(v); len(f) > 0 {
				kib, _ := strconv.ParseInt(f[0], 10, 64)
				return kib << 10
			}
		}
	}
	return 0
}
