package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gocolly/colly/v2"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// Sentinel errors of the fetcher; errors.Is works on what fetch returns.
var (
	// ErrPrivateAddress: the connection would reach a loopback, private or
	// link-local address and Config.AllowPrivateNetworks is off.
	ErrPrivateAddress = errors.New("crawler: refusing private network address")
	// ErrRedirectLoop: a redirect chain came back to a URL it had visited.
	ErrRedirectLoop = errors.New("crawler: redirect loop")
	// ErrTooManyRedirects: the chain was longer than Config.MaxRedirects.
	ErrTooManyRedirects = errors.New("crawler: too many redirects")
	// ErrNotModified: a conditional GET answered 304.
	ErrNotModified = errors.New("crawler: not modified")
	// ErrNotHTML: an article URL answered with a content type that is not HTML.
	ErrNotHTML = errors.New("crawler: not html")
	// ErrRobots: robots.txt disallows the URL.
	ErrRobots   = errors.New("crawler: disallowed by robots.txt")
	errTooLarge = errors.New("crawler: body too large")
)

// HTTPError is a response with an unwanted status; it keeps the status code
// and, for 429 and 503, the server's Retry-After.
type HTTPError struct {
	Status     int
	RetryAfter time.Duration // 0 when absent
	// URL is the URL that answered (the last redirect hop).
	URL string
}

// Error implements error.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("http %d %s", e.Status, http.StatusText(e.Status))
}

// response is one completed fetch.
type response struct {
	URL      string // the URL asked for
	FinalURL string // after redirects
	Status   int
	Header   http.Header
	Body     []byte // decoded (Content-Encoding removed), raw charset
	Duration time.Duration
	// WireBytes counts the body bytes received, as sent (compressed), of
	// every hop: redirect and error bodies read or drained included.
	WireBytes int64
}

// fetcher does single HTTP requests with the crawler's safety limits. Requests
// go through a colly collector (see "Fetching with colly" in doc.go) whose
// http.Client uses transport under fetchTransport. A fetcher may be copied
// (robots.txt fetches use a copy with a smaller MaxBodyBytes): the collector
// and the transport are shared, the limits are read per fetch.
type fetcher struct {
	cfg       Config
	transport *http.Transport
	base      *colly.Collector
	// keepPrefix reads a body over the limit up to the limit even when its
	// Content-Length says it is larger, so that the *tooLargeError carries
	// its first bytes (robots.txt: the first 500 KiB count).
	keepPrefix bool
}

