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
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/andybalholm/brotli"
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
}

// fetcher does single HTTP requests with the crawler's safety limits.
type fetcher struct {
	cfg       Config
	transport *http.Transport
}

// blockedPrefixes are special-purpose ranges refused besides what netip's
// IsPrivate/IsLoopback/IsLinkLocal* cover.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// isPrivateAddr reports whether a is an address the crawler must not reach.
func isPrivateAddr(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// inNetworks reports whether a is in one of nets.
func inNetworks(a netip.Addr, nets []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func newFetcher(cfg Config) *fetcher {
	d := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	var allowed []netip.Prefix
	for _, n := range cfg.AllowedNetworks {
		if p, err := netip.ParsePrefix(n); err == nil { // Validate reports bad ones
			allowed = append(allowed, p.Masked())
		}
	}
	if !cfg.AllowPrivateNetworks {
		// Checked on the resolved address of every connection, so DNS answers
		// and redirects cannot sneak past it.
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
			}
			if isPrivateAddr(ap.Addr()) && !inNetworks(ap.Addr(), allowed) {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
			}
			return nil
		}
	}
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
		DisableCompression:     true, // decoded here, under the size limit
		MaxResponseHeaderBytes: 1 << 20,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &fetcher{cfg: cfg, transport: t}
}

// redirectHook is called before each redirect hop is followed; an error stops
// the chain and is returned by fetch.
type redirectHook func(ctx context.Context, next *url.URL) error

// fetch GETs u with extra headers, following redirects up to the limit, and
// returns the response with its decoded body. Non-2xx statuses other than 304
// come back as *HTTPError together with the response (body not read).
//
// Redirects are followed here, hop by hop, rather than by http.Client, and
// every request is made non-replayable: net/http otherwise silently resends a
// GET whose reused connection was reset, a second request to the host that
// bypasses the per-host delay and the retry policy.
func (f *fetcher) fetch(ctx context.Context, u string, hdr http.Header, hook redirectHook) (*response, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	visited := map[string]bool{}
	if n, err := NormalizeURL(u); err == nil {
		visited[n] = true
	}
	client := &http.Client{
		Transport:     f.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	cur := u
	var resp *http.Response
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cur, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
		}
		for k, v := range hdr {
			if hop > 0 && (k == "If-None-Match" || k == "If-Modified-Since") {
				continue
			}
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", f.cfg.UserAgent)
		if req.Header.Get("Accept") == "" {
			req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		}
		req.Header.Set("Accept-Encoding", "gzip, br, deflate")
		// A non-nil empty body without GetBody: not replayable, so the
		// transport never retries on its own. (An empty body is probed and
		// not sent; no Transfer-Encoding is added to a GET.)
		req.Body = io.NopCloser(eofReader{})
		req.GetBody = nil
		req.ContentLength = 0
		resp, err = client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", cur, unwrapURLError(err))
		}
		loc := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || loc == "" {
			break
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<10))
		resp.Body.Close()
		if hop+1 > f.cfg.MaxRedirects {
			return nil, fmt.Errorf("get %s: %w: more than %d", u, ErrTooManyRedirects, f.cfg.MaxRedirects)
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w: location %q", cur, ErrBadURL, loc)
		}
		if next.Scheme != "http" && next.Scheme != "https" {
			return nil, fmt.Errorf("get %s: %w: redirect to %q", cur, ErrBadURL, loc)
		}
		n, err := NormalizeURL(next.String())
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", cur, err)
		}
		if visited[n] {
			return nil, fmt.Errorf("get %s: %w: back to %s", u, ErrRedirectLoop, n)
		}
		visited[n] = true
		if hook != nil {
			if err := hook(ctx, next); err != nil {
				return nil, fmt.Errorf("get %s: redirect to %s: %w", u, n, err)
			}
		}
		cur = next.String()
	}
	defer resp.Body.Close()
	r := &response{URL: u, FinalURL: resp.Request.URL.String(), Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode == http.StatusNotModified {
		r.Duration = time.Since(start)
		return r, ErrNotModified
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused; never much.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		r.Duration = time.Since(start)
		he := &HTTPError{Status: resp.StatusCode, URL: resp.Request.URL.String()}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			he.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return r, he
	}
	limit := f.cfg.MaxBodyBytes
	if resp.ContentLength > limit {
		r.Duration = time.Since(start)
		return r, fmt.Errorf("get %s: %w: content-length %d > %d", u, errTooLarge, resp.ContentLength, limit)
	}
	body, err := readBody(resp, limit)
	r.Duration = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("get %s: %w", u, err)
	}
	r.Body = body
	return r, nil
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

