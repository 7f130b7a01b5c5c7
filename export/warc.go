package export

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/nlnwa/gowarc"
	"golang.org/x/sync/errgroup"

	"github.com/wirecrawl/wirecrawl"
)

// warcSpec is the conformsTo value of the warcinfo record.
const warcSpec = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

// warcEncoder encodes WARC 1.1 records, each its own gzip member when
// compressing. One encoder is used by one goroutine at a time.
type warcEncoder struct {
	gz        *gzip.Writer // nil: uncompressed
	m         gowarc.Marshaler
	warcinfo  string
	userAgent string
}

// warcJob is one copy to encode, and where its records go.
type warcJob struct {
	c   *wirecrawl.Copy
	raw *Raw
	buf bytes.Buffer
}

// writeWARC writes a warcinfo record, then for every copy of every selected
// story that has a stored raw response: a reconstructed request, the response
// and the copy's clean text as a conversion record referring to the response.
// The copies of one story are encoded in parallel (gowarc's record building
// and gzip dominate the cost) and written in order.
func writeWARC(ctx context.Context, src Source, w io.Writer, opts Options) (Counts, error) {
	var counts Counts
	bw := bufio.NewWriterSize(w, 256<<10)
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	encs := make(chan *warcEncoder, workers)
	first := &warcEncoder{m: gowarc.NewMarshaler(), warcinfo: newRecordID(), userAgent: opts.UserAgent}
	for i := 0; i < workers; i++ {
		e := first
		if i > 0 {
			e = &warcEncoder{m: first.m, warcinfo: first.warcinfo, userAgent: first.userAgent}
		}
		if opts.Compression == Gzip {
			gz, err := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
			if err != nil {
				return counts, fmt.Errorf("export: gzip: %w", err)
			}
			e.gz = gz
		}
		encs <- e
	}
	if err := first.writeInfo(bw, opts); err != nil {
		return counts, fmt.Errorf("export: %w", err)
	}
	counts.WARCRecords = 1
	var jobs []*warcJob
	err := walk(ctx, src, opts, &counts, true, func(s *wirecrawl.Story, raws []rawResult) error {
		jobs = jobs[:0]
		for i := range s.Copies {
			c := &s.Copies[i]
			if !raws[i].ok {
				counts.CopiesWithoutRaw++
				continue
			}
			if !httpURL(raws[i].raw.URL, c.URL) {
				counts.WARCSkipped++
				continue
			}
			jobs = append(jobs, &warcJob{c: c, raw: &raws[i].raw})
		}
		encode := func(j *warcJob, dst io.Writer) error {
			e := <-encs
			defer func() { encs <- e }()
			if err := e.writeCopy(dst, s, j.c, j.raw); err != nil {
				return fmt.Errorf("story %d, %s: %w", s.ID, j.c.URL, err)
			}
			return nil
		}
		if len(jobs) == 1 || workers == 1 {
			for _, j := range jobs {
				if err := encode(j, bw); err != nil {
					return err
				}
			}
		} else {
			var g errgroup.Group
			g.SetLimit(workers)
			for _, j := range jobs {
				g.Go(func() error { return encode(j, &j.buf) })
			}
			if err := g.Wait(); err != nil {
				return err
			}
			for _, j := range jobs {
				if _, err := bw.Write(j.buf.Bytes()); err != nil {
					return fmt.Errorf("writing: %w", err)
				}
			}
		}
		counts.WARCResponses += int64(len(jobs))
		counts.WARCRecords += 3 * int64(len(jobs))
		return nil
	})
	if ferr := bw.Flush(); ferr != nil && err == nil {
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

// newRecordID is a fresh WARC-Record-ID: a random (version 4) UUID URN.
func newRecordID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// builderMu serialises gowarc.NewRecordBuilder: it sets a package variable of
// github.com/google/uuid on every call (EnableRandPool), a data race when
// copies are encoded in parallel. Building and marshalling need no lock.
var builderMu sync.Mutex

func newBuilder(rt gowarc.RecordType) gowarc.WarcRecordBuilder {
	builderMu.Lock()
	defer builderMu.Unlock()
	return gowarc.NewRecordBuilder(rt)
}

// writeInfo writes the warcinfo record that opens the file.
func (e *warcEncoder) writeInfo(dst io.Writer, opts Options) error {
	b := newBuilder(gowarc.Warcinfo)
	b.AddWarcHeader(gowarc.WarcRecordID, e.warcinfo)
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
	return e.emit(dst, b, "warcinfo")
}

// writeCopy writes the request, response and conversion records of one copy.
func (e *warcEncoder) writeCopy(dst io.Writer, s *wirecrawl.Story, c *wirecrawl.Copy, raw *Raw) error {
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
	b := newBuilder(gowarc.Request)
	e.common(b, reqID, target, date)
	b.AddWarcHeader(gowarc.WarcConcurrentTo, respID)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=request")
	fmt.Fprintf(b, "GET %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	if e.userAgent != "" {
		fmt.Fprintf(b, "User-Agent: %s\r\n", oneLine(e.userAgent))
	}
	if _, err := io.WriteString(b, "\r\n"); err != nil {
		return fmt.Errorf("warc: request record of %s: %w", target, err)
	}
	if err := e.emit(dst, b, "request"); err != nil {
		return err
	}

	// Response: the stored status, headers and (decoded) body.
	b = newBuilder(gowarc.Response)
	e.common(b, respID, target, date)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=response")
	writeResponseHead(b, raw)
	if _, err := b.Write(raw.Body); err != nil {
		return fmt.Errorf("warc: response record of %s: %w", target, err)
	}
	if err := e.emit(dst, b, "response"); err != nil {
		return err
	}

	// Conversion: the clean text of this copy (its own when kept, else the
	// story's canonical text, which dedup judged the same).
	text, from := c.Text, "copy"
	if text == "" {
		text, from = s.Text, "canonical"
	}
	b = newBuilder(gowarc.Conversion)
	e.common(b, newRecordID(), target, date)
	b.AddWarcHeader(gowarc.WarcRefersTo, respID)
	b.AddWarcHeader(gowarc.ContentType, "text/plain; charset=utf-8")
	b.AddWarcHeader("Wirecrawl-Story-ID", strconv.FormatInt(s.ID, 10))
	b.AddWarcHeader("Wirecrawl-Text-Source", from)
	if _, err := io.WriteString(b, text); err != nil {
		return fmt.Errorf("warc: conversion record of %s: %w", target, err)
	}
	return e.emit(dst, b, "conversion")
}

// common adds the fields every content record has.
func (e *warcEncoder) common(b gowarc.WarcRecordBuilder, id, target string, date time.Time) {
	b.AddWarcHeader(gowarc.WarcRecordID, id)
	b.AddWarcHeaderTime(gowarc.WarcDate, date)
	b.AddWarcHeader(gowarc.WarcTargetURI, target)
	b.AddWarcHeader(gowarc.WarcWarcinfoID, e.warcinfo)
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

// emit builds the record and writes it to dst, as its own gzip member if compressing.
func (e *warcEncoder) emit(dst io.Writer, b gowarc.WarcRecordBuilder, kind string) error {
	rec, _, err := b.Build()
	if err != nil {
		b.Close()
		return fmt.Errorf("building %s record: %w", kind, err)
	}
	defer rec.Close()
	out := dst
	if e.gz != nil {
		e.gz.Reset(dst)
		out = e.gz
	}
	if _, _, err := e.m.Marshal(out, rec, 0); err != nil {
		return fmt.Errorf("writing %s record: %w", kind, err)
	}
	if e.gz != nil {
		if err := e.gz.Close(); err != nil {
			return fmt.Errorf("writing %s record: %w", kind, err)
		}
	}
	return nil
}
