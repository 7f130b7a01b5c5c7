package crawler

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// guessKind guesses what a seed URL is; the body decides in the end, except
// that a URL guessed to be a feed or sitemap must not answer HTML.
func guessKind(u string) frontier.Kind {
	l := strings.ToLower(u)
	switch {
	case strings.Contains(l, "sitemap") || strings.HasSuffix(l, ".xml.gz"):
		return frontier.KindSitemap
	case strings.Contains(l, "rss") || strings.Contains(l, "feed") || strings.Contains(l, "atom") ||
		strings.HasSuffix(l, ".xml") || strings.HasSuffix(l, ".json"):
		return frontier.KindFeed
	}
	return frontier.KindHome
}

// Crawl runs one pass: it enqueues the seeds, polls those that are due (all of
// them with force), enqueues the new article URLs they list, and fetches the
// frontier until nothing is left that is due within the pass. It returns when
// the pass is done or ctx is cancelled (then with ctx's error); a cancelled
// pass loses nothing, the next one resumes. Seeds are URLs (see ReadSeeds).
func (c *Crawler) Crawl(ctx context.Context, seeds []string, force bool, h Handler) (Summary, error) {
	p := newPass(force, h)
	now := time.Now()
	var jobs []frontier.Job
	var urls []string
	for _, s := range seeds {
		u, err := NormalizeURL(s)
		if err != nil {
			c.log.Warn("bad seed", "seed", s, "err", err)
			p.errClass(frontier.ClassBadURL, err)
			continue
		}
		jobs = append(jobs, frontier.Job{URL: u, Host: frontier.HostOf(u), Kind: guessKind(u), NotBefore: now})
		urls = append(urls, u)
		p.seeds[u] = true
	}
	if force {
		// --force retries the seeds whose robots.txt failed now, too.
		c.forceRobots.Store(true)
		defer c.forceRobots.Store(false)
	}
	if _, err := c.st.Enqueue(ctx, jobs); err != nil {
		return p.summary(), fmt.Errorf("crawl: enqueue seeds: %w", err)
	}
	due, err := c.dueFeeds(ctx, urls, now, force)
	if err != nil {
		return p.summary(), fmt.Errorf("crawl: %w", err)
	}
	if err := c.st.Requeue(ctx, due, now); err != nil {
		return p.summary(), fmt.Errorf("crawl: requeue seeds: %w", err)
	}
	c.log.Info("crawl pass", "seeds", len(urls), "due", len(due), "force", force)
	err = c.run(ctx, p)
	s := p.summary()
	return s, err
}

// dueFeeds returns the feeds among urls that are due for a poll.
func (c *Crawler) dueFeeds(ctx context.Context, urls []string, now time.Time, force bool) ([]string, error) {
	var due []string
	for _, u := range urls {
		fs, ok, err := c.st.Feed(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("feed state %s: %w", u, err)
		}
		// A feed never polled to the end is new (just enqueued), queued, or
		// waiting for a retry: requeueing it would cut its retry wait short,
		// which only force does (a failed or waiting seed is asked again).
		if force || (ok && !now.Before(fs.NextPoll)) {
			due = append(due, u)
		}
	}
	return due, nil
}

