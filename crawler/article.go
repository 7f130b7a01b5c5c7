package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// get fetches u for a job of kind: robots check, host concurrency and delay,
// the request, and a fetch-log record. With seenCheck a redirect to a URL that
// is already done stops with errDuplicate.
func (c *Crawler) get(ctx context.Context, p *pass, u string, kind frontier.Kind, hdr http.Header, seenCheck bool) (*response, error) {
	if err := c.mayAsk(ctx, p, u, kind); err != nil {
		return nil, err
	}
	host := frontier.HostOf(u)
	sem := c.hostSem(host)
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	res, err := c.waitSlot(ctx, host)
	if err != nil {
		<-sem
		return nil, err
	}
	if d := p.held(u); d > 0 {
		// A request answered while this one waited for its host asked us
		// to wait for u.
		c.settle(ctx, res)
		<-sem
		return nil, &HTTPError{Status: http.StatusTooManyRequests, RetryAfter: d, URL: u}
	}
	resp, err := c.f.fetch(ctx, u, hdr, c.hopCheck(p, seenCheck, &res))
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		// Recorded before the host is given back, so that a job waiting for
		// it with the same URL (or one redirecting there) sees the wait.
		at := time.Now().Add(he.RetryAfter)
		p.hold(u, at)
		if n, nerr := NormalizeURL(he.URL); nerr == nil && he.URL != "" {
			p.hold(n, at)
		}
	}
	c.settle(ctx, res)
	<-sem
	// Counted before the host is given back, so that the dispatcher sees a
	// host given up before it sends the host's next job.
	c.noteHost(p, host, classOf(err))
	c.logFetch(ctx, u, kind, resp, err, false)
	if err != nil {
		err = loggedError{err}
	}
	return resp, err
}

// mayAsk says whether u may be requested now: robots.txt allows it (a
// refusal is logged as a fetch), and no Retry-After it gave, reached
// through a redirect earlier, is running.
func (c *Crawler) mayAsk(ctx context.Context, p *pass, u string, kind frontier.Kind) error {
	ok, err := c.allowed(ctx, u, false)
	if err != nil {
		return fmt.Errorf("robots.txt for %s: %w", u, err)
	}
	if !ok {
		c.logFetch(ctx, u, kind, nil, ErrRobots, false)
		return loggedError{fmt.Errorf("%s: %w", u, ErrRobots)}
	}
	if d := p.held(u); d > 0 {
		return &HTTPError{Status: http.StatusTooManyRequests, RetryAfter: d, URL: u}
	}
	return nil
}

// hopCheck returns the check of each redirect hop of a get: the answered
// hop gives its host slot (*res) back, and the next one must be new (with
// seenCheck), not held by a Retry-After, allowed by robots.txt, and wait
// for its own host slot, kept in *res.
func (c *Crawler) hopCheck(p *pass, seenCheck bool, res *reservation) redirectHook {
	return func(ctx context.Context, next *url.URL) error {
		// The redirect is answered: the host is free again (and no hold
		// may be held while robots.txt of the target is fetched).
		c.settle(ctx, *res)
		*res = reservation{}
		n, err := NormalizeURL(next.String())
		if err != nil {
			return err
		}
		if seenCheck {
			if seen, err := c.st.Seen(ctx, n); err == nil && seen {
				// A target that failed for good fails this job the same
				// way; one that is done makes it a duplicate.
				if class, err := c.st.FailedClass(ctx, n); err == nil && class != "" {
					return Permanent(class, fmt.Errorf("redirect to %s, which failed for good (%s)", n, class))
				}
				return errDuplicate
			}
		}
		if d := p.held(n); d > 0 {
			// The target asked us to wait (Retry-After): so does this job.
			return &HTTPError{Status: http.StatusTooManyRequests, RetryAfter: d}
		}
		if ok, err := c.allowed(ctx, n, true); err != nil {
			return err
		} else if !ok {
			return ErrRobots
		}
		*res, err = c.waitSlot(ctx, frontier.HostOf(n))
		return err
	}
}

// loggedError is an error already recorded in the fetch log: get logs the
// exchange, and conclude logs the failures decided after it (a feed that
// does not parse, a page with no article, a handler error).
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// logOutcome records in the fetch log the failure of job j that no fetch
// record carries yet.
func (c *Crawler) logOutcome(ctx context.Context, j frontier.Job, class string, err error) {
	if errors.As(err, new(loggedError)) {
		return
	}
	rec := frontier.FetchRecord{URL: j.URL, Kind: j.Kind, ErrClass: class, Error: err.Error(), At: time.Now()}
	if e := c.st.LogFetch(context.WithoutCancel(ctx), rec); e != nil {
		c.log.Error("fetch log", "url", j.URL, "err", e)
	}
}

