package export_test

// Round trip through the real store: the generated corpus is saved page by
// page into a SQLite store (as the pipeline would), then exported from it.

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// loadStore opens a new store at dsn and loads c into it.
func loadStore(t *testing.T, dsn string, c *exporttest.Corpus) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Config{RawHTML: true, KeepCopyText: true})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := exporttest.Load(ctx, st, c); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStoreRoundTripSQLite(t *testing.T) {
	storeRoundTrip(t, "sqlite:"+filepath.Join(t.TempDir(), "wirecrawl.db"))
}

func TestStoreRoundTripPostgres(t *testing.T) {
	storeRoundTrip(t, storetest.PostgresDSN(t))
}

// storeRoundTrip loads the corpus into the store at dsn and exports it in
// every format, with and without filters.
func storeRoundTrip(t *testing.T, dsn string) {
	c := &exporttest.Corpus{N: 90, Paragraphs: 2}
	st := loadStore(t, dsn, c)
	ctx := context.Background()
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all := c.Expect(export.Filter{})
	if stats.Stories != all.Stories || stats.Copies != all.Copies {
		t.Fatalf("store holds %d stories, %d copies; corpus %d, %d", stats.Stories, stats.Copies, all.Stories, all.Copies)
	}

	t.Run("jsonl", func(t *testing.T) {
		out, counts := runExport(t, st, export.Options{Copies: true})
		checkCounts(t, counts, all)
		recs := decodeJSONL(t, bytes.NewReader(out))
		checkURLs(t, recs, all)
		byURL := map[string]int{}
		for i := 1; i <= c.N; i++ {
			byURL[exporttest.CopyURL(i, 0)] = i
		}
		for _, r := range recs {
			i, ok := byURL[r.URL]
			if !ok {
				t.Fatalf("story %d: canonical URL %s is not a corpus story's", r.ID, r.URL)
			}
			s := c.Story(i)
			if r.Title != s.Title || r.Byline != s.Byline || r.Site != s.Site || r.Lang != s.Lang || r.Text != s.Text ||
				!sameTime(r.Published, s.Published) || r.FirstPublisher != s.FirstPublisher || r.FirstSeen == nil {
				t.Fatalf("story %d from the store:\n got %+v\nwant %+v", i, r, s)
			}
			for j, cp := range r.Copies {
				sc := s.Copies[j]
				if cp.URL != sc.URL || cp.Site != sc.Site || cp.Title != sc.Title || cp.Similarity != sc.Similarity ||
					cp.Reason != sc.Reason || !sameTime(cp.Published, sc.Published) || !sameTime(cp.FetchedAt, sc.FetchedAt) {
					t.Fatalf("story %d copy %d from the store:\n got %+v\nwant %+v", i, j, cp, sc)
				}
				if want := sc.Text; want != "" && (cp.Text == nil || *cp.Text != want) {
					t.Fatalf("story %d copy %d: kept text %v, want %q", i, j, cp.Text, want)
				}
			}
		}
	})

	t.Run("filters", func(t *testing.T) {
		if w := c.Expect(export.Filter{Since: exporttest.Base.Add(30 * time.Hour), Until: exporttest.Base.Add(60 * time.Hour)}); w.Stories != 30 {
			t.Fatalf("corpus: %d stories in the 30-hour window, want 30", w.Stories)
		}
		for _, f := range []export.Filter{
			{Lang: "de"},
			{Site: exporttest.SiteHost(2)},
			{Site: exporttest.SiteName(4)},
			{Since: exporttest.Base.Add(30 * time.Hour), Until: exporttest.Base.Add(60 * time.Hour)},
		} {
			// Stories of unknown publication time fall back on when the store
			// first saw them: during this test, outside the time window.
			want := c.ExpectFirstSeen(f, time.Now())
			out, counts := runExport(t, st, export.Options{Filter: f})
			checkCounts(t, counts, want)
			checkURLs(t, decodeJSONL(t, bytes.NewReader(out)), want)
		}
	})

	t.Run("parquet", func(t *testing.T) {
		out, counts := runExport(t, st, export.Options{Format: export.Parquet})
		checkCounts(t, counts, all)
		if len(out) < 4 || string(out[:4]) != "PAR1" || string(out[len(out)-4:]) != "PAR1" {
			t.Fatal("not a parquet file")
		}
	})

	t.Run("warc", func(t *testing.T) {
		out, counts := runExport(t, st, export.Options{Format: export.WARC, Compression: export.Gzip})
		checkCounts(t, counts, all)
		if counts.WARCResponses != all.WithRaw || counts.WARCResponses != stats.RawPages {
			t.Fatalf("WARC responses %d, want %d (store holds %d raw pages)", counts.WARCResponses, all.WithRaw, stats.RawPages)
		}
		recs := readWARC(t, out)
		bodies := 0
		for _, r := range recs {
			if r.typ != "response" {
				continue
			}
			var i, j int
			if _, err := fmtSscan(r.target, &i, &j); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.payload, c.Body(i, j)) || len(r.hheader.Values("Set-Cookie")) != 2 {
				t.Fatalf("response %s: body or headers differ after the store", r.target)
			}
			bodies++
		}
		if int64(bodies) != all.WithRaw {
			t.Fatalf("%d responses read back, want %d", bodies, all.WithRaw)
		}
	})
}

// BenchmarkStoreExport exports 5,000 stories from a real SQLite store (loaded
// once, outside the timing) and reports stories (rows) per second per format:
// what `wirecrawl export` achieves, reading included.
func BenchmarkStoreExport(b *testing.B) {
	ctx := context.Background()
	c := &exporttest.Corpus{N: 5000}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "wirecrawl.db"), store.Config{RawHTML: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := exporttest.Load(ctx, st, c); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts export.Options
	}{
		{"jsonl", export.Options{Format: export.JSONL}},
		{"jsonl.zst", export.Options{Format: export.JSONL, Compression: export.Zstd}},
		{"parquet", export.Options{Format: export.Parquet}},
		{"warc.gz", export.Options{Format: export.WARC, Compression: export.Gzip}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var w countingWriter
			for b.Loop() {
				if _, err := export.Write(ctx, st, &w, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.N)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