// readBody reads and decodes the body, with the limit applied both to the
// bytes on the wire and to the decoded bytes (gzip bombs).
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	wire := io.LimitReader(resp.Body, limit+1)
	var rd io.Reader = wire
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
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
		return nil, errTooLarge
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

// Error classes recorded in the fetch log and Summary.ErrorsByClass.
const (
	ClassTimeout          = "timeout"
	ClassReset            = "reset"
	ClassConnect          = "connect"
	ClassDNS              = "dns"
	ClassTLS              = "tls"
	ClassHTTP4xx          = "http_4xx"
	ClassHTTP429          = "http_429"
	ClassHTTP5xx          = "http_5xx"
	ClassHTTPOther        = "http_other"
	ClassTooLarge         = "too_large"
	ClassNotHTML          = "not_html"
	ClassRobots           = "robots"
	ClassRedirectLoop     = "redirect_loop"
	ClassTooManyRedirects = "too_many_redirects"
	ClassPrivateAddress   = "private_address"
	ClassBadFeed          = "bad_feed"
	ClassBadURL           = "bad_url"
	ClassDecode           = "decode"
	ClassProcess          = "process"
	ClassNetwork          = "network"
	ClassInterrupted      = "interrupted"
)

// classify maps a fetch error to its class and whether it is worth retrying.
func classify(err error) (class string, transient bool) {
	var he *HTTPError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &he):
		switch {
		case he.Status == http.StatusTooManyRequests:
			return ClassHTTP429, true
		case he.Status == http.StatusRequestTimeout:
			return ClassHTTP4xx, true
		case he.Status >= 500 && he.Status != http.StatusNotImplemented && he.Status != http.StatusHTTPVersionNotSupported:
			return ClassHTTP5xx, true
		case he.Status >= 500:
			return ClassHTTP5xx, false
		case he.Status >= 400:
			return ClassHTTP4xx, false
		default:
			return ClassHTTPOther, false
		}
	case errors.Is(err, ErrPrivateAddress):
		return ClassPrivateAddress, false
	case errors.Is(err, ErrRedirectLoop):
		return ClassRedirectLoop, false
	case errors.Is(err, ErrTooManyRedirects):
		return ClassTooManyRedirects, false
	case errors.Is(err, errTooLarge):
		return ClassTooLarge, false
	case errors.Is(err, ErrNotHTML):
		return ClassNotHTML, false
	case errors.Is(err, ErrRobots):
		return ClassRobots, false
	case errors.Is(err, ErrBadFeed):
		return ClassBadFeed, false
	case errors.Is(err, ErrBadURL):
		return ClassBadURL, false
	case errors.Is(err, errDecode):
		return ClassDecode, false
	case errors.Is(err, context.Canceled):
		return ClassInterrupted, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ClassTimeout, true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return ClassDNS, dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ClassTimeout, true
	}
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNABORTED):
		return ClassReset, true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ClassConnect, true
	}
	var te *tls.CertificateVerificationError
	var re tls.RecordHeaderError
	if errors.As(err, &te) || errors.As(err, &re) {
		return ClassTLS, false
	}
	if strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "server closed") {
		return ClassReset, true
	}
	return ClassNetwork, true
}