// runPass leases and processes frontier jobs until the pass is over (see
// run, which ends it early on a fatal error or at MaxPassDuration).
//
// Leased jobs wait in per-host queues (at most a few per worker) and go to a
// worker only while their host has fewer than PerHostParallelism requests in
// flight here, so that a run of one host's URLs in the frontier does not park
// every worker behind that host. A job holds its host's place until its
// request is answered (see freeHost), not while it is cleaned and stored: the
// host's next page is fetched while this one is handled.
func (c *Crawler) runPass(ctx context.Context, p *pass) error {
	// A result frees a host slot (host set) when the job's request is
	// answered, and ends the job (url set) when it is handled.
	type result struct{ host, url string }
	work := make(chan frontier.Job)
	// Each in-flight job reports at most twice; at most Workers are in
	// flight, so sends never block.
	finished := make(chan result, 2*c.cfg.Workers)
	var wg sync.WaitGroup
	for range c.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				freed := false
				free := func() {
					if !freed {
						freed = true
						finished <- result{host: j.Host}
					}
				}
				c.process(context.WithValue(ctx, hostFreeKey{}, free), p, j)
				c.reportProgress(ctx, p)
				free()
				finished <- result{url: j.URL}
			}
		}()
	}
	queues := map[string][]frontier.Job{}
	busy := map[string]int{}
	buffered, inflight := 0, 0
	maxBuffered := max(4*c.cfg.Workers, 32)
	defer func() {
		close(work)
		wg.Wait()
		for _, q := range queues {
			for _, j := range q {
				c.release(ctx, p, j)
			}
		}
		c.releaseLeftover(ctx, p)
		if p.scope != nil {
			open, parked := p.scopeCounts()
			p.add(func(s *Summary) { s.Left = open + parked })
		} else if n, err := c.st.Pending(context.WithoutCancel(ctx), time.Time{}); err == nil {
			p.add(func(s *Summary) { s.Left = n })
		}
	}()
	account := func(r result) {
		if r.host != "" {
			busy[r.host]--
		}
		if r.url != "" {
			inflight--
		}
	}
	drain := func(block bool, wait time.Duration) error {
		if block {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case r := <-finished:
				account(r)
			case <-t.C:
				return nil
			}
		}
		for {
			select {
			case r := <-finished:
				account(r)
			default:
				return nil
			}
		}
	}
	idleSince := time.Now()
	var lastPrune time.Time
	lastRenew := time.Now()
	waitLogged := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := drain(false, 0); err != nil {
			return err
		}
		if time.Since(lastRenew) >= c.cfg.LeaseTTL/3 {
			// The heartbeat of our leases, queued here or in flight.
			lastRenew = time.Now()
			c.renewLeases(ctx, p)
		}
		// Dispatch what a free worker and a free host slot allow.
		for h, q := range queues {
			if p.hostGivenUp(h) {
				// Its requests time out: what we hold of it waits for a
				// later run.
				c.leaveForLater(ctx, p, q)
				buffered -= len(q)
				delete(queues, h)
				continue
			}
			for len(q) > 0 && inflight < c.cfg.Workers && busy[h] < c.cfg.PerHostParallelism {
				select {
				case work <- q[0]:
				case <-ctx.Done():
					return ctx.Err()
				}
				q = q[1:]
				busy[h]++
				inflight++
				buffered--
			}
			if len(q) == 0 {
				delete(queues, h)
			} else {
				queues[h] = q
			}
		}
		now := time.Now()
		// Lease in batches, refilling below half the buffer: a Lease is a
		// write transaction in the store, worth amortising.
		if buffered <= maxBuffered/2 {
			var jobs []frontier.Job
			var err error
			if p.scope == nil {
				jobs, err = c.st.Lease(ctx, c.owner, maxBuffered-buffered, now, c.cfg.LeaseTTL)
			} else if open := p.scopeOpen(now, true); len(open) > 0 {
				// An ingest leases only what its inputs led to.
				jobs, err = c.st.LeaseURLs(ctx, c.owner, open, maxBuffered-buffered, now, c.cfg.LeaseTTL)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("crawl: lease: %w", err)
			}
			added := 0
			if len(jobs) > 0 {
				idleSince, waitLogged = now, false
				var later []frontier.Job
				for _, j := range jobs {
					if !p.takeLease(j.URL) {
						// Still queued here or in flight: the store
						// renewed our lease.
						continue
					}
					if j.Host == "" {
						j.Host = frontier.HostOf(j.URL)
					}
					if p.hostGivenUp(j.Host) {
						later = append(later, j)
						continue
					}
					added++
					queues[j.Host] = append(queues[j.Host], j)
					buffered++
				}
				c.leaveForLater(ctx, p, later)
			}
			if added > 0 {
				continue
			}
		}
		if inflight == 0 && buffered == 0 && p.scope != nil {
			// An ingest is done when every URL of its scope is concluded.
			// URLs we scheduled later keep it going; the others may have
			// been finished by another process (checked at most once a
			// second), or be leased by one, waited for as below.
			if _, ok, _ := p.nextOwn(now); !ok {
				if now.Sub(lastPrune) >= time.Second {
					lastPrune = now
					if err := c.pruneScope(ctx, p); err != nil {
						if ctx.Err() != nil {
							return ctx.Err()
						}
						return fmt.Errorf("ingest: %w", err)
					}
				}
				open, parked := p.scopeCounts()
				if open == 0 {
					if parked > 0 {
						c.log.Info("pass done; jobs left for a later run", "left", parked)
					}
					return nil
				}
				if now.Sub(idleSince) > c.cfg.LeaseTTL+time.Second {
					c.log.Warn("pass done; jobs still leased or due later", "left", open+parked)
					return nil
				}
			}
		} else if inflight == 0 && buffered == 0 {
			// Work of this pass: leased jobs, and queued jobs due before a
			// wait this pass would sit out (a job due tomorrow is not).
			pending, err := c.st.Pending(ctx, now.Add(c.cfg.MaxRetryWait))
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("crawl: pending: %w", err)
			}
			if pending == 0 {
				return nil
			}
			_, ok, parked := p.nextOwn(now)
			if !ok && pending <= parked {
				c.log.Info("pass done; jobs left for a later run", "left", pending)
				return nil
			}
			// Jobs of another (or a crashed) process are waited for until
			// their leases must have expired.
			if !ok && now.Sub(idleSince) > c.cfg.LeaseTTL+time.Second {
				c.log.Warn("pass done; jobs still leased or due later", "left", pending)
				return nil
			}
			if !ok && !waitLogged && now.Sub(idleSince) > time.Second {
				waitLogged = true
				c.log.Info("waiting for jobs leased by another crawler (or due soon); at most lease_ttl",
					"jobs", pending-parked, "lease_ttl", c.cfg.LeaseTTL.String())
			}
		}
		wait := 200 * time.Millisecond
		if buffered > maxBuffered/2 {
			wait = time.Second // only a finished job can free a slot
		} else if next, ok, _ := p.nextOwn(time.Now()); ok {
			wait = min(max(time.Until(next), 2*time.Millisecond), wait)
		}
		if inflight == 0 && buffered > 0 {
			wait = 2 * time.Millisecond // cannot happen: a queued job has a free host
		}
		if err := drain(true, wait); err != nil {
			return err
		}
	}
}