func newFetcher(cfg Config) *fetcher {
	d := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	d.Control = dialGuard(cfg)
	t := &http.Transport{
		Proxy:                  nil, // a proxy would hide the address check
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    cfg.PerHostParallelism + 1,
		IdleConnTimeout:        90 * time.Second,
		DisableCompression:     true, // decoded by fetchTransport, under the size limit
		MaxResponseHeaderBytes: 1 << 20,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &fetcher{cfg: cfg, transport: t, base: newCollector(cfg, t)}
}

// newCollector builds the collector every fetch clones. It is built with
// Init rather than colly.NewCollector, which would let COLLY_* environment
// variables override these settings (and log unknown ones).
func newCollector(cfg Config, t *http.Transport) *colly.Collector {
	c := &colly.Collector{}
	c.Init()
	c.UserAgent = cfg.UserAgent
	c.AllowURLRevisit = true        // the frontier does the seen-check
	c.MaxBodySize = 0               // fetchTransport enforces MaxBodyBytes, on the wire and decoded
	c.IgnoreRobotsTxt = true        // robots.txt is checked before each fetch and hop (robots.go)
	c.ParseHTTPErrorResponse = true // else OnError fires for 2xx >= 203 and drops the status
	c.DetectCharset = false         // charsets are the cleaner's job, from the raw bytes
	c.Async = false
	// No cookie jar, no client timeout (each fetch has its own context), no
	// proxy: fetchTransport over t.
	c.SetClient(&http.Client{Transport: &fetchTransport{t: t}})
	// After SetClient: it sets the CheckRedirect of the client in place.
	c.SetRedirectHandler(checkRedirect)
	return c
}

// redirectHook is called before each redirect hop is followed; an error stops
// the chain and is returned by fetch.
type redirectHook func(ctx context.Context, next *url.URL) error

// fetchState is one fetch's state, carried by the request context to the
// collector's callbacks, its redirect handler and fetchTransport.
type fetchState struct {
	u            string // the URL asked for
	limit        int64  // MaxBodyBytes
	keepPrefix   bool   // read an oversized body's first limit bytes (see fetcher.keepPrefix)
	maxRedirects int
	hook         redirectHook
	hdr          http.Header     // the caller's headers
	visited      map[string]bool // URLs of the chain as sent (no fragment)
	hops         int
	wireBytes    atomic.Int64 // body bytes received, every hop

	started     bool // colly got as far as OnRequest
	status      int  // of the final response, from OnResponseHeaders
	header      http.Header
	finalURL    string
	body        []byte // the decoded body of a 2xx answer
	bodyErr     error  // why that body could not be read
	redirectErr error  // why a redirect was not followed
}

type fetchStateKey struct{}

func stateOf(ctx context.Context) *fetchState {
	st, _ := ctx.Value(fetchStateKey{}).(*fetchState)
	return st
}

const defaultAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// fetch GETs u with extra headers, following redirects up to the limit, and
// returns the response with its decoded body. Non-2xx statuses other than 304
// come back as *HTTPError together with the response (body not read).
//
// The request goes through a clone of the fetcher's colly collector, whose
// Context carries the timeout and this fetch's state; see "Fetching with
// colly" in doc.go for what is done by colly and what around it.
func (f *fetcher) fetch(ctx context.Context, u string, hdr http.Header, hook redirectHook) (*response, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	st := &fetchState{u: u, limit: f.cfg.MaxBodyBytes, keepPrefix: f.keepPrefix, maxRedirects: f.cfg.MaxRedirects, hook: hook, hdr: hdr,
		visited: map[string]bool{}}
	st.visited[wireURL(u)] = true
	// colly uses this map as the request's header: a copy, never the caller's.
	h := make(http.Header, len(hdr)+3)
	for k, v := range hdr {
		h[k] = slices.Clone(v)
	}
	h.Del("User-Agent") // colly sets the collector's
	if h.Get("Accept") == "" {
		h.Set("Accept", defaultAccept)
	}
	h.Set("Accept-Encoding", "gzip, br, deflate")

	cl := f.base.Clone()
	cl.Context = context.WithValue(ctx, fetchStateKey{}, st)
	cl.OnRequest(func(*colly.Request) { st.started = true })
	cl.OnResponseHeaders(func(r *colly.Response) {
		st.status, st.header, st.finalURL = r.StatusCode, *r.Headers, r.Request.URL.String()
		if r.StatusCode < 200 || r.StatusCode > 299 {
			// Not read by colly; fetchTransport drains a little on close so
			// the connection can be reused.
			r.Request.Abort()
		}
	})
	err := cl.Request(http.MethodGet, u, nil, nil, h)

	r := &response{URL: u, FinalURL: u, Status: st.status, Header: st.header, Duration: time.Since(start), WireBytes: st.wireBytes.Load()}
	if st.hops > 0 && st.finalURL != "" {
		r.FinalURL = st.finalURL
	}
	switch {
	case st.redirectErr != nil:
		return nil, st.redirectErr
	case st.status == http.StatusNotModified && (hdr.Get("If-None-Match") != "" || hdr.Get("If-Modified-Since") != ""):
		return r, ErrNotModified
	case st.status != 0 && (st.status < 200 || st.status > 299):
		he := &HTTPError{Status: st.status, URL: r.FinalURL}
		if st.status == http.StatusTooManyRequests || st.status == http.StatusServiceUnavailable {
			he.RetryAfter = parseRetryAfter(st.header.Get("Retry-After"), time.Now())
		}
		return r, he
	case st.bodyErr != nil:
		return r, fmt.Errorf("get %s: %w", u, st.bodyErr)
	case err != nil && !st.started:
		// colly refused the URL before any request (its parser).
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	case err != nil:
		at := u
		var ue *url.Error
		if errors.As(err, &ue) && ue.URL != "" {
			at = ue.URL
		}
		return nil, fmt.Errorf("get %s: %w", at, unwrapURLError(err))
	case st.status == 0:
		return nil, fmt.Errorf("get %s: no response", u)
	}
	r.Body = st.body
	return r, nil
}

// checkRedirect is the collector's redirect handler: what fetch's hop loop
// did before colly. It runs before each hop is requested, for the fetch
// whose state the request context carries.
func checkRedirect(req *http.Request, via []*http.Request) error {
	st := stateOf(req.Context())
	if st == nil {
		return errors.New("crawler: redirect outside a fetch")
	}
	err := st.redirect(req, via)
	if err != nil {
		st.redirectErr = err
	}
	return err
}

func (st *fetchState) redirect(req *http.Request, via []*http.Request) error {
	prev := via[len(via)-1].URL.String()
	if len(via) > st.maxRedirects {
		return fmt.Errorf("get %s: %w: more than %d", st.u, ErrTooManyRedirects, st.maxRedirects)
	}
	next := req.URL
	if next.Scheme != "http" && next.Scheme != "https" {
		return fmt.Errorf("get %s: %w: redirect to %q", prev, ErrBadURL, next)
	}
	n, err := NormalizeURL(next.String())
	if err != nil {
		return fmt.Errorf("get %s: %w", prev, err)
	}
	// A loop is a URL asked for twice, as sent: a page that redirects to
	// itself with a tracking parameter added (the same URL once normalised)
	// is followed, and answers the second time.
	if w := wireURL(next.String()); st.visited[w] {
		return fmt.Errorf("get %s: %w: back to %s", st.u, ErrRedirectLoop, n)
	} else {
		st.visited[w] = true
	}
	st.hops++
	// http.Client copied the first request's headers: validators are for
	// the URL asked for, not for another one; no Referer we did not send.
	req.Header.Del("If-None-Match")
	req.Header.Del("If-Modified-Since")
	if _, ok := st.hdr["Referer"]; !ok {
		req.Header.Del("Referer")
	}
	if st.hook != nil {
		if err := st.hook(req.Context(), next); err != nil {
			return fmt.Errorf("get %s: redirect to %s: %w", st.u, n, err)
		}
	}
	return nil
}

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

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.ECONNRESET)
}

