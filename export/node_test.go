package export_test

// Independent readers: DuckDB (npm @duckdb/node-api) reads the Parquet export
// and warcio (npm warcio) the WARC export, run with node. .ci/setup-node.sh
// installs both and sets WIRECRAWL_TEST_NODE_MODULES; without it, or without
// node, these tests skip.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

// runNode runs script with node, resolving modules from
// WIRECRAWL_TEST_NODE_MODULES, and decodes the JSON it prints into out.
func runNode(t *testing.T, module, script string, out any, args ...string) {
	t.Helper()
	mods := os.Getenv("WIRECRAWL_TEST_NODE_MODULES")
	if mods == "" {
		t.Skip("WIRECRAWL_TEST_NODE_MODULES is unset: source .ci/setup-node.sh to install the node readers (DuckDB, warcio)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the independent-reader tests need it (see .ci/setup-node.sh)")
	}
	if _, err := os.Stat(filepath.Join(mods, module)); err != nil {
		t.Skipf("%s is not installed in %s (run .ci/setup-node.sh): %v", module, mods, err)
	}
	path := filepath.Join(t.TempDir(), "reader.cjs")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\nstderr:\n%s", filepath.Base(path), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("node output: %v\n%.2000s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
}

const duckdbScript = `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const file = process.argv[2].replace(/'/g, "''");
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const q = async (sql) => (await con.runAndReadAll(sql.replaceAll('FILE', "read_parquet('" + file + "')"))).getRowObjectsJson();
  const out = {};
  out.totals = (await q("SELECT count(*) AS stories, sum(len(copies)) AS copies, sum(n_copies) AS n_copies, count(published) AS with_published FROM FILE"))[0];
  out.urls = (await q("SELECT count(*) AS n, count(DISTINCT c.url) AS distinct_urls FROM (SELECT unnest(copies) AS c FROM FILE)"))[0];
  out.types = await q("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM FILE)");
  out.langs = await q("SELECT coalesce(nullif(lang, ''), 'und') AS lang, count(*) AS n FROM FILE GROUP BY 1 ORDER BY 1");
  out.sample = await q("SELECT id, url, title, text, epoch_us(published) AS published_us, epoch_us(copies[2].fetched_at) AS copy2_fetched_us, copies[2].url AS copy2_url, copies[2].similarity AS copy2_similarity, copies[2].text AS copy2_text FROM FILE WHERE id IN (2, 7) ORDER BY id");
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`

func TestParquetReadByDuckDB(t *testing.T) {
	c := &exporttest.Corpus{N: 400}
	want := c.Expect(export.Filter{})
	path := filepath.Join(t.TempDir(), "stories.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Write(context.Background(), c, f, export.Options{Format: export.Parquet, Copies: true, RowGroupRows: 100}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Totals struct {
			Stories, Copies json.Number
			NCopies         json.Number `json:"n_copies"`
			WithPublished   json.Number `json:"with_published"`
		}
		URLs struct {
			N            json.Number
			DistinctURLs json.Number `json:"distinct_urls"`
		}
		Types []struct {
			Name string `json:"column_name"`
			Type string `json:"column_type"`
		}
		Langs []struct {
			Lang string
			N    json.Number
		}
		Sample []struct {
			ID               json.Number
			URL, Title, Text string
			PublishedUS      json.Number `json:"published_us"`
			Copy2FetchedUS   json.Number `json:"copy2_fetched_us"`
			Copy2URL         string      `json:"copy2_url"`
			Copy2Similarity  json.Number `json:"copy2_similarity"`
			Copy2Text        *string     `json:"copy2_text"`
		}
	}
	runNode(t, "@duckdb/node-api", duckdbScript, &got, path)

	var withPublished int64
	for i := 1; i <= c.N; i++ {
		if !exporttest.Published(i).IsZero() {
			withPublished++
		}
	}
	num := func(n json.Number) int64 { v, _ := strconv.ParseInt(n.String(), 10, 64); return v }
	if num(got.Totals.Stories) != want.Stories || num(got.Totals.Copies) != want.Copies || num(got.Totals.NCopies) != want.Copies ||
		num(got.Totals.WithPublished) != withPublished {
		t.Errorf("DuckDB totals %+v; want stories %d copies %d published %d", got.Totals, want.Stories, want.Copies, withPublished)
	}
	if num(got.URLs.N) != want.Copies || num(got.URLs.DistinctURLs) != want.Copies {
		t.Errorf("DuckDB URLs %+v, want %d distinct", got.URLs, want.Copies)
	}
	types := map[string]string{}
	for _, ct := range got.Types {
		types[ct.Name] = ct.Type
	}
	for col, typ := range map[string]string{
		"id": "BIGINT", "url": "VARCHAR", "text": "VARCHAR", "n_copies": "INTEGER",
		"published": "TIMESTAMP WITH TIME ZONE", "first_seen": "TIMESTAMP WITH TIME ZONE",
		"copies": "STRUCT(url VARCHAR, site VARCHAR, title VARCHAR, byline VARCHAR, published TIMESTAMP WITH TIME ZONE, " +
			"fetched_at TIMESTAMP WITH TIME ZONE, similarity DOUBLE, reason VARCHAR, \"text\" VARCHAR)[]",
	} {
		if types[col] != typ {
			t.Errorf("DuckDB type of %s = %q, want %q", col, types[col], typ)
		}
	}
	langs := map[string]int64{}
	for i := 1; i <= c.N; i++ {
		l := exporttest.Lang(i)
		if l == "" {
			l = "und"
		}
		langs[l]++
	}
	if len(got.Langs) != len(langs) {
		t.Errorf("DuckDB languages %+v, want %v", got.Langs, langs)
	}
	for _, l := range got.Langs {
		if num(l.N) != langs[l.Lang] {
			t.Errorf("DuckDB language %s: %s stories, want %d", l.Lang, l.N, langs[l.Lang])
		}
	}
	if len(got.Sample) != 2 {
		t.Fatalf("DuckDB sample: %d rows", len(got.Sample))
	}
	for _, r := range got.Sample {
		i := int(num(r.ID))
		s := c.Story(i)
		if r.URL != s.URL || r.Title != s.Title || r.Text != s.Text || r.Copy2URL != s.Copies[1].URL ||
			r.Copy2Similarity.String() != strconv.FormatFloat(s.Copies[1].Similarity, 'g', -1, 64) {
			t.Errorf("DuckDB row %d: %+v", i, r)
		}
		if num(r.Copy2FetchedUS) != s.Copies[1].FetchedAt.UnixMicro() {
			t.Errorf("DuckDB row %d: copy fetched_at %s µs, want %d", i, r.Copy2FetchedUS, s.Copies[1].FetchedAt.UnixMicro())
		}
		if s.Published.IsZero() != (r.PublishedUS == "") || (!s.Published.IsZero() && num(r.PublishedUS) != s.Published.UnixMicro()) {
			t.Errorf("DuckDB row %d: published %q µs, want %v", i, r.PublishedUS, s.Published)
		}
		if (r.Copy2Text == nil) != (s.Copies[1].Text == "") || (r.Copy2Text != nil && *r.Copy2Text != s.Copies[1].Text) {
			t.Errorf("DuckDB row %d: copy text %v, want %q", i, r.Copy2Text, s.Copies[1].Text)
		}
	}
}