// pruneScope concludes the open URLs of p's scope that are done or failed
// (by another process, or as the alias of a page handled here).
func (c *Crawler) pruneScope(ctx context.Context, p *pass) error {
	for _, u := range p.scopeOpen(time.Time{}, false) {
		seen, err := c.st.Seen(ctx, u)
		if err != nil {
			return fmt.Errorf("seen %s: %w", u, err)
		}
		if seen {
			p.scopeClose(u, false)
		}
	}
	return nil
}

// reportProgress calls the progress hook, refreshing the pending count at
// most twice a second.
func (c *Crawler) reportProgress(ctx context.Context, p *pass) {
	p.mu.Lock()
	p.done++
	done := p.done
	p.mu.Unlock()
	pp := c.progress.Load()
	if pp == nil {
		return
	}
	now := time.Now().UnixNano()
	if now-p.lastPendingAt.Load() > int64(500*time.Millisecond) {
		p.lastPendingAt.Store(now)
		if p.scope != nil {
			open, _ := p.scopeCounts()
			p.lastPending.Store(int64(open))
		} else if n, err := c.st.Pending(ctx, time.Now().Add(c.cfg.MaxRetryWait)); err == nil {
			p.lastPending.Store(int64(n))
		}
	}
	(*pp)(done, int(p.lastPending.Load()))
}

// release gives a leased job back after an interruption (or the end of the
// pass's time), due now and without counting an attempt, so the next run
// does not have to wait for the lease to expire. Best effort.
func (c *Crawler) release(ctx context.Context, p *pass, j frontier.Job) {
	p.dropLease(j.URL)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.st.Postpone(rctx, c.owner, []string{j.URL}, time.Now()); err != nil {
		c.log.Debug("release lease", "url", j.URL, "err", err)
	}
}

// releaseLeftover gives back, due now, any job the pass still holds a lease
// on once its workers are done: none, unless a path that ends a job forgot
// to conclude it. Every job a pass leases ends it done, failed, retried or
// postponed, never leased.
func (c *Crawler) releaseLeftover(ctx context.Context, p *pass) {
	urls := p.leasedURLs()
	if len(urls) == 0 {
		return
	}
	c.log.Warn("jobs still leased at the end of the pass; given back", "jobs", len(urls))
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.st.Postpone(rctx, c.owner, urls, time.Now()); err != nil && !c.unusable(p, err) {
		c.log.Error("give back leases", "jobs", len(urls), "err", err)
	}
	for _, u := range urls {
		p.dropLease(u)
	}
}

// process handles one leased job; every outcome ends in Finish or Retry
// (or, when interrupted, a release).
func (c *Crawler) process(ctx context.Context, p *pass, j frontier.Job) {
	if ctx.Err() != nil {
		c.release(ctx, p, j)
		return
	}
	if j.Kind == frontier.KindArticle {
		err := c.article(ctx, p, j, false)
		c.conclude(ctx, p, j, err)
		return
	}
	p.mu.Lock()
	p.touched[j.URL] = true
	p.mu.Unlock()
	err := c.poll(ctx, p, j)
	c.conclude(ctx, p, j, err)
}

// hostFreeKey carries, in a job's context, the func that gives the job's host
// place back to run's dispatcher.
type hostFreeKey struct{}

// freeHost tells run's dispatcher that the job of ctx is done with its host:
// its request was answered. Calling it again does nothing.
func freeHost(ctx context.Context) {
	if f, ok := ctx.Value(hostFreeKey{}).(func()); ok {
		f()
	}
}
