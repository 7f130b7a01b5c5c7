package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

// fetchTransport is the collector's RoundTripper. Over the dial-checked
// http.Transport it
//   - makes every request non-replayable: net/http otherwise silently resends
//     a GET whose reused connection was reset, a second request to the host
//     that bypasses the per-host delay and the retry policy;
//   - refuses an unparseable Location (ErrBadURL, as http.Client's own error
//     says nothing usable);
//   - for a 2xx answer, reads the body itself on colly's first Read: decoded
//     from Content-Encoding under the size limit (on the wire and decoded),
//     kept raw in the fetch's state, and hands colly an empty body marked
//     Uncompressed, so colly neither gunzips (its forced gunzip of .xml.gz
//     URLs and "gzip" content types) nor converts charsets, and the bytes
//     are held once;
//   - for any other status passes at most 64 KiB through and drains up to
//     that on Close, so an aborted error answer leaves a reusable connection.
type fetchTransport struct {
	t *http.Transport
}

// errorBodyBytes is how much of a non-2xx body is read or drained.
const errorBodyBytes = 64 << 10

// RoundTrip implements http.RoundTripper.
func (ft *fetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateOf(req.Context())
	if st == nil {
		return nil, errors.New("crawler: request outside a fetch")
	}
	out := req.WithContext(req.Context()) // shallow copy: req is not ours to change
	// A non-nil empty body without GetBody: not replayable, so the transport
	// never retries on its own. (An empty body is probed and not sent; no
	// Transfer-Encoding is added to a GET.) Set here rather than on colly's
	// request, where http.Client would refuse to follow a 307/308 with a
	// body it cannot rewind.
	out.Body = io.NopCloser(eofReader{})
	out.GetBody = nil
	out.ContentLength = 0
	resp, err := ft.t.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	resp.Request = req
	resp.Uncompressed = true // colly must not gunzip whatever it sees
	if !(resp.StatusCode >= 200 && resp.StatusCode <= 299) {
		if loc := resp.Header.Get("Location"); loc != "" && isRedirect(resp.StatusCode) {
			if _, err := req.URL.Parse(loc); err != nil {
				resp.Body.Close()
				return nil, fmt.Errorf("%w: location %q", ErrBadURL, loc)
			}
		}
		resp.Body = &drainBody{r: io.LimitReader(countingReader{resp.Body, &st.wireBytes}, errorBodyBytes), c: resp.Body}
		return resp, nil
	}
	resp.Body = &captureBody{raw: resp.Body, enc: resp.Header.Get("Content-Encoding"),
		length: resp.ContentLength, st: st}
	return resp, nil
}

// drainBody is a non-2xx body: limited, drained up to the limit on Close.
type drainBody struct {
	r io.Reader
	c io.Closer
}

func (b *drainBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *drainBody) Close() error {
	_, _ = io.Copy(io.Discard, b.r)
	return b.c.Close()
}

// captureBody reads a 2xx body into the fetch state on the first Read and
// then reads as empty (or as the error).
type captureBody struct {
	raw    io.ReadCloser
	enc    string
	length int64
	st     *fetchState
	done   bool
	err    error
}

func (b *captureBody) Read([]byte) (int, error) {
	if !b.done {
		b.done = true
		b.err = io.EOF
		if b.length > b.st.limit && !b.st.keepPrefix {
			b.st.bodyErr = fmt.Errorf("%w: content-length %d > %d", errTooLarge, b.length, b.st.limit)
		} else {
			b.st.body, b.st.bodyErr = readBody(countingReader{b.raw, &b.st.wireBytes}, b.enc, b.st.limit)
		}
		if b.st.bodyErr != nil {
			b.err = b.st.bodyErr
		}
	}
	return 0, b.err
}

func (b *captureBody) Close() error { return b.raw.Close() }

// countingReader adds the bytes read through it to n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// eofReader is an empty body.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// readBody reads and decodes a body with Content-Encoding enc, with the limit
// applied both to the bytes on the wire and to the decoded bytes (gzip bombs).
func readBody(body io.Reader, enc string, limit int64) ([]byte, error) {
	wire := io.LimitReader(body, limit+1)
	var rd io.Reader = wire
	enc = strings.ToLower(strings.TrimSpace(enc))
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, fmt.Errorf("%w: gzip: %v", errDecode, err)
		}
		defer zr.Close()
		rd = zr
	case "br":
		rd = brotli.NewReader(wire)
	case "deflate":
		fr := flate.NewReader(wire)
		defer fr.Close()
		rd = fr
	default:
		return nil, fmt.Errorf("%w: content-encoding %q", errDecode, enc)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(rd, limit+1))
	if n > limit {
		return nil, &tooLargeError{prefix: buf.Bytes()[:limit]}
	}
	if err != nil {
		// A body cut short (truncated gzip included) may come whole next
		// time: report it as a transient truncation, not a decode error.
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("truncated body (%v): %w", err, io.ErrUnexpectedEOF)
		}
		if enc != "" && enc != "identity" && !isNetErr(err) {
			return nil, fmt.Errorf("%w: %s: %v", errDecode, enc, err)
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

var errDecode = errors.New("crawler: cannot decode body")

// tooLargeError is a body over the limit (errors.Is errTooLarge), with its
// first limit bytes (decoded), which robots.txt reading uses.
type tooLargeError struct{ prefix []byte }

func (e *tooLargeError) Error() string { return errTooLarge.Error() }
func (e *tooLargeError) Unwrap() error { return errTooLarge }

// parseRetryAfter reads a Retry-After value (seconds or an HTTP date).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		if s > 7*86400 {
			s = 7 * 86400
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
