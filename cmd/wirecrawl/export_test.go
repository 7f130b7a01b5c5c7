package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/store"
)

// exportDB creates a SQLite store holding the generated corpus c and returns its DSN.
func exportDB(t *testing.T, c *exporttest.Corpus) string {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "wirecrawl.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Config{RawHTML: true, KeepCopyText: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := exporttest.Load(ctx, st, c); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func runExportCmd(t *testing.T, dsn string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"export", "--db", dsn}, args...), strings.NewReader(""), &stdout, &stderr, nil)
	return code, stdout.String(), stderr.String()
}

// jsonlLines decodes JSONL records.
func jsonlLines(t *testing.T, r io.Reader) []export.Record {
	t.Helper()
	var recs []export.Record
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var rec export.Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v", len(recs)+1, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func readCard(t *testing.T, path string) export.Card {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("dataset card: %v", err)
	}
	var card export.Card
	if err := json.Unmarshal(b, &card); err != nil {
		t.Fatalf("dataset card: %v", err)
	}
	return card
}

func TestExportJSONLToStdout(t *testing.T) {
	c := &exporttest.Corpus{N: 25, Paragraphs: 1}
	dsn := exportDB(t, c)
	code, stdout, stderr := runExportCmd(t, dsn)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := jsonlLines(t, strings.NewReader(stdout))
	want := c.Expect(export.Filter{})
	var copies int64
	for _, r := range recs {
		copies += int64(len(r.Copies))
		for _, cp := range r.Copies {
			if cp.Text != nil {
				t.Fatalf("copy text exported without --copies")
			}
		}
	}
	if int64(len(recs)) != want.Stories || copies != want.Copies {
		t.Fatalf("%d stories, %d copies; want %d, %d", len(recs), copies, want.Stories, want.Copies)
	}
	if entries, _ := filepath.Glob(filepath.Join(filepath.Dir(strings.TrimPrefix(dsn, "sqlite:")), "*.card.json")); len(entries) != 0 {
		t.Fatalf("a card was written for standard output without --card: %v", entries)
	}
}

func TestExportFilesAndCards(t *testing.T) {
	c := &exporttest.Corpus{N: 30, Paragraphs: 1}
	dsn := exportDB(t, c)
	dir := t.TempDir()
	want := c.Expect(export.Filter{})
	for _, tc := range []struct {
		name   string
		args   []string
		format export.Format
		read   func(t *testing.T, path string) int64 // stories read back
	}{
		{"stories.jsonl.gz", []string{"--copies"}, export.JSONL, func(t *testing.T, path string) int64 {
			f, _ := os.Open(path)
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			recs := jsonlLines(t, zr)
			withText := 0
			for _, r := range recs {
				for _, cp := range r.Copies {
					if cp.Text != nil {
						withText++
					}
				}
			}
			if withText == 0 {
				t.Error("--copies exported no copy text")
			}
			return int64(len(recs))
		}},
		{"stories.jsonl.zst", nil, export.JSONL, func(t *testing.T, path string) int64 {
			f, _ := os.Open(path)
			defer f.Close()
			zr, err := zstd.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			return int64(len(jsonlLines(t, zr)))
		}},
		{"stories.parquet", nil, export.Parquet, func(t *testing.T, path string) int64 {
			b, _ := os.ReadFile(path)
			if !bytes.HasPrefix(b, []byte("PAR1")) {
				t.Fatal("not parquet")
			}
			return -1
		}},
		{"corpus.warc.gz", nil, export.WARC, func(t *testing.T, path string) int64 {
			b, _ := os.ReadFile(path)
			if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
				t.Fatal("not gzip")
			}
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if n := int64(bytes.Count(plain, []byte("WARC-Type: response\r\n"))); n != want.WithRaw {
				t.Fatalf("%d responses, want %d", n, want.WithRaw)
			}
			return -1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			code, stdout, stderr := runExportCmd(t, dsn, append([]string{"--out", path}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty with --out: %.100q", stdout)
			}
			if n := tc.read(t, path); n >= 0 && n != want.Stories {
				t.Fatalf("read back %d stories, want %d", n, want.Stories)
			}
			card := readCard(t, path+".card.json")
			if card.File != tc.name || card.Format != tc.format || card.Version != version || len(card.ConfigSHA256) != 64 ||
				card.Counts.Stories != want.Stories || card.Counts.Copies != want.Copies ||
				card.Counts.DuplicatesMerged != want.Copies-want.Stories || time.Since(card.Created) > time.Hour {
				t.Fatalf("card %+v", card)
			}
			if len(card.Counts.Sites) != exporttest.Sites || len(card.Counts.Languages) != 3 || len(card.Seeds) == 0 {
				t.Fatalf("card: %d sites, %d languages, seeds %v", len(card.Counts.Sites), len(card.Counts.Languages), card.Seeds)
			}
			if tc.format == export.WARC && card.Counts.WARCResponses != want.WithRaw {
				t.Fatalf("card: %d WARC responses, want %d", card.Counts.WARCResponses, want.WithRaw)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*partial*")); len(left) != 0 {
				t.Fatalf("temporary files left: %v", left)
			}
		})
	}
}