const warcioScript = `
const { WARCParser } = require('warcio');
const fs = require('fs');
const crypto = require('crypto');
(async () => {
  const parser = new WARCParser(fs.createReadStream(process.argv[2]));
  const out = [];
  for await (const record of parser) {
    const payload = await record.readFully(false);
    out.push({
      type: record.warcType,
      id: record.warcHeader('WARC-Record-ID') || '',
      target: record.warcTargetURI || '',
      refers_to: record.warcHeader('WARC-Refers-To') || '',
      concurrent_to: record.warcHeader('WARC-Concurrent-To') || '',
      warcinfo: record.warcHeader('WARC-Warcinfo-ID') || '',
      content_type: record.warcContentType || '',
      status: record.httpHeaders ? Number(record.httpHeaders.statusCode || 0) : 0,
      method: record.httpHeaders && record.httpHeaders.method ? record.httpHeaders.method : '',
      payload_sha256: crypto.createHash('sha256').update(payload).digest('hex'),
      payload_len: payload.length,
    });
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`

func TestWARCReadByWarcio(t *testing.T) {
	c := &exporttest.Corpus{N: 80}
	want := c.Expect(export.Filter{})
	for _, name := range []string{"corpus.warc.gz", "corpus.warc"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			comp, err := export.CompressionForPath(export.WARC, path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			counts, err := export.Write(context.Background(), c, f, export.Options{Format: export.WARC, Compression: comp, WARCFilename: name})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			var recs []struct {
				Type, ID, Target, Warcinfo string
				RefersTo                   string `json:"refers_to"`
				ConcurrentTo               string `json:"concurrent_to"`
				ContentType                string `json:"content_type"`
				Status                     int
				Method                     string
				PayloadSHA256              string `json:"payload_sha256"`
				PayloadLen                 int    `json:"payload_len"`
			}
			runNode(t, "warcio", warcioScript, &recs, path)
			if int64(len(recs)) != 1+3*want.WithRaw || int64(len(recs)) != counts.WARCRecords {
				t.Fatalf("warcio read %d records, want %d (wrote %d)", len(recs), 1+3*want.WithRaw, counts.WARCRecords)
			}
			if recs[0].Type != "warcinfo" {
				t.Fatalf("warcio: first record is %s", recs[0].Type)
			}
			ids := map[string]string{}
			byType := map[string]int64{}
			for _, r := range recs {
				ids[r.ID] = r.Type
				byType[r.Type]++
			}
			if byType["request"] != want.WithRaw || byType["response"] != want.WithRaw || byType["conversion"] != want.WithRaw {
				t.Fatalf("warcio record types %v, want %d of each", byType, want.WithRaw)
			}
			sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
			for _, r := range recs[1:] {
				if r.Warcinfo != recs[0].ID {
					t.Fatalf("warcio: %s %s has warcinfo %s", r.Type, r.ID, r.Warcinfo)
				}
				var i, j int
				if _, err := fmtSscan(r.Target, &i, &j); err != nil || want.URLs[r.Target] != int64(i) {
					t.Fatalf("warcio: unexpected target %q", r.Target)
				}
				switch r.Type {
				case "request":
					if r.Method != "GET" || ids[r.ConcurrentTo] != "response" {
						t.Fatalf("warcio request %+v", r)
					}
				case "response":
					if r.Status != 200 || r.PayloadSHA256 != sum(c.Body(i, j)) {
						t.Fatalf("warcio response %s: status %d, payload %d bytes (want %d) sha %s", r.Target, r.Status, r.PayloadLen, len(c.Body(i, j)), r.PayloadSHA256)
					}
				case "conversion":
					text := c.CopyText(i, j)
					if text == "" {
						text = c.Text(i)
					}
					if ids[r.RefersTo] != "response" || r.PayloadSHA256 != sum([]byte(text)) || r.ContentType != "text/plain; charset=utf-8" {
						t.Fatalf("warcio conversion %+v", r)
					}
				default:
					t.Fatalf("warcio: unexpected record type %s", r.Type)
				}
			}
		})
	}
}
