package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/gzip"
	"github.com/nlnwa/gowarc"

	"github.com/wirecrawl/wirecrawl"
)

// warcSpec is the conformsTo value of the warcinfo record.
const warcSpec = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

// warcWriter writes WARC 1.1 records, each its own gzip member when compressing.
type warcWriter struct {
	bw        *bufio.Writer
	gz        *gzip.Writer
	m         gowarc.Marshaler
	warcinfo  string
	records   int64
	userAgent string
}

// writeWARC writes a warcinfo record, then for every copy of every selected
// story that has a stored raw response: a reconstructed request, the response
// and the copy's clean text as a conversion record referring to the response.
func writeWARC(ctx context.Context, src Source, w io.Writer, opts Options) (Counts, error) {
	var counts Counts
	ww := &warcWriter{bw: bufio.NewWriterSize(w, 256<<10), m: gowarc.NewMarshaler(), userAgent: opts.UserAgent}
	if opts.Compression == Gzip {
		gz, err := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
		if err != nil {
			return counts, fmt.Errorf("export: gzip: %w", err)
		}
		ww.gz = gz
	}
	if err := ww.writeInfo(opts); err != nil {
		return counts, fmt.Errorf("export: %w", err)
	}
	err := walk(ctx, src, opts, &counts, true, func(s *wirecrawl.Story, raws []rawResult) error {
		for i := range s.Copies {
			c := &s.Copies[i]
			raw, ok := raws[i].raw, raws[i].ok
			if !ok {
				counts.CopiesWithoutRaw++
				continue
			}
			if !httpURL(raw.URL, c.URL) {
				counts.WARCSkipped++
				continue
			}
			if err := ww.writeCopy(s, c, &raw); err != nil {
				return fmt.Errorf("story %d, %s: %w", s.ID, c.URL, err)
			}
			counts.WARCResponses++
		}
		return nil
	})
	counts.WARCRecords = ww.records
	if ferr := ww.bw.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("export: writing: %w", ferr)
	}
	return counts, err
}

