package testweb

import (
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// bench20k are options for a web of about 20,000 article pages.
var bench20k = Options{Seed: 1, Outlets: 50, Stories: 4350}

// BenchmarkGenerate20k measures Generate for about 20k pages: time, pages
// and the heap the model keeps.
func BenchmarkGenerate20k(b *testing.B) {
	var w *Web
	var err error
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		w, err = Generate(bench20k)
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(n), "cpu-s/op")
	b.ReportMetric(float64(len(w.pages)), "pages")
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	w2, _ := Generate(bench20k)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-retained")
	runtime.KeepAlive(w2)
}

// BenchmarkServe20k renders every article page of a 20k-page web through
// the handler (no network), reporting pages/s.
func BenchmarkServe20k(b *testing.B) {
	w, err := Generate(bench20k)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	n := 0
	for b.Loop() {
		for i := range w.pages {
			p := &w.pages[i]
			rec := httptest.NewRecorder()
			w.Handler(int(p.outlet)).ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
			if rec.Code != 200 {
				b.Fatalf("%s: %d", p.path, rec.Code)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pages/s")
	b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "pages/cpu-s")
}