// logFetch appends one record to the fetch log.
func (c *Crawler) logFetch(ctx context.Context, u string, kind frontier.Kind, resp *response, err error, quiet bool) {
	rec := frontier.FetchRecord{URL: u, Kind: kind, At: time.Now()}
	if resp != nil {
		rec.Status = resp.Status
		rec.Duration = resp.Duration
		rec.Bytes = resp.WireBytes
	}
	switch {
	case err == nil, errors.Is(err, ErrNotModified):
	case errors.Is(err, errDuplicate):
		// Not an error: the redirect led to a page handled already.
		rec.Error = err.Error()
	default:
		rec.ErrClass, _ = classify(err)
		rec.Error = err.Error()
	}
	if e := c.st.LogFetch(context.WithoutCancel(ctx), rec); e != nil {
		c.log.Error("fetch log", "url", u, "err", e)
	}
	if !quiet {
		c.log.Debug("fetch", "url", u, "kind", kind, "status", rec.Status, "class", rec.ErrClass, "dur", rec.Duration)
	}
}

// article fetches an article job and hands it to the handler; hostDone is
// called once the request is answered. (An ingested article goes through
// handlePoll and handleArticle.)
func (c *Crawler) article(ctx context.Context, p *pass, j frontier.Job, hostDone func()) error {
	if cu, ok := ampCanonical(j.URL); ok {
		if seen, err := c.st.Seen(ctx, cu); err == nil && seen {
			return errDuplicate
		}
	}
	resp, err := c.get(ctx, p, j.URL, frontier.KindArticle, nil, true)
	hostDone()
	if err != nil {
		return err
	}
	return c.handleArticle(ctx, p, j, resp, false)
}

// handleArticle checks a fetched article response, maps its aliases and calls
// the handler.
func (c *Crawler) handleArticle(ctx context.Context, p *pass, j frontier.Job, resp *response, ingest bool) error {
	if !isHTMLType(resp.Header.Get("Content-Type"), resp.Body) || looksBinary(resp.Body) {
		err := fmt.Errorf("%s: %w: %q", j.URL, ErrNotHTML, resp.Header.Get("Content-Type"))
		c.logFetch(ctx, j.URL, frontier.KindArticle, resp, err, true)
		return loggedError{err}
	}
	p.add(func(s *Summary) { s.PagesFetched++ })
	final, _ := NormalizeURL(resp.FinalURL)
	pi := scanHTML(resp.Body, resp.FinalURL)
	var aliases []string
	if final != "" && final != j.URL {
		aliases = append(aliases, final)
	}
	if pi.Canonical != "" && pi.Canonical != j.URL && pi.Canonical != final && sameSite(pi.Canonical, j.URL) && !isSiteRoot(pi.Canonical) {
		aliases = append(aliases, pi.Canonical)
	}
	var claimed []string
	if !ingest {
		for _, a := range append([]string{j.URL}, aliases...) {
			seen, err := c.st.Seen(ctx, a)
			if err != nil {
				return fmt.Errorf("seen %s: %w", a, err)
			}
			if seen || !p.claim(a) {
				for _, u := range claimed {
					p.unclaim(u)
				}
				return errDuplicate
			}
			claimed = append(claimed, a)
		}
		if pi.AMP && pi.Canonical != "" && pi.Canonical != j.URL && sameSite(pi.Canonical, j.URL) && !isSiteRoot(pi.Canonical) {
			// An AMP page: fetch the canonical article instead.
			for _, u := range claimed {
				p.unclaim(u)
			}
			added, err := c.st.Enqueue(ctx, []frontier.Job{{URL: pi.Canonical, Host: frontier.HostOf(pi.Canonical), Kind: frontier.KindArticle, NotBefore: time.Now(), Item: j.Item}})
			if err != nil {
				return fmt.Errorf("enqueue canonical: %w", err)
			}
			p.add(func(s *Summary) { s.Enqueued += added })
			p.scopeAdd(pi.Canonical)
			return errDuplicate
		}
	}
	if p.h != nil {
		f := Fetched{Job: j, URL: j.URL, FinalURL: resp.FinalURL, Status: resp.Status, Header: resp.Header,
			Body: resp.Body, FetchedAt: time.Now(), Item: j.Item}
		if err := p.h(ctx, f); err != nil {
			for _, u := range claimed {
				p.unclaim(u)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &processError{err: err}
		}
	}
	p.add(func(s *Summary) { s.PagesStored++ })
	// The aliases are the same article: mark them done so they are never
	// fetched on their own.
	sctx := context.WithoutCancel(ctx)
	if len(aliases) > 0 {
		jobs := make([]frontier.Job, len(aliases))
		for i, a := range aliases {
			jobs[i] = frontier.Job{URL: a, Host: frontier.HostOf(a), Kind: frontier.KindArticle}
		}
		if _, err := c.st.Enqueue(sctx, jobs); err != nil {
			return fmt.Errorf("enqueue aliases: %w", err)
		}
		for _, a := range aliases {
			if err := c.st.Finish(sctx, a, ""); err != nil {
				return fmt.Errorf("finish alias %s: %w", a, err)
			}
			p.unclaim(a) // Seen answers for it from now on
		}
	}
	return nil
}

// isSiteRoot reports whether u is a site's home page. An article whose
// rel=canonical names the home page (a common CMS misconfiguration, often
// site-wide) is not an alias of it: taking it for one would drop every other
// article that says the same as a duplicate.
func isSiteRoot(u string) bool {
	pu, err := url.Parse(u)
	return err == nil && (pu.Path == "" || pu.Path == "/") && pu.RawQuery == ""
}