// httpURL reports whether the response's target (raw, else copy) is an
// absolute http(s) URL, from which a request record can be made.
func httpURL(raw, copyURL string) bool {
	if raw == "" {
		raw = copyURL
	}
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func newRecordID() string { return "<urn:uuid:" + uuid.NewString() + ">" }

// writeInfo writes the warcinfo record that opens the file.
func (ww *warcWriter) writeInfo(opts Options) error {
	ww.warcinfo = newRecordID()
	b := gowarc.NewRecordBuilder(gowarc.Warcinfo)
	b.AddWarcHeader(gowarc.WarcRecordID, ww.warcinfo)
	b.AddWarcHeaderTime(gowarc.WarcDate, opts.Now())
	if opts.WARCFilename != "" {
		b.AddWarcHeader(gowarc.WarcFilename, opts.WARCFilename)
	}
	b.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
	fields := []struct{ k, v string }{
		{"software", opts.Software},
		{"format", "WARC File Format 1.1"},
		{"conformsTo", warcSpec},
		{"description", "wirecrawl export: stored HTTP responses with their clean article text as conversion records"},
	}
	if opts.UserAgent != "" {
		fields = append(fields, struct{ k, v string }{"http-header-user-agent", opts.UserAgent})
	}
	for _, f := range fields {
		if _, err := fmt.Fprintf(b, "%s: %s\r\n", f.k, oneLine(f.v)); err != nil {
			return fmt.Errorf("warcinfo: %w", err)
		}
	}
	return ww.emit(b, "warcinfo")
}

// writeCopy writes the request, response and conversion records of one copy.
func (ww *warcWriter) writeCopy(s *wirecrawl.Story, c *wirecrawl.Copy, raw *Raw) error {
	target := raw.URL
	if target == "" {
		target = c.URL
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bad URL %q", target)
	}
	date := raw.FetchedAt
	if date.IsZero() {
		date = c.FetchedAt
	}
	if date.IsZero() {
		date = s.FirstSeen
	}
	respID, reqID := newRecordID(), newRecordID()

	// Request: reconstructed, as wirecrawl keeps only the response.
	b := gowarc.NewRecordBuilder(gowarc.Request)
	ww.common(b, reqID, target, date)
	b.AddWarcHeader(gowarc.WarcConcurrentTo, respID)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=request")
	fmt.Fprintf(b, "GET %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	if ww.userAgent != "" {
		fmt.Fprintf(b, "User-Agent: %s\r\n", oneLine(ww.userAgent))
	}
	io.WriteString(b, "\r\n")
	if err := ww.emit(b, "request"); err != nil {
		return err
	}

	// Response: the stored status, headers and (decoded) body.
	b = gowarc.NewRecordBuilder(gowarc.Response)
	ww.common(b, respID, target, date)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=response")
	writeResponseHead(b, raw)
	b.Write(raw.Body)
	if err := ww.emit(b, "response"); err != nil {
		return err
	}

	// Conversion: the clean text of this copy (its own when kept, else the
	// story's canonical text, which dedup judged the same).
	text, from := c.Text, "copy"
	if text == "" {
		text, from = s.Text, "canonical"
	}
	b = gowarc.NewRecordBuilder(gowarc.Conversion)
	ww.common(b, newRecordID(), target, date)
	b.AddWarcHeader(gowarc.WarcRefersTo, respID)
	b.AddWarcHeader(gowarc.ContentType, "text/plain; charset=utf-8")
	b.AddWarcHeader("Wirecrawl-Story-ID", strconv.FormatInt(s.ID, 10))
	b.AddWarcHeader("Wirecrawl-Text-Source", from)
	io.WriteString(b, text)
	return ww.emit(b, "conversion")
}

// common adds the fields every content record has.
func (ww *warcWriter) common(b gowarc.WarcRecordBuilder, id, target string, date time.Time) {
	b.AddWarcHeader(gowarc.WarcRecordID, id)
	b.AddWarcHeaderTime(gowarc.WarcDate, date)
	b.AddWarcHeader(gowarc.WarcTargetURI, target)
	b.AddWarcHeader(gowarc.WarcWarcinfoID, ww.warcinfo)
}

// hopHeaders are dropped from stored response headers: the body is stored
// decoded and whole, so its original transfer and content codings and length
// no longer describe it; Content-Length is recomputed.
var hopHeaders = map[string]bool{
	"Content-Length":    true,
	"Content-Encoding":  true,
	"Transfer-Encoding": true,
	"Connection":        true,
	"Keep-Alive":        true,
}

// writeResponseHead writes the status line and headers of raw, in sorted order.
func writeResponseHead(w io.Writer, raw *Raw) {
	status := raw.Status
	if status < 100 || status > 999 {
		status = http.StatusOK
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Status"
	}
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n", status, text)
	keys := make([]string, 0, len(raw.Header))
	for k := range raw.Header {
		if !hopHeaders[http.CanonicalHeaderKey(k)] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range raw.Header[k] {
			fmt.Fprintf(w, "%s: %s\r\n", k, oneLine(v))
		}
	}
	fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", len(raw.Body))
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// emit builds the record and writes it, as its own gzip member if compressing.
func (ww *warcWriter) emit(b gowarc.WarcRecordBuilder, kind string) error {
	rec, _, err := b.Build()
	if err != nil {
		b.Close()
		return fmt.Errorf("building %s record: %w", kind, err)
	}
	defer rec.Close()
	var out io.Writer = ww.bw
	if ww.gz != nil {
		ww.gz.Reset(ww.bw)
		out = ww.gz
	}
	if _, _, err := ww.m.Marshal(out, rec, 0); err != nil {
		return fmt.Errorf("writing %s record: %w", kind, err)
	}
	if ww.gz != nil {
		if err := ww.gz.Close(); err != nil {
			return fmt.Errorf("writing %s record: %w", kind, err)
		}
	}
	ww.records++
	return nil
}
