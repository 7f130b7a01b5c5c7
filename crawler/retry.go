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
		if e := c.st.Finish(sctx, j.URL, ""); e != nil && !c.unusable(p, e) {
			c.log.Error("finish", "url", j.URL, "err", e)
		}
		p.unclaim(j.URL) // done: Seen answers for it, the claim map stays small
		p.scopeClose(j.URL, false)
		return
	case errors.Is(err, errDuplicate):
		p.add(func(s *Summary) { s.Duplicates++ })
		if e := c.st.Finish(sctx, j.URL, ""); e != nil && !c.unusable(p, e) {
			c.log.Error("finish", "url", j.URL, "err", e)
		}
		p.scopeClose(j.URL, false)
		return
	}
	if c.unusable(p, err) || ctx.Err() != nil {
		c.release(ctx, p, j)
		return
	}
	class, transient := outcomeClass(err)
	p.errClass(class, err)
	p.noteSeed(j.URL, false)
	c.logOutcome(ctx, j, class, err)
	var ru *RobotsUnavailableError
	waitsForRobots := errors.As(err, &ru)
	if transient && j.Attempts < c.cfg.MaxRetries && class == frontier.ClassTimeout && !waitsForRobots {
		// A hanging URL is not retried in this pass: it would hold its
		// host (and the pass) for another timeout. A later run tries it.
		at := time.Now().Add(c.cfg.TimeoutRetryDelay)
		p.mu.Lock()
		p.parked[j.URL] = at
		p.sum.Deferred++
		p.sum.Retries++
		p.mu.Unlock()
		p.scopeClose(j.URL, true)
		c.log.Info("timed out; retried in a later run", "url", j.URL, "attempt", j.Attempts+1, "not_before", at.UTC().Format(time.RFC3339))
		if e := c.st.Retry(sctx, j.URL, at, class); e != nil && !c.unusable(p, e) {
			c.log.Error("retry", "url", j.URL, "err", e)
		}
		return
	}
	if transient && j.Attempts < c.cfg.MaxRetries {
		wait := c.backoff(j.Attempts)
		var he *HTTPError
		if waitsForRobots {
			wait = max(time.Until(ru.Until), time.Second)
		} else if errors.As(err, &he) && he.RetryAfter > 0 {
			wait = he.RetryAfter
		}
		at := time.Now().Add(wait)
		if he != nil && he.RetryAfter > 0 {
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
		if e := c.st.Retry(sctx, j.URL, at, class); e != nil && !c.unusable(p, e) {
			c.log.Error("retry", "url", j.URL, "err", e)
		}
		return
	}
	p.add(func(s *Summary) { s.Failed++ })
	p.scopeClose(j.URL, false)
	c.log.Info("failed", "url", j.URL, "kind", j.Kind, "class", class, "err", err)
	if j.Kind != frontier.KindArticle {
		c.feedFailed(sctx, j.URL)
	}
	if e := c.st.Finish(sctx, j.URL, class); e != nil && !c.unusable(p, e) {
		c.log.Error("finish", "url", j.URL, "err", e)
	}
}

// outcomeClass is the error class of a job's outcome and whether it is
// worth retrying: the fetch error's class (classify), a PermanentError's
// class, or, for any other Handler error, process (transient). A
// cancellation that did not come from the pass (a handler's own) is
// transient too. Crawl and Ingest classify their outcomes with it alike.
func outcomeClass(err error) (class string, transient bool) {
	class, transient = classify(err)
	var pe *processError
	var perm *PermanentError
	switch {
	case errors.As(err, &perm):
		class, transient = perm.Class, false
	case errors.As(err, &pe):
		class, transient = frontier.ClassProcess, true
	}
	if class == frontier.ClassInterrupted {
		transient = true
	}
	return class, transient
}

// backoff is the exponential backoff with jitter before retry n+1.
func (c *Crawler) backoff(attempts int) time.Duration {
	d := float64(c.cfg.RetryBackoff) * math.Pow(2, float64(min(attempts, 16)))
	d = min(d, float64(c.cfg.MaxRetryWait))
	// Full jitter in [d/2, d).
	return time.Duration(d/2 + mrand.Float64()*d/2)
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
