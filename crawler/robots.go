package crawler

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// maxRobotsBytes bounds a robots.txt body (Google reads 500 KiB).
const maxRobotsBytes = 512 << 10

// robotsErrorTTL is how long a robots.txt that could not be fetched (5xx,
// network error) keeps its host disallowed before the next try.
const robotsErrorTTL = 10 * time.Minute

// hostRobots is the in-process view of one host's robots.txt.
type hostRobots struct {
	mu      sync.Mutex // held while loading, so one fetch per host
	loaded  bool
	data    *robotstxt.RobotsData
	expires time.Time
	// unavailable: the robots.txt did not answer (5xx, network error); the
	// host is off limits until expires, and its URLs wait for then.
	unavailable bool
	// cause is why it did not answer, when this process asked (nil when
	// the failure was read from State's cache).
	cause error
}

// RobotsUnavailableError says a host's robots.txt could not be fetched (a
// 5xx answer or a network error): RFC 9309 has the host treated as
// disallowed for now, so its URLs are retried after Until, not failed.
// Cause, when known, is the root cause (a DNS failure, an untrusted
// certificate, a refused connection, an HTTP error): the error class of the
// URLs that wait is the cause's when it is a network one (dns, tls,
// connect, timeout...), robots_unavailable otherwise.
type RobotsUnavailableError struct {
	Host  string
	Until time.Time
	Cause error
}

func (e *RobotsUnavailableError) Error() string {
	msg := "robots.txt of " + e.Host + " unavailable, retried after " + e.Until.UTC().Format(time.RFC3339)
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the root cause, if known.
func (e *RobotsUnavailableError) Unwrap() error { return e.Cause }

// class is the error class of a URL waiting for the unavailable robots.txt:
// the cause's, for a failure below HTTP, else robots_unavailable.
func (e *RobotsUnavailableError) class() string {
	if e.Cause == nil || errors.As(e.Cause, new(*HTTPError)) {
		return frontier.ClassRobotsUnavailable
	}
	if class, _ := classify(e.Cause); class != "" {
		return class
	}
	return frontier.ClassRobotsUnavailable
}

// robotsEntry returns the in-process cache entry for host.
func (c *Crawler) robotsEntry(host string) *hostRobots {
	c.mu.Lock()
	defer c.mu.Unlock()
	hr, ok := c.robots[host]
	if !ok {
		hr = &hostRobots{}
		c.robots[host] = hr
	}
	return hr
}

// robotsFor returns host's parsed robots.txt, loading it from State or the
// web when needed. scheme is used to fetch it.
//
// A robots.txt that did not answer gives a *RobotsUnavailableError.
func (c *Crawler) robotsFor(ctx context.Context, scheme, host string, inRedirect bool) (*robotstxt.RobotsData, error) {
	hr := c.robotsEntry(host)
	hr.mu.Lock()
	defer hr.mu.Unlock()
	now := time.Now()
	if hr.loaded && now.Before(hr.expires) {
		if hr.unavailable {
			return nil, &RobotsUnavailableError{Host: host, Until: hr.expires, Cause: hr.cause}
		}
		return hr.data, nil
	}
	body, status, fetched, ok, err := c.st.Robots(ctx, host)
	if err != nil {
		return nil, err
	}
	ttl := c.cfg.RobotsTTL
	if ok && (status == 0 || status >= 500) {
		ttl = robotsErrorTTL
		if c.forceRobots.Load() {
			ttl = 0 // a forced crawl asks again (once per process: hr caches it)
		}
	}
	var cause error
	if !ok || now.After(fetched.Add(ttl)) {
		body, status, cause = c.fetchRobots(ctx, scheme, host, inRedirect)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		fetched = time.Now()
		if err := c.st.SaveRobots(ctx, host, body, status, fetched); err != nil {
			return nil, err
		}
		ttl = c.cfg.RobotsTTL
		if status == 0 || status >= 500 {
			ttl = robotsErrorTTL
		}
	}
	var data *robotstxt.RobotsData
	if status == 0 || status >= 500 {
		// Unreachable or failing: disallowed for now (RFC 9309 2.3.1.4),
		// and the host's URLs wait until the next try.
		hr.data, hr.loaded, hr.expires, hr.unavailable, hr.cause = nil, true, fetched.Add(ttl), true, cause
		return nil, &RobotsUnavailableError{Host: host, Until: hr.expires, Cause: cause}
	} else {
		data, err = robotstxt.FromStatusAndBytes(status, body)
		if err != nil || data == nil {
			// Unparseable robots.txt: treat as no restrictions (RFC 9309 2.2.2
			// parsers ignore invalid lines), logged once.
			c.log.Warn("unparseable robots.txt, allowing all", "host", host, "err", err)
			data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
		}
	}
	hr.data, hr.loaded, hr.expires, hr.unavailable, hr.cause = data, true, fetched.Add(ttl), false, nil
	if d := c.crawlDelay(data); d > c.cfg.Delay {
		c.setHostDelay(host, d)
	}
	return data, nil
}

// fetchRobots GETs robots.txt politely; status 0 means no answer, and err
// then says why (for a 5xx answer, err is the HTTPError). It takes
// the host's semaphore like any request, except inside a redirect, whose
// worker holds a semaphore already (taking a second could deadlock); there
// only the host's slot spaces it.
func (c *Crawler) fetchRobots(ctx context.Context, scheme, host string, inRedirect bool) ([]byte, int, error) {
	u := scheme + "://" + host + "/robots.txt"
	if !inRedirect {
		// Bounded: a worker in a redirect may hold this semaphore while it
		// waits for the robots.txt lock we hold; after the timeout we go on
		// with the host's slot alone.
		sem := c.hostSem(host)
		t := time.NewTimer(c.cfg.Timeout)
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, 0, ctx.Err()
		}
		t.Stop()
	}
	res, err := c.waitSlot(ctx, host)
	if err != nil {
		return nil, 0, err
	}
	hook := func(ctx context.Context, next *url.URL) error {
		c.settle(ctx, res)
		res = reservation{}
		var err error
		res, err = c.waitSlot(ctx, strings.ToLower(next.Host))
		return err
	}
	f := *c.f
	f.cfg.MaxBodyBytes = maxRobotsBytes
	f.keepPrefix = true
	resp, err := f.fetch(ctx, u, http.Header{"Accept": {acceptRobots}}, hook)
	if err == nil && res.host == host {
		// From now on the host's Crawl-delay applies, to the gap after this
		// request too.
		if data, perr := robotstxt.FromStatusAndBytes(resp.Status, resp.Body); perr == nil {
			if d := c.crawlDelay(data); d > c.cfg.Delay {
				c.setHostDelay(host, d)
			}
		}
	}
	c.settle(ctx, res)
	c.logFetch(ctx, u, frontier.KindHome, resp, err, true)
	var he *HTTPError
	var tl *tooLargeError
	switch {
	case err == nil:
		return resp.Body, resp.Status, nil
	case errors.As(err, &he):
		return nil, he.Status, he
	case errors.As(err, &tl):
		// Google reads the first 500 KiB and ignores the rest: so do we,
		// cut at the last whole line.
		prefix := tl.prefix
		if i := bytes.LastIndexByte(prefix, '\n'); i >= 0 {
			prefix = prefix[:i+1]
		}
		return prefix, http.StatusOK, nil
	case classOf(err) == frontier.ClassTooLarge:
		// Headers over the limit: nothing to read, allow all.
		return nil, http.StatusNotFound, nil
	case errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrRedirectLoop), errors.Is(err, ErrTooManyRedirects):
		return nil, http.StatusNotFound, nil
	default:
		return nil, 0, err
	}
}

