package export_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

// export runs export.Write into a buffer and fails the test on error.
func runExport(t *testing.T, src export.Source, opts export.Options) ([]byte, export.Counts) {
	t.Helper()
	var buf bytes.Buffer
	counts, err := export.Write(context.Background(), src, &buf, opts)
	if err != nil {
		t.Fatalf("Write(%s): %v", opts.Format, err)
	}
	return buf.Bytes(), counts
}

func checkCounts(t *testing.T, got export.Counts, want exporttest.Want) {
	t.Helper()
	if got.Stories != want.Stories || got.Copies != want.Copies || got.DuplicatesMerged != want.Copies-want.Stories {
		t.Errorf("counts: stories %d copies %d merged %d, want %d %d %d",
			got.Stories, got.Copies, got.DuplicatesMerged, want.Stories, want.Copies, want.Copies-want.Stories)
	}
	var siteCopies, langStories int64
	for _, sc := range got.Sites {
		siteCopies += sc.Copies
	}
	for _, n := range got.Languages {
		langStories += n
	}
	if siteCopies != want.Copies || langStories != want.Stories {
		t.Errorf("per-site copies sum %d (want %d), per-language stories sum %d (want %d)", siteCopies, want.Copies, langStories, want.Stories)
	}
}

// checkStory compares an exported record with the story it came from.
func checkStory(t *testing.T, c *exporttest.Corpus, r *export.Record, withCopyText bool) {
	t.Helper()
	s := c.Story(int(r.ID))
	if r.URL != s.URL || r.Title != s.Title || r.Byline != s.Byline || r.Site != s.Site || r.Lang != s.Lang ||
		r.Text != s.Text || r.FirstPublisher != s.FirstPublisher {
		t.Fatalf("story %d: fields differ:\n got %+v\nwant %+v", r.ID, *r, s)
	}
	if !sameTime(r.Published, s.Published) || !sameTime(r.FirstSeen, s.FirstSeen) || !sameTime(r.Updated, s.Updated) {
		t.Fatalf("story %d: times %v %v %v, want %v %v %v", r.ID, r.Published, r.FirstSeen, r.Updated, s.Published, s.FirstSeen, s.Updated)
	}
	if int(r.NCopies) != len(s.Copies) || len(r.Copies) != len(s.Copies) {
		t.Fatalf("story %d: %d/%d copies, want %d", r.ID, r.NCopies, len(r.Copies), len(s.Copies))
	}
	for j, cp := range r.Copies {
		sc := s.Copies[j]
		if cp.URL != sc.URL || cp.Site != sc.Site || cp.Title != sc.Title || cp.Byline != sc.Byline ||
			cp.Similarity != sc.Similarity || cp.Reason != sc.Reason ||
			!sameTime(cp.Published, sc.Published) || !sameTime(cp.FetchedAt, sc.FetchedAt) {
			t.Fatalf("story %d copy %d differs:\n got %+v\nwant %+v", r.ID, j, cp, sc)
		}
		wantText := withCopyText && sc.Text != ""
		switch {
		case wantText && (cp.Text == nil || *cp.Text != sc.Text):
			t.Fatalf("story %d copy %d: text %v, want %q", r.ID, j, cp.Text, sc.Text)
		case !wantText && cp.Text != nil:
			t.Fatalf("story %d copy %d: text %q, want none", r.ID, j, *cp.Text)
		}
	}
}

func sameTime(p *time.Time, t time.Time) bool {
	if p == nil {
		return t.IsZero()
	}
	return p.Equal(t)
}

// checkURLs checks that every expected URL appears in exactly one story, and no other.
func checkURLs(t *testing.T, recs []export.Record, want exporttest.Want) {
	t.Helper()
	seen := map[string]int64{}
	for _, r := range recs {
		for _, cp := range r.Copies {
			if prev, dup := seen[cp.URL]; dup {
				t.Fatalf("URL %s in stories %d and %d", cp.URL, prev, r.ID)
			}
			seen[cp.URL] = r.ID
		}
	}
	if len(seen) != len(want.URLs) {
		t.Fatalf("%d URLs exported, want %d", len(seen), len(want.URLs))
	}
	for u, id := range want.URLs {
		if seen[u] != id {
			t.Fatalf("URL %s in story %d, want %d", u, seen[u], id)
		}
	}
}

