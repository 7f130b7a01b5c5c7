package crawler

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
)

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

// The Accept header of each kind of request, all here.
const (
	// acceptArticle: an article page is HTML (fetch's default).
	acceptArticle = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	// acceptFeed: feeds, sitemaps and home pages, any of which a seed or a
	// link may turn out to be: feeds first, HTML last.
	acceptFeed = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5"
	// acceptInput: a URL given to Ingest may be an article, a feed or a
	// home page: HTML and feeds alike.
	acceptInput = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8"
	// acceptRobots: robots.txt is plain text.
	acceptRobots = "text/plain,*/*;q=0.5"
)

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
		h.Set("Accept", acceptArticle)
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

// wireURL is u as a request sends it: without its fragment.
func wireURL(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}
