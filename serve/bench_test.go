package serve_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store"
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
		b.Run(bc.name, func(b *testing.B) { latencies(b, srv, bc.path) })
	}
}

// latencies GETs path(i) from srv for each iteration, fails on any answer
// but 200, and reports the p50 and p99 latencies.
func latencies(b *testing.B, srv *httptest.Server, path func(i int) string) {
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		resp, err := srv.Client().Get(srv.URL + path(i))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path(i), resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	report(b, lat)
}

func report(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// newsQueries are the benchmark's full-text queries, from rare to common:
// a topic word (in a few dozen stories), two common words, a stock phrase,
// a prefix, and the most common word of all.
var newsQueries = []struct{ name, q string }{
	{"rare", "dremorlin"},
	{"two-words", "police storm"},
	{"phrase", `"prime minister said"`},
	{"prefix", "govern*"},
	{"common", "said"},
}

// newsStore returns the DSN of a store filled with n stories of g. With
// WIRECRAWL_BENCH_DB_DIR set, a SQLite store is kept there (news-N.db) and
// reused by later runs, so that one fill serves many measurements.
func newsStore(b *testing.B, backend string, newDSN func(testing.TB) string, g *storetest.News, n int) string {
	dir := os.Getenv("WIRECRAWL_BENCH_DB_DIR")
	if backend != "sqlite" || dir == "" {
		dsn := newDSN(b)
		start := time.Now()
		storetest.FillNews(b, dsn, g, n)
		b.Logf("%s: filled %d stories in %v", backend, n, time.Since(start).Round(time.Second))
		return dsn
	}
	path := filepath.Join(dir, "news-"+strconv.Itoa(n)+".db")
	if _, err := os.Stat(path); err == nil {
		return "sqlite:" + path
	}
	tmp := filepath.Join(dir, "news-"+strconv.Itoa(n)+".filling.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(tmp + suffix)
	}
	start := time.Now()
	storetest.FillNews(b, "sqlite:"+tmp, g, n)
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: filled %d stories in %v, kept in %s", backend, n, time.Since(start).Round(time.Second), path)
	return "sqlite:" + path
}

// BenchmarkStoryAPINews measures, on a store of WIRECRAWL_BENCH_STORIES
// (default 100,000) synthetic news stories with about 2.5 copies each
// (storetest.News), over HTTP: story list pages (50 stories, cursors
// spread over the store, alone and with a site filter), one story, and
// full-text filtered pages (/api/v1/stories?q=, first page); and the
// ranked search behind `wirecrawl search` (store.Searcher, 20 hits, as
// the command asks), for SQLite and, with WIRECRAWL_TEST_POSTGRES,
// PostgreSQL. It reports p50 and p99 latencies.
func BenchmarkStoryAPINews(b *testing.B) {
	n := 100000
	if v := os.Getenv("WIRECRAWL_BENCH_STORIES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("WIRECRAWL_BENCH_STORIES=%q: want a number of stories >= 100", v)
		}
	}
	g := storetest.NewNews()
	for _, be := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}} {
		b.Run(be.name, func(b *testing.B) {
			dsn := newsStore(b, be.name, be.dsn, g, n)
			st := storetest.Open(b, dsn, store.Config{})
			srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry()}))
			defer srv.Close()
			b.Run("list", func(b *testing.B) {
				latencies(b, srv, func(i int) string { return "/api/v1/stories?cursor=" + strconv.Itoa(i*7919%n) })
			})
			b.Run("list-site", func(b *testing.B) {
				latencies(b, srv, func(i int) string {
					return "/api/v1/stories?site=site" + strconv.Itoa(i%storetest.NewsSites) + ".example&cursor=" + strconv.Itoa(i*7919%n)
				})
			})
			b.Run("story", func(b *testing.B) {
				latencies(b, srv, func(i int) string { return "/api/v1/stories/" + strconv.Itoa(1+i*7919%n) })
			})
			for _, nq := range newsQueries {
				b.Run("q-"+nq.name, func(b *testing.B) {
					latencies(b, srv, func(int) string { return "/api/v1/stories?q=" + url.QueryEscape(nq.q) })
				})
			}
			for _, nq := range newsQueries {
				b.Run("ranked-"+nq.name, func(b *testing.B) {
					var lat []time.Duration
					hits := 0
					for b.Loop() {
						t0 := time.Now()
						hs, err := st.(store.Searcher).Search(context.Background(), export.Filter{Query: nq.q}, 0, 20)
						if err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
						hits = len(hs)
					}
					if hits == 0 {
						b.Fatalf("%s: no hits", nq.q)
					}
					report(b, lat)
				})
			}
		})
	}
}