func decodeJSONL(t *testing.T, r io.Reader) []export.Record {
	t.Helper()
	var recs []export.Record
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var rec export.Record
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d: %v: %.200s", len(recs)+1, err, sc.Text())
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestJSONLRoundTrip(t *testing.T) {
	c := &exporttest.Corpus{N: 300}
	want := c.Expect(export.Filter{})
	for _, tc := range []struct {
		comp   export.Compression
		copies bool
		open   func(io.Reader) (io.Reader, error)
	}{
		{export.None, false, func(r io.Reader) (io.Reader, error) { return r, nil }},
		{export.Gzip, true, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{export.Zstd, false, func(r io.Reader) (io.Reader, error) { return zstd.NewReader(r) }},
	} {
		t.Run(string(tc.comp)+map[bool]string{true: "+copies"}[tc.copies], func(t *testing.T) {
			out, counts := runExport(t, c, export.Options{Compression: tc.comp, Copies: tc.copies})
			checkCounts(t, counts, want)
			r, err := tc.open(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			recs := decodeJSONL(t, r)
			if int64(len(recs)) != want.Stories {
				t.Fatalf("%d lines, want %d", len(recs), want.Stories)
			}
			for i := range recs {
				if recs[i].ID != int64(i+1) {
					t.Fatalf("line %d has id %d: not in ID order", i+1, recs[i].ID)
				}
				checkStory(t, c, &recs[i], tc.copies)
			}
			checkURLs(t, recs, want)
		})
	}
}

func TestJSONLFieldNames(t *testing.T) {
	c := &exporttest.Corpus{N: 7}
	out, _ := runExport(t, c, export.Options{})
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[6]), &m); err != nil { // story 7: published unknown
		t.Fatal(err)
	}
	for _, k := range []string{"id", "url", "title", "byline", "published", "site", "lang", "text", "copies", "n_copies"} {
		if _, ok := m[k]; !ok {
			t.Errorf("line has no %q: %v", k, m)
		}
	}
	if m["published"] != nil {
		t.Errorf("unknown published time = %v, want null", m["published"])
	}
	cp := m["copies"].([]any)[0].(map[string]any)
	for _, k := range []string{"url", "site", "title", "published", "fetched_at", "similarity"} {
		if _, ok := cp[k]; !ok {
			t.Errorf("copy has no %q: %v", k, cp)
		}
	}
	if strings.Contains(lines[0], `\u003c`) {
		t.Errorf("HTML escaping in JSONL: %.120s", lines[0])
	}
}

func TestFilterPassedToSource(t *testing.T) {
	c := &exporttest.Corpus{N: 200}
	f := export.Filter{
		Since: exporttest.Base.Add(20 * time.Hour),
		Until: exporttest.Base.Add(150 * time.Hour),
		Site:  exporttest.SiteHost(3),
		Lang:  "de",
	}
	want := c.Expect(f)
	if want.Stories == 0 || want.Stories == 200 {
		t.Fatalf("filter selects %d stories; the test needs a proper subset", want.Stories)
	}
	out, counts := runExport(t, c, export.Options{Filter: f})
	checkCounts(t, counts, want)
	recs := decodeJSONL(t, bytes.NewReader(out))
	checkURLs(t, recs, want)
}

func TestParquetRoundTrip(t *testing.T) {
	c := &exporttest.Corpus{N: 500}
	want := c.Expect(export.Filter{})
	out, counts := runExport(t, c, export.Options{Format: export.Parquet, Copies: true, RowGroupRows: 128, Software: "wirecrawl/1.2.3"})
	checkCounts(t, counts, want)

	f, err := parquet.OpenFile(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatalf("open parquet: %v", err)
	}
	if cb := f.Metadata().CreatedBy; cb != "wirecrawl version 1.2.3" {
		t.Errorf("created_by %q", cb)
	}
	if got := len(f.RowGroups()); got != 4 {
		t.Errorf("%d row groups, want 4 (500 rows, 128 per group)", got)
	}
	schema := f.Schema()
	for _, name := range []string{"published", "first_seen", "updated"} {
		col, ok := schema.Lookup(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		if lt := col.Node.Type().LogicalType(); lt == nil || !isType[*format.TimestampType](lt.Value) {
			t.Errorf("column %s: logical type %v, want TIMESTAMP", name, lt)
		}
	}
	if lt := schema.Fields()[len(schema.Fields())-1].Type().LogicalType(); lt == nil || !isType[*format.ListType](lt.Value) {
		t.Errorf("copies: logical type %v, want LIST", lt)
	}

	rd := parquet.NewGenericReader[export.Record](bytes.NewReader(out))
	defer rd.Close()
	var recs []export.Record
	buf := make([]export.Record, 64)
	for {
		n, err := rd.Read(buf)
		recs = append(recs, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read parquet: %v", err)
		}
		clear(buf)
	}
	if int64(len(recs)) != want.Stories {
		t.Fatalf("%d rows, want %d", len(recs), want.Stories)
	}
	for i := range recs {
		checkStory(t, c, &recs[i], true)
	}
	checkURLs(t, recs, want)
}

func isType[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

func TestWriteStopsOnCancel(t *testing.T) {
	for _, f := range []export.Format{export.JSONL, export.Parquet, export.WARC} {
		t.Run(string(f), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := &exporttest.Corpus{N: 1000}
			counts, err := export.Write(ctx, c, io.Discard, export.Options{Format: f, OnStory: func(n int64) {
				if n == 10 {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if counts.Stories != 10 {
				t.Fatalf("wrote %d stories after cancel at 10", counts.Stories)
			}
		})
	}
}

// failingSource fails after some stories, as a broken store would.
type failingSource struct {
	exporttest.Corpus
	after int
}

func (f *failingSource) Stories(ctx context.Context, flt export.Filter, fn func(wirecrawl.Story) error) error {
	for i := 1; i <= f.after; i++ {
		if err := fn(f.Story(i)); err != nil {
			return err
		}
	}
	return errors.New("disk on fire")
}

func TestWriteReportsSourceError(t *testing.T) {
	src := &failingSource{Corpus: exporttest.Corpus{N: 10}, after: 3}
	counts, err := export.Write(context.Background(), src, io.Discard, export.Options{Format: export.Parquet})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v, want the source's error", err)
	}
	if counts.Stories != 3 {
		t.Errorf("counts.Stories = %d, want 3", counts.Stories)
	}
}

func TestCompressionForPath(t *testing.T) {
	for _, tc := range []struct {
		f    export.Format
		path string
		want export.Compression
		ok   bool
	}{
		{export.JSONL, "out.jsonl", export.None, true},
		{export.JSONL, "out.jsonl.gz", export.Gzip, true},
		{export.JSONL, "out.jsonl.zst", export.Zstd, true},
		{export.WARC, "out.warc.gz", export.Gzip, true},
		{export.WARC, "out.warc", export.None, true},
		{export.WARC, "out.warc.zst", "", false},
		{export.Parquet, "out.parquet", export.None, true},
		{export.Parquet, "out.parquet.gz", "", false},
	} {
		got, err := export.CompressionForPath(tc.f, tc.path)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("CompressionForPath(%s, %s) = %q, %v; want %q, ok=%v", tc.f, tc.path, got, err, tc.want, tc.ok)
		}
	}
}

func TestFormatForPath(t *testing.T) {
	for path, want := range map[string]export.Format{
		"a.parquet": export.Parquet, "dir.x/a.parquet.gz": export.Parquet, "a.warc": export.WARC, "a.warc.gz": export.WARC,
		"a.jsonl": export.JSONL, "a.jsonl.zst": export.JSONL, "a.ndjson.gz": export.JSONL, "a.txt": "", "-": "",
	} {
		got, ok := export.FormatForPath(path)
		if got != want || ok != (want != "") {
			t.Errorf("FormatForPath(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// failingWriter fails once more than limit bytes were written.
type failingWriter struct{ n, limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > w.limit {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteStopsOnWriterError(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, f := range []export.Format{export.JSONL, export.Parquet, export.WARC} {
		t.Run(string(f), func(t *testing.T) {
			c := &exporttest.Corpus{N: 3000}
			counts, err := export.Write(context.Background(), c, &failingWriter{limit: 300 << 10}, export.Options{Format: f, RowGroupRows: 100})
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("err = %v, want the writer's error", err)
			}
			if counts.Stories >= 3000 {
				t.Fatalf("wrote all %d stories despite the failing writer", counts.Stories)
			}
		})
	}
	// The source's reader goroutine must be gone once Write returns.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after the exports, %d before: a reader leaked", n, before)
	}
}
