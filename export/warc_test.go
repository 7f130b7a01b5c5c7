package export_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

// warcRecord is what the tests need of one record read back with gowarc.
type warcRecord struct {
	typ     string
	id      string
	target  string
	header  *gowarc.WarcFields
	status  int
	hheader http.Header
	payload []byte
}

func readWARC(t *testing.T, data []byte) []warcRecord {
	t.Helper()
	rd, err := gowarc.NewWarcFileReaderFromStream(bytes.NewReader(data), 0, gowarc.WithStrictValidation())
	if err != nil {
		t.Fatalf("gowarc reader: %v", err)
	}
	defer rd.Close()
	var out []warcRecord
	for {
		rec, off, val, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("record %d at %d: %v", len(out), off, err)
		}
		if !val.Valid() {
			t.Fatalf("record %d at %d (%s) not valid: %v", len(out), off, rec.Type(), val)
		}
		if v := rec.Version(); v != gowarc.V1_1 {
			t.Fatalf("record %d: version %v, want WARC/1.1", len(out), v)
		}
		wr := warcRecord{
			typ:    rec.Type().String(),
			id:     rec.WarcHeader().GetId(gowarc.WarcRecordID),
			target: rec.WarcHeader().Get(gowarc.WarcTargetURI),
			header: rec.WarcHeader(),
		}
		var body io.Reader
		switch b := rec.Block().(type) {
		case gowarc.HttpResponseBlock:
			wr.status = b.HttpStatusCode()
			wr.hheader = *b.HttpHeader()
			body, err = b.PayloadBytes()
		case gowarc.HttpRequestBlock:
			wr.hheader = *b.HttpHeader()
			body, err = b.PayloadBytes()
		default:
			body, err = rec.Block().RawBytes()
		}
		if err != nil {
			t.Fatal(err)
		}
		if wr.payload, err = io.ReadAll(body); err != nil {
			t.Fatal(err)
		}
		if err := rec.ValidateDigest(val); err != nil || !val.Valid() {
			t.Fatalf("record %d (%s): digest: %v %v", len(out), wr.typ, err, val)
		}
		rec.Close()
		out = append(out, wr)
	}
	return out
}

func TestWARCRoundTrip(t *testing.T) {
	c := &exporttest.Corpus{N: 60}
	want := c.Expect(export.Filter{})
	for _, comp := range []export.Compression{export.None, export.Gzip} {
		t.Run("compression="+string(comp), func(t *testing.T) {
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			out, counts := runExport(t, c, export.Options{
				Format: export.WARC, Compression: comp, Software: "wirecrawl/test", UserAgent: "wirecrawl-test (+https://example.org/bot)",
				WARCFilename: "corpus.warc.gz", Now: func() time.Time { return now },
			})
			checkCounts(t, counts, want)
			if comp == export.Gzip && !bytes.HasPrefix(out, []byte{0x1f, 0x8b}) {
				t.Fatal("not gzip")
			}
			if comp == export.Gzip {
				// One gzip member per record: the number of member headers is the number of records.
				if n := bytes.Count(out, []byte{0x1f, 0x8b, 8}); n < int(counts.WARCRecords) {
					t.Errorf("%d gzip members for %d records", n, counts.WARCRecords)
				}
			}
			if counts.WARCResponses != want.WithRaw || counts.CopiesWithoutRaw != want.Copies-want.WithRaw {
				t.Errorf("responses %d, without raw %d; want %d, %d", counts.WARCResponses, counts.CopiesWithoutRaw, want.WithRaw, want.Copies-want.WithRaw)
			}
			recs := readWARC(t, out)
			if int64(len(recs)) != counts.WARCRecords || counts.WARCRecords != 1+3*want.WithRaw {
				t.Fatalf("%d records read, %d reported, want %d", len(recs), counts.WARCRecords, 1+3*want.WithRaw)
			}
			info := recs[0]
			if info.typ != "warcinfo" || !strings.Contains(string(info.payload), "software: wirecrawl/test") ||
				info.header.Get(gowarc.WarcFilename) != "corpus.warc.gz" || info.header.Get(gowarc.WarcDate) != "2026-11-26T12:00:00Z" {
				t.Fatalf("first record: %s %q %v", info.typ, info.payload, info.header)
			}
			byID := map[string]warcRecord{}
			for _, r := range recs {
				byID[r.id] = r
			}
			responses := map[string]bool{}
			for i := 1; i < len(recs); i += 3 {
				req, resp, conv := recs[i], recs[i+1], recs[i+2]
				if req.typ != "request" || resp.typ != "response" || conv.typ != "conversion" {
					t.Fatalf("records %d..%d: %s %s %s", i, i+2, req.typ, resp.typ, conv.typ)
				}
				for _, r := range []warcRecord{req, resp, conv} {
					if r.header.GetId(gowarc.WarcWarcinfoID) != info.id || r.target != resp.target {
						t.Fatalf("record %s: warcinfo %s target %s", r.id, r.header.Get(gowarc.WarcWarcinfoID), r.target)
					}
				}
				if req.header.GetId(gowarc.WarcConcurrentTo) != resp.id || conv.header.GetId(gowarc.WarcRefersTo) != resp.id {
					t.Fatalf("links: request concurrent-to %s, conversion refers-to %s, response %s",
						req.header.Get(gowarc.WarcConcurrentTo), conv.header.Get(gowarc.WarcRefersTo), resp.id)
				}
				if req.hheader.Get("User-Agent") != "wirecrawl-test (+https://example.org/bot)" {
					t.Errorf("request User-Agent %q", req.hheader.Get("User-Agent"))
				}
				var si, sj int
				if _, err := fmtSscan(resp.target, &si, &sj); err != nil {
					t.Fatal(err)
				}
				if id := conv.header.Get("Wirecrawl-Story-ID"); id != strconv.Itoa(si) {
					t.Fatalf("conversion story id %s, want %d", id, si)
				}
				if resp.status != 200 || !bytes.Equal(resp.payload, c.Body(si, sj)) {
					t.Fatalf("response %s: status %d, payload %d bytes, want %d", resp.target, resp.status, len(resp.payload), len(c.Body(si, sj)))
				}
				if resp.hheader.Get("Content-Encoding") != "" || resp.hheader.Get("Content-Length") != strconv.Itoa(len(c.Body(si, sj))) ||
					len(resp.hheader.Values("Set-Cookie")) != 2 {
					t.Fatalf("response headers: %v", resp.hheader)
				}
				if resp.header.Get(gowarc.WarcPayloadDigest) == "" {
					t.Errorf("response %s has no WARC-Payload-Digest", resp.id)
				}
				wantText := c.CopyText(si, sj)
				if wantText == "" {
					wantText = c.Text(si)
				}
				if string(conv.payload) != wantText || !strings.HasPrefix(conv.header.Get(gowarc.ContentType), "text/plain") {
					t.Fatalf("conversion of %s: %q (%s)", conv.target, conv.payload, conv.header.Get(gowarc.ContentType))
				}
				if want.URLs[resp.target] != int64(si) {
					t.Fatalf("response for unexpected URL %s", resp.target)
				}
				responses[resp.target] = true
			}
			if int64(len(responses)) != want.WithRaw {
				t.Fatalf("%d distinct responses, want %d", len(responses), want.WithRaw)
			}
		})
	}
}

