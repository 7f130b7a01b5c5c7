package crawler

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

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

// classify maps an error to its class and whether it is worth retrying:
// the one classification of every fetch error and job outcome, Crawl's and
// Ingest's alike. A PermanentError keeps its class and is not retried; any
// other Handler error is process (transient); a cancellation that did not
// come from the pass (a handler's own) is interrupted, transient.
func classify(err error) (class string, transient bool) {
	var he *HTTPError
	var perm *PermanentError
	var pe *processError
	var ru *RobotsUnavailableError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &perm):
		return perm.Class, false
	case errors.As(err, &pe):
		return frontier.ClassProcess, true
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
	return classifyNet(err)
}

// classifyNet classifies the errors below HTTP: DNS, timeouts, resets,
// refused connections, TLS, and what net/http reports only as text.
func classifyNet(err error) (class string, transient bool) {
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

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.ECONNRESET)
}

// classOf is the class of an error (see classify).
func classOf(err error) string {
	class, _ := classify(err)
	return class
}

// PermanentError is a Handler error that another fetch would not change (a
// page with no article, say): the job fails at once with Class instead of
// being retried.
type PermanentError struct {
	Class string
	Err   error
}

// Permanent marks a Handler error as permanent, recorded with class.
func Permanent(class string, err error) error { return &PermanentError{Class: class, Err: err} }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// processError wraps a Handler error.
type processError struct{ err error }

func (e *processError) Error() string { return "handler: " + e.err.Error() }
func (e *processError) Unwrap() error { return e.err }
