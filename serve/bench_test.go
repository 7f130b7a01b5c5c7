package serve_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// BenchmarkStoryAPI measures /api/v1/stories pages (50 stories with their
// copies, at cursors spread over the corpus, with and without a site
// filter) and /api/v1/stories/{id} over HTTP on a SQLite store of 5,000
// stories (12,500 copies), reporting p50 and p99 latencies.
func BenchmarkStoryAPI(b *testing.B) {
	const n = 5000
	c := &exporttest.Corpus{N: n, Paragraphs: 6}
	st := loaded(b, storetest.SQLiteDSN(b), c)
	srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry()}))
	defer srv.Close()
	cases := []struct {
		name string
		path func(i int) string
	}{
		{"list", func(i int) string { return "/api/v1/stories?cursor=" + strconv.Itoa(i*97%n) }},
		{"list-site", func(i int) string {
			return "/api/v1/stories?site=" + exporttest.SiteHost(i%exporttest.Sites) + "&cursor=" + strconv.Itoa(i*97%n)
		}},
		{"story", func(i int) string { return "/api/v1/stories/" + strconv.Itoa(1+i*131%n) }},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				resp, err := srv.Client().Get(srv.URL + bc.path(i))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", bc.path(i), resp.StatusCode)
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkSyndicationView measures GET /stories/{id}, the syndication view
// of a wire story run by 50 outlets (each copy's own text kept, so 50
// sentence diffs, the timeline and the table), over HTTP on a SQLite store
// that holds 5,000 other stories too; it reports p50 and p99 latencies and
// the page size, and the process's CPU time per view (client and server:
// on a loaded machine the latencies measure the queue for a core).
func BenchmarkSyndicationView(b *testing.B) {
	st := loaded(b, storetest.SQLiteDSN(b), &exporttest.Corpus{N: 5000, Paragraphs: 6})
	id := storeStory(b, st, 1<<41, wireStory(50)...)
	srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry()}))
	defer srv.Close()
	path := srv.URL + "/stories/" + strconv.FormatInt(id, 10)
	var (
		lat  []time.Duration
		size int64
	)
	cpu0 := cpuTime()
	for b.Loop() {
		start := time.Now()
		resp, err := srv.Client().Get(path)
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path, resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(size)/1024, "page-KiB")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
}
