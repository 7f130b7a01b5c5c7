package cleaner

import (
	"testing"
	"time"
)

// BenchmarkClean runs the cleaner over every dev-corpus page; one op is one
// pass over the corpus, and pages/s is reported.
func BenchmarkClean(b *testing.B) {
	pages := loadDevCorpus(b)
	c := New(Config{})
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			_, _ = c.Clean(p.HTML, p.URL, "text/html")
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkReadability runs readeck's go-readability alone (its own charset
// detection, parsing and text rendering) over the same pages: the baseline.
func BenchmarkReadability(b *testing.B) {
	pages := loadDevCorpus(b)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			_ = readeckAlone(p.HTML, p.URL)
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkSideBySide runs the cleaner and readeck alone page by page,
// alternating, over both dev sets (1,057 pages), so machine load hits both
// alike; it reports each one's pages/s and the ratio.
func BenchmarkSideBySide(b *testing.B) {
	pages := append(loadDevCorpus(b), loadDev2Corpus(b)...)
	c := New(Config{})
	var ours, theirs time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			t0 := time.Now()
			_, _ = c.Clean(p.HTML, p.URL, "")
			t1 := time.Now()
			_ = readeckAlone(p.HTML, p.URL)
			theirs += time.Since(t1)
			ours += t1.Sub(t0)
			n++
		}
	}
	b.ReportMetric(float64(n)/ours.Seconds(), "clean-pages/s")
	b.ReportMetric(float64(n)/theirs.Seconds(), "readeck-pages/s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "speedup")
}