func TestExportFilters(t *testing.T) {
	c := &exporttest.Corpus{N: 60, Paragraphs: 1}
	dsn := exportDB(t, c)
	cardPath := filepath.Join(t.TempDir(), "card.json")
	// Day 2 of the corpus: stories 18..41 are published on 2026-11-02 (UTC).
	code, stdout, stderr := runExportCmd(t, dsn, "--since", "2026-11-02", "--until", "2026-11-02", "--lang", "en",
		"--site", exporttest.SiteHost(1), "--card", cardPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f := export.Filter{
		Since: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
		Lang: "en", Site: exporttest.SiteHost(1),
	}
	want := c.ExpectFirstSeen(f, time.Now())
	if want.Stories == 0 {
		t.Fatal("the filter selects nothing; fix the test")
	}
	recs := jsonlLines(t, strings.NewReader(stdout))
	if int64(len(recs)) != want.Stories {
		t.Fatalf("%d stories, want %d", len(recs), want.Stories)
	}
	for _, r := range recs {
		if r.Lang != "en" || r.Published == nil || r.Published.Before(f.Since) || !r.Published.Before(f.Until) {
			t.Fatalf("story %d outside the filter: lang %s published %v", r.ID, r.Lang, r.Published)
		}
	}
	card := readCard(t, cardPath)
	if card.File != "" || card.Filter.Since != "2026-11-02T00:00:00Z" || card.Filter.Until != "2026-11-03T00:00:00Z" ||
		card.Filter.Lang != "en" || card.Counts.Stories != want.Stories {
		t.Fatalf("card %+v", card)
	}

	// RFC 3339 bounds are used as given.
	code, stdout, stderr = runExportCmd(t, dsn, "--since", "2026-11-01T10:00:00Z", "--until", "2026-11-01T12:00:00+00:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if recs := jsonlLines(t, strings.NewReader(stdout)); len(recs) != 2 || recs[0].URL != exporttest.CopyURL(4, 0) || recs[1].URL != exporttest.CopyURL(5, 0) {
		t.Fatalf("10:00..12:00 selected %d stories, want stories 4 and 5", len(recs))
	}
}

func TestExportUsage(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "never-created.db")
	for _, args := range [][]string{
		{"--format", "xml"},
		{"--since", "yesterday"},
		{"--until", "2026-13-01"},
		{"--since", "2026-11-05", "--until", "2026-11-01"},
		{"--out", filepath.Join(dir, "x.parquet.gz")},
		{"--format", "warc", "--out", filepath.Join(dir, "x.warc.zst")},
		{"--no-such-flag"},
		{"extra-argument"},
	} {
		code, stdout, stderr := runExportCmd(t, dsn, args...)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "wirecrawl: ") {
			t.Errorf("export %v: exit %d, stderr %q; want exit %d and a message", args, code, stderr, exitUsage)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never-created.db")); err == nil {
		t.Error("a usage error still opened (created) the store")
	}
}

func TestPlanExportFormatFromExtension(t *testing.T) {
	for out, want := range map[string]export.Format{
		"a.parquet": export.Parquet, "a.warc.gz": export.WARC, "a.warc": export.WARC,
		"a.jsonl.zst": export.JSONL, "a": export.JSONL, "": export.JSONL, "/dev/stdout": export.JSONL,
	} {
		p, err := planExport(exportFlags{out: out})
		if err != nil || p.opts.Format != want {
			t.Errorf("--out %q: format %q, %v; want %q", out, p.opts.Format, err, want)
		}
	}
	if p, err := planExport(exportFlags{out: "a.parquet", format: "jsonl"}); err != nil || p.opts.Format != export.JSONL {
		t.Errorf("--format beats the extension: got %q, %v", p.opts.Format, err)
	}
}

func TestExportRefusesToOverwriteTheDatabase(t *testing.T) {
	c := &exporttest.Corpus{N: 3, Paragraphs: 1}
	dsn := exportDB(t, c)
	path := strings.TrimPrefix(dsn, "sqlite:")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--out", path, "--format", "jsonl"}, {"--out", filepath.Join(t.TempDir(), "x.jsonl"), "--card", path}, {"--out", t.TempDir()}} {
		code, _, stderr := runExportCmd(t, dsn, args...)
		if code != exitUsage || !(strings.Contains(stderr, "is the database") || strings.Contains(stderr, "is a directory")) {
			t.Errorf("export %v: exit %d, %q; want a usage error", args, code, stderr)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("database changed: %v", err)
	}
}
