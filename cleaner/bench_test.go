package cleaner

import (
	"testing"
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
