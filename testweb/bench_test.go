package testweb

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
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

// BenchmarkServeLoopback20k starts a 20k-page web on loopback and fetches
// every article once with 8 concurrent keep-alive clients (client and server
// share the process, so pages/cpu-s counts both), reporting the heap in use
// at the end.
func BenchmarkServeLoopback20k(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := Start(ctx, bench20k)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	urls := make([]string, 0, len(w.pages))
	for _, p := range w.Truth() {
		urls = append(urls, p.URL)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	n := 0
	for b.Loop() {
		work := make(chan string)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u := range work {
					resp, err := c.Get(u)
					if err != nil {
						b.Error(err)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("%s: %d", u, resp.StatusCode)
					}
				}
			}()
		}
		for _, u := range urls {
			work <- u
		}
		close(work)
		wg.Wait()
		n += len(urls)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pages/s")
	b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "pages/cpu-s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap")
}
