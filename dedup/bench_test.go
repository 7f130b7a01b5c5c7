package dedup

import (
	"context"
	"fmt"
	"github.com/cespare/xxhash/v2"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl"
)

// fiveKB returns n distinct texts of about 5,000 bytes of news sentences.
func fiveKB(b *testing.B, n int) []string {
	p := loadPool(b)
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]string, n)
	for i := range out {
		var sb strings.Builder
		for sb.Len() < 5000 {
			sb.WriteString(p.sentences[r.IntN(len(p.sentences))])
			if r.IntN(3) == 0 {
				sb.WriteString("\n\n")
			} else {
				sb.WriteByte(' ')
			}
		}
		out[i] = sb.String()[:5000]
	}
	return out
}

// BenchmarkFingerprint measures normalisation, simhash, content hash and keys
// of 5 KB texts on one core (texts/s is reported).
func BenchmarkFingerprint(b *testing.B) {
	texts := fiveKB(b, 256)
	d := New(Config{})
	b.SetBytes(5000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = d.Fingerprint(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkXXHash5KB is a calibration point for the machine: one xxhash pass
// over each 5 KB text (fingerprinting reads every byte a few times more).
func BenchmarkXXHash5KB(b *testing.B) {
	texts := fiveKB(b, 256)
	b.SetBytes(5000)
	var sink uint64
	for i := 0; b.Loop(); i++ {
		sink += xxhash.Sum64String(texts[i%len(texts)])
	}
	_ = sink
}

// fillIndex adds n synthetic fingerprints (random simhash and keys, as many
// keys as a real document) to a MemoryIndex.
func fillIndex(n int) (*MemoryIndex, [][]uint64) {
	m := NewMemoryIndex()
	r := rand.New(rand.NewPCG(3, 4))
	queries := make([][]uint64, 0, 1024)
	for i := range n {
		fp := fingerprint{simhash: r.Uint64(), content: r.Uint64(), words: 500,
			ledeMin: []uint64{r.Uint64(), r.Uint64()}, sketch: []uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}}
		dec := Decision{Action: ActionNew, Simhash: fp.simhash, ContentHash: fp.content, Keys: fp.keys(DefaultBands), Words: 500}
		if err := m.Add(int64(i+1), wirecrawl.Document{}, dec); err != nil {
			panic(err)
		}
		if i%max(1, n/1024) == 0 && len(queries) < 1024 {
			// a near copy: one bit of the simhash and a new content hash
			q := fp
			q.simhash ^= 1 << (r.IntN(64))
			q.content = r.Uint64()
			q.sketch = q.sketch[:2]
			queries = append(queries, q.keys(DefaultBands))
		}
	}
	return m, queries
}

// BenchmarkLookup measures a near-copy lookup (finds its story) at 10k and 1M
// stored fingerprints.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			m, queries := fillIndex(n)
			ctx := context.Background()
			b.ResetTimer()
			found := 0
			for i := 0; b.Loop(); i++ {
				c, err := m.Lookup(ctx, queries[i%len(queries)])
				if err != nil {
					b.Fatal(err)
				}
				found += len(c)
			}
			b.ReportMetric(float64(found)/float64(b.N), "candidates/op")
		})
	}
}

// BenchmarkIndexMemory reports heap bytes per stored fingerprint for the band
// tables and for all key tables (runtime.MemStats, after GC).
func BenchmarkIndexMemory(b *testing.B) {
	for range b.N {
		const n = 1_000_000
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, _ := fillIndex(n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		st := m.Stats()
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/fp")
		b.ReportMetric(float64(st.BandSlots*8)/n, "band-B/fp")
		b.ReportMetric(float64((st.BandSlots+st.OtherSlots)*8)/n, "keys-B/fp")
		runtime.KeepAlive(m)
	}
}
