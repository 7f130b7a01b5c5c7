package crawler

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// PeakHeap is peakHeap, for the benchmarks of package crawler_test.
var PeakHeap = peakHeap

// peakHeap samples the heap until stop is closed and returns the peak
// HeapInuse seen.
func peakHeap(stop <-chan struct{}) func() uint64 {
	var peak atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { wg.Wait(); return peak.Load() }
}

// vmHWM is the process's peak resident set (Linux), 0 if unknown.
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

// BenchmarkCrawlTestweb crawls the simulated web (testweb's default size,
// over 1,000 article pages on 5 hosts; CRAWLER_BENCH_STORIES sets the stories) with no per-host delay and a no-op handler,
// robots.txt obeyed, a fresh MemoryState per iteration. It reports pages/s
// end to end and the peak heap in use during the crawl above the heap before
// it (the testweb server runs in the same process; its model is in the
// baseline, its per-request garbage is not). Run with -benchtime=3x.
func BenchmarkCrawlTestweb(b *testing.B) {
	stories := 0 // testweb's default: about 1,000 article pages
	if s := os.Getenv("CRAWLER_BENCH_STORIES"); s != "" {
		stories, _ = strconv.Atoi(s)
	}
	w := startWeb(b, testweb.Options{Seed: 7, Stories: stories})
	truth := len(w.Truth())
	if truth < 1000 && stories == 0 {
		b.Fatalf("the simulated web has %d pages, fewer than 1,000", truth)
	}
	cfg := Config{
		UserAgent:            "wirecrawl-bench/1.0",
		Workers:              16,
		NoDelay:              true,
		PerHostParallelism:   4,
		AllowPrivateNetworks: true,
	}
	var pages, bytes int64
	var elapsed time.Duration
	var peak uint64
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	b.ResetTimer()
	for range b.N {
		c, err := New(cfg, frontier.NewMemoryState(), nil)
		if err != nil {
			b.Fatal(err)
		}
		var n, nb atomic.Int64
		h := func(ctx context.Context, f Fetched) error {
			n.Add(1)
			nb.Add(int64(len(f.Body)))
			return nil
		}
		stop := make(chan struct{})
		wait := peakHeap(stop)
		start := time.Now()
		sum, err := c.Crawl(context.Background(), w.Seeds(), true, h)
		elapsed += time.Since(start)
		close(stop)
		if p := wait(); p > peak {
			peak = p
		}
		if err != nil {
			b.Fatal(err)
		}
		if sum.PagesStored < truth*9/10 {
			b.Fatalf("stored %d of %d pages: %+v", sum.PagesStored, truth, sum)
		}
		pages += n.Load()
		bytes += nb.Load()
		_ = c.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(bytes)/elapsed.Seconds()/(1<<20), "MiB/s")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	if peak > base.HeapInuse {
		b.ReportMetric(float64(peak-base.HeapInuse)/(1<<20), "peak-heap-MiB")
	}
	b.ReportMetric(float64(vmHWM())/(1<<20), "process-peak-RSS-MiB")
}