// unwrapURLError removes the *url.Error layer (its text repeats the URL).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() && !errors.Is(ue.Err, context.DeadlineExceeded) {
			return fmt.Errorf("%w (%v)", context.DeadlineExceeded, ue.Err)
		}
		return ue.Err
	}
	return err
}

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

// classify maps a fetch error to its class and whether it is worth retrying.
func classify(err error) (class string, transient bool) {
	var he *HTTPError
	var perm *PermanentError
	var ru *RobotsUnavailableError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &perm):
		return perm.Class, false
	case errors.As(err, &ru):
		return ru.class(), true
	case errors.As(err, &he):
		switch {
		case he.Status == http.StatusTooManyRequests:
			return frontier.ClassHTTP429, true
		case he.Status == http.StatusRequestTimeout:
			return frontier.ClassHTTP4xx, true
		case he.Status >= 500 && he.Status != http.StatusNotImplemented && he.Status != http.StatusHTTPVersionNotSupported:
			return frontier.ClassHTTP5xx, true
		case he.Status >= 500:
			return frontier.ClassHTTP5xx, false
		case he.Status >= 400:
			return frontier.ClassHTTP4xx, false
		default:
			return frontier.ClassHTTPOther, false
		}
	case errors.Is(err, ErrPrivateAddress):
		return frontier.ClassPrivateAddress, false
	case errors.Is(err, ErrRedirectLoop):
		return frontier.ClassRedirectLoop, false
	case errors.Is(err, ErrTooManyRedirects):
		return frontier.ClassTooManyRedirects, false
	case errors.Is(err, errTooLarge):
		return frontier.ClassTooLarge, false
	case errors.Is(err, ErrNotHTML):
		return frontier.ClassNotHTML, false
	case errors.Is(err, ErrRobots):
		return frontier.ClassRobots, false
	case errors.Is(err, ErrBadFeed):
		return frontier.ClassBadFeed, false
	case errors.Is(err, ErrBadURL):
		return frontier.ClassBadURL, false
	case errors.Is(err, errDecode):
		return frontier.ClassDecode, false
	case errors.Is(err, context.Canceled):
		return frontier.ClassInterrupted, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return frontier.ClassTimeout, true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return frontier.ClassDNS, dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return frontier.ClassTimeout, true
	}
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNABORTED):
		return frontier.ClassReset, true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return frontier.ClassConnect, true
	}
	var te *tls.CertificateVerificationError
	var re tls.RecordHeaderError
	var ae tls.AlertError
	if errors.As(err, &te) || errors.As(err, &re) || errors.As(err, &ae) ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		// A broken TLS set-up (an https:// URL on a plain-HTTP port among
		// them, which net/http reports as a plain error) stays broken.
		return frontier.ClassTLS, false
	}
	if strings.Contains(err.Error(), "response headers exceeded") {
		// net/http's MaxResponseHeaderBytes (no sentinel error exists):
		// the same headers will come again.
		return frontier.ClassTooLarge, false
	}
	if strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "server closed") {
		return frontier.ClassReset, true
	}
	return frontier.ClassNetwork, true
}

// wireURL is u as a request sends it: without its fragment.
func wireURL(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}