// crawlDelay is the Crawl-delay of our group, capped at one minute.
func (c *Crawler) crawlDelay(data *robotstxt.RobotsData) time.Duration {
	if data == nil || c.cfg.IgnoreRobots {
		return 0
	}
	g := data.FindGroup(c.agent)
	if g == nil {
		return 0
	}
	return min(g.CrawlDelay, time.Minute)
}

// allowed reports whether robots.txt lets us fetch the normalised URL u;
// inRedirect says the caller is following a redirect (see fetchRobots).
func (c *Crawler) allowed(ctx context.Context, u string, inRedirect bool) (bool, error) {
	if c.cfg.IgnoreRobots {
		return true, nil
	}
	pu, err := url.Parse(u)
	if err != nil {
		return false, err
	}
	if pu.Path == "/robots.txt" {
		return true, nil
	}
	data, err := c.robotsFor(ctx, pu.Scheme, pu.Host, inRedirect)
	if err != nil {
		return false, err
	}
	path := pu.EscapedPath()
	if pu.RawQuery != "" {
		path += "?" + pu.RawQuery
	}
	return data.TestAgent(path, c.agent), nil
}

// robotsSitemaps returns the Sitemap: lines of host's robots.txt, if loaded.
func (c *Crawler) robotsSitemaps(host string) []string {
	hr := c.robotsEntry(host)
	hr.mu.Lock()
	defer hr.mu.Unlock()
	if hr.data == nil {
		return nil
	}
	var out []string
	for _, s := range hr.data.Sitemaps {
		if n, err := NormalizeURL(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// agentToken is the product token of a User-Agent, matched in robots.txt.
func agentToken(ua string) string {
	t := ua
	if i := strings.IndexAny(t, "/ "); i > 0 {
		t = t[:i]
	}
	return strings.ToLower(t)
}