func TestWARCWithoutRaw(t *testing.T) {
	c := &exporttest.Corpus{N: 20, NoRaw: true}
	out, counts := runExport(t, c, export.Options{Format: export.WARC, Compression: export.Gzip})
	recs := readWARC(t, out)
	if len(recs) != 1 || recs[0].typ != "warcinfo" {
		t.Fatalf("%d records, want only the warcinfo", len(recs))
	}
	if counts.CopiesWithoutRaw != c.Expect(export.Filter{}).Copies || counts.WARCResponses != 0 {
		t.Fatalf("counts %+v", counts)
	}
}

// fmtSscan parses story and copy numbers out of a corpus URL.
func fmtSscan(u string, i, j *int) (int, error) {
	name := u[strings.LastIndex(u, "/")+1:]
	name = strings.TrimSuffix(name[:strings.Index(name, "?")], ".html")
	a, b, _ := strings.Cut(name, "-")
	var err error
	if *i, err = strconv.Atoi(a); err != nil {
		return 0, err
	}
	if *j, err = strconv.Atoi(b); err != nil {
		return 1, err
	}
	return 2, nil
}

// oddSource stores one copy's raw response under a URL that is not http(s).
type oddSource struct{ exporttest.Corpus }

func (o *oddSource) Raw(ctx context.Context, u string) (export.Raw, bool, error) {
	raw, ok, err := o.Corpus.Raw(ctx, u)
	if ok && u == exporttest.CopyURL(1, 0) {
		raw.URL = "file:///var/pages/1.html"
	}
	return raw, ok, err
}

func TestWARCSkipsNonHTTPURLs(t *testing.T) {
	src := &oddSource{exporttest.Corpus{N: 4}}
	want := src.Expect(export.Filter{})
	out, counts := runExport(t, src, export.Options{Format: export.WARC})
	if counts.WARCSkipped != 1 || counts.WARCResponses != want.WithRaw-1 {
		t.Fatalf("skipped %d, responses %d; want 1, %d", counts.WARCSkipped, counts.WARCResponses, want.WithRaw-1)
	}
	if recs := readWARC(t, out); int64(len(recs)) != 1+3*(want.WithRaw-1) {
		t.Fatalf("%d records", len(recs))
	}
}
