package serve_test

import (
	"context"
	"database/sql"
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
// reused by later runs, so that one fill serves many measurements; with
// WIRECRAWL_BENCH_POSTGRES (a database's DSN) set, a PostgreSQL store is
// kept in its schema bench_news_N likewise.
func newsStore(b *testing.B, backend string, newDSN func(testing.TB) string, g *storetest.News, n int) string {
	if base := os.Getenv("WIRECRAWL_BENCH_POSTGRES"); backend == "postgres" && base != "" {
		return keptPostgres(b, base, g, n)
	}
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

// keptPostgres returns the DSN of schema bench_news_N in the database
// base, filling it first (in bench_news_N_filling, renamed when complete)
// unless an earlier run did.
func keptPostgres(b *testing.B, base string, g *storetest.News, n int) string {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	schema := "bench_news_" + strconv.Itoa(n)
	dsn := func(schema string) string {
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	var kept bool
	if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&kept); err != nil {
		b.Fatal(err)
	}
	if kept {
		return dsn(schema)
	}
	if _, err := admin.Exec(`DROP SCHEMA IF EXISTS ` + schema + `_filling CASCADE; CREATE SCHEMA ` + schema + `_filling`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	storetest.FillNews(b, dsn(schema+"_filling"), g, n)
	if _, err := admin.Exec(`ALTER SCHEMA ` + schema + `_filling RENAME TO ` + schema); err != nil {
		b.Fatal(err)
	}
	b.Logf("postgres: filled %d stories in %v, kept in schema %s", n, time.Since(start).Round(time.Second), schema)
	return dsn(schema)
}

// BenchmarkStoryAPINews measures, on a store of WIRECRAWL_BENCH_STORIES
// (default 100,000) synthetic news stories with about 2.5 copies each
// (storetest.News), over HTTP: story list pages (50 stories, cursors
// spread over the store, alone and with a site filter), one story, and
// full-text filtered pages (/api/v1/stories?q=, first page); the ranked
// search behind `wirecrawl search` (store.Searcher, 20 hits, as the
// command asks); and the stats behind the stats page (/api/v1/stats:
// counts, sites, languages, copies per day over 30 days); for SQLite and,
// with WIRECRAWL_TEST_POSTGRES, PostgreSQL. It reports p50 and p99
// latencies.
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
			// Last: it reads whole tables, which would evict the others'
			// pages from PostgreSQL's buffers.
			b.Run("stats", func(b *testing.B) {
				latencies(b, srv, func(int) string { return "/api/v1/stats" })
			})
		})
	}
}

// BenchmarkSyndicationView measures GET /stories/{id}, the syndication view
// of a wire story run by 50 outlets (each copy's own text kept, so 50
// sentence diffs, the timeline and the table), over HTTP on a SQLite store
// that holds WIRECRAWL_BENCH_STORIES (default 100,000) synthetic news
// stories besides; it reports p50 and p99 latencies, the page size, and
// the process's CPU time per view (client and server: on a loaded machine
// the latencies measure the queue for a core).
func BenchmarkSyndicationView(b *testing.B) {
	n := 100000
	if v := os.Getenv("WIRECRAWL_BENCH_STORIES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("WIRECRAWL_BENCH_STORIES=%q: want a number of stories >= 100", v)
		}
	}
	dsn := storetest.SQLiteDSN(b)
	start := time.Now()
	storetest.FillNews(b, dsn, storetest.NewNews(), n)
	b.Logf("filled %d stories in %v", n, time.Since(start).Round(time.Second))
	st := storetest.Open(b, dsn, store.Config{KeepCopyText: true})
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
