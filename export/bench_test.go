package export_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

// countingWriter counts bytes and discards them.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkWrite exports a generated corpus of 10,000 stories (2.5 copies
// each on average, ~2 KB of text per story) in each format and reports
// stories (rows) per second.
func BenchmarkWrite(b *testing.B) {
	const stories = 10000
	src := &exporttest.Corpus{N: stories}
	for _, bc := range []struct {
		name string
		opts export.Options
	}{
		{"jsonl", export.Options{Format: export.JSONL}},
		{"jsonl.gz", export.Options{Format: export.JSONL, Compression: export.Gzip}},
		{"jsonl.zst", export.Options{Format: export.JSONL, Compression: export.Zstd}},
		{"parquet", export.Options{Format: export.Parquet}},
		{"warc", export.Options{Format: export.WARC}},
		{"warc.gz", export.Options{Format: export.WARC, Compression: export.Gzip}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var w countingWriter
			for b.Loop() {
				if _, err := export.Write(context.Background(), src, &w, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(stories)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(w.n)/float64(b.N)/(1<<20), "MB/export")
		})
	}
	b.Run("source-only", func(b *testing.B) {
		for b.Loop() {
			var n int
			_ = src.Stories(context.Background(), export.Filter{}, func(s wirecrawl.Story) error { n++; return nil })
		}
		b.ReportMetric(float64(stories)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// TestMemoryBounded exports a corpus much larger than the bound in every
// format and checks that the live heap stays small: the exporters stream.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const stories = 4000
	src := &exporttest.Corpus{N: stories, Paragraphs: 40} // ~12 KB of text per story
	var volume int64
	_ = src.Stories(context.Background(), export.Filter{}, func(s wirecrawl.Story) error {
		volume += int64(len(s.Text))
		for _, c := range s.Copies {
			volume += int64(len(c.Text))
		}
		return nil
	})
	if volume < 55<<20 {
		t.Fatalf("corpus holds only %d bytes of text; the test needs more than the bound", volume)
	}
	for _, f := range []export.Format{export.JSONL, export.Parquet, export.WARC} {
		t.Run(string(f), func(t *testing.T) {
			var peak uint64
			var ms runtime.MemStats
			var w countingWriter
			runtime.GC()
			_, err := export.Write(context.Background(), src, &w, export.Options{Format: f, RowGroupRows: 100000, OnStory: func(n int64) {
				if n%500 == 0 {
					runtime.GC()
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %.1f MB of text, wrote %.1f MB, peak live heap %.1f MB", f, float64(volume)/(1<<20), float64(w.n)/(1<<20), float64(peak)/(1<<20))
			if peak > 32<<20 {
				t.Errorf("peak live heap %.1f MB while exporting %.1f MB of text: not streaming", float64(peak)/(1<<20), float64(volume)/(1<<20))
			}
		})
	}
}
