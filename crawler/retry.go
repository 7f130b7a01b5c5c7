package crawler

import (
	"context"
	"errors"
	"math"
	mrand "math/rand/v2"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// errDuplicate says the job's article was already handled under another URL.
var errDuplicate = errors.New("crawler: duplicate of a handled url")

// errHandled says the job was dealt with and finished already.
var errHandled = errors.New("crawler: handled")

// conclude finishes or retries job j after its outcome err.
//
// An error that says the State is unusable ends the pass instead: the job
// is neither retried nor failed (its page is not at fault). A request that
// timed out is retried in a later run, not in this pass (TimeoutRetryDelay),
// and MaxHostTimeouts of them in a row leave the host's other URLs for
// later too.
func (c *Crawler) conclude(ctx context.Context, p *pass, j frontier.Job, err error) {
	sctx := context.WithoutCancel(ctx)
	// Before the write that makes the job leasable again: a lease the
	// dispatcher gets for it from now on is a new one.
	p.dropLease(j.URL)
	switch {
	case err == nil, errors.Is(err, errHandled):
		p.noteSeed(j.URL, true)
		c.finish(sctx, p, j.URL, "")
		p.unclaim(j.URL) // done: Seen answers for it, the claim map stays small
		p.scopeClose(j.URL, false)
		return
	case errors.Is(err, errDuplicate):
		p.add(func(s *Summary) { s.Duplicates++ })
		c.finish(sctx, p, j.URL, "")
		p.scopeClose(j.URL, false)
		return
	}
	if c.unusable(p, err) || ctx.Err() != nil {
		c.release(ctx, p, j)
		return
	}
	class, transient := classify(err)
	p.errClass(class, err)
	p.noteSeed(j.URL, false)
	c.logOutcome(ctx, j, class, err)
	waitsForRobots := errors.As(err, new(*RobotsUnavailableError))
	switch {
	case transient && j.Attempts < c.cfg.MaxRetries && class == frontier.ClassTimeout && !waitsForRobots:
		c.retryNextRun(sctx, p, j, class)
	case transient && j.Attempts < c.cfg.MaxRetries:
		c.retry(sctx, p, j, class, err, waitsForRobots)
	default:
		p.add(func(s *Summary) { s.Failed++ })
		p.scopeClose(j.URL, false)
		c.log.Info("failed", "url", j.URL, "kind", j.Kind, "class", class, "err", err)
		if j.Kind != frontier.KindArticle {
			c.feedFailed(sctx, j.URL)
		}
		c.finish(sctx, p, j.URL, class)
	}
}

// finish marks u done (class "") or failed for good with class.
func (c *Crawler) finish(ctx context.Context, p *pass, u, class string) {
	if err := c.st.Finish(ctx, u, class); err != nil && !c.unusable(p, err) {
		c.log.Error("finish", "url", u, "err", err)
	}
}

// retryNextRun puts back a job whose request timed out, for a later run
// (TimeoutRetryDelay): retried in this pass, a hanging URL would hold its
// host (and the pass) for another timeout.
func (c *Crawler) retryNextRun(ctx context.Context, p *pass, j frontier.Job, class string) {
	at := time.Now().Add(c.cfg.TimeoutRetryDelay)
	p.mu.Lock()
	p.parked[j.URL] = at
	p.sum.Deferred++
	p.sum.Retries++
	p.mu.Unlock()
	p.scopeClose(j.URL, true)
	c.log.Info("timed out; retried in a later run", "url", j.URL, "attempt", j.Attempts+1, "not_before", at.UTC().Format(time.RFC3339))
	if e := c.st.Retry(ctx, j.URL, at, class); e != nil && !c.unusable(p, e) {
		c.log.Error("retry", "url", j.URL, "err", e)
	}
}

// retry puts back a job that failed with a transient error after its
// retryWait: in this pass unless the wait is over MaxRetryWait. A
// Retry-After holds the URL (and the redirect target that gave it) for the
// pass, unless the job waits for robots.txt.
func (c *Crawler) retry(ctx context.Context, p *pass, j frontier.Job, class string, err error, waitsForRobots bool) {
	wait := c.retryWait(j.Attempts, err)
	at := time.Now().Add(wait)
	var he *HTTPError
	if !waitsForRobots && errors.As(err, &he) && he.RetryAfter > 0 {
		p.hold(j.URL, at)
		if n, err := NormalizeURL(he.URL); err == nil && he.URL != "" {
			p.hold(n, at) // the redirect target that asked us to wait
		}
	}
	if wait > c.cfg.MaxRetryWait {
		p.mu.Lock()
		p.parked[j.URL] = at
		p.mu.Unlock()
		p.scopeClose(j.URL, true)
	} else {
		p.schedule(j.URL, at)
	}
	p.add(func(s *Summary) { s.Retries++ })
	c.log.Debug("retry", "url", j.URL, "class", class, "attempt", j.Attempts+1, "wait", wait, "err", err)
	if e := c.st.Retry(ctx, j.URL, at, class); e != nil && !c.unusable(p, e) {
		c.log.Error("retry", "url", j.URL, "err", e)
	}
}

// retryWait is how long to wait before retrying after err, attempts tries
// made: until the robots.txt it waits for may be asked again, the server's
// Retry-After, or else the exponential backoff. Crawl's retries and
// Ingest's inline retries of its inputs both wait by it.
func (c *Crawler) retryWait(attempts int, err error) time.Duration {
	var ru *RobotsUnavailableError
	var he *HTTPError
	switch {
	case errors.As(err, &ru):
		return max(time.Until(ru.Until), time.Second)
	case errors.As(err, &he) && he.RetryAfter > 0:
		return he.RetryAfter
	}
	return c.backoff(attempts)
}

// backoff is the exponential backoff with jitter before retry n+1.
func (c *Crawler) backoff(attempts int) time.Duration {
	d := float64(c.cfg.RetryBackoff) * math.Pow(2, float64(min(attempts, 16)))
	d = min(d, float64(c.cfg.MaxRetryWait))
	// Full jitter in [d/2, d).
	return time.Duration(d/2 + mrand.Float64()*d/2)
}
