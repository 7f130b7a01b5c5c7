package crawler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

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
// run, which ends it early on a fatal error or at MaxPassDuration): a
// dispatcher in this goroutine leases jobs and hands them to Workers
// workers, which it owns through an errgroup as restic's archiver does.
// When the dispatcher returns, the workers finish the jobs they hold, and
// what is still queued here is given back.
func (c *Crawler) runPass(ctx context.Context, p *pass) error {
	d := c.newDispatcher(p)
	var wg errgroup.Group
	d.startWorkers(ctx, &wg)
	err := d.loop(ctx)
	close(d.work)
	if werr := wg.Wait(); werr != nil && err == nil {
		err = werr
	}
	d.finish(ctx)
	return err
}

// startWorkers starts the pass's workers in wg: each processes the jobs it
// is sent until work is closed or ctx ends.
func (d *dispatcher) startWorkers(ctx context.Context, wg *errgroup.Group) {
	for range d.c.cfg.Workers {
		wg.Go(func() error {
			for {
				select {
				case <-ctx.Done():
					return nil
				case j, ok := <-d.work:
					if !ok {
						return nil
					}
					d.runJob(ctx, j)
				}
			}
		})
	}
}

// runJob processes job j in a worker and tells the dispatcher when its host
// is free (when its request is answered, or at the latest when it is over)
// and when it is over.
func (d *dispatcher) runJob(ctx context.Context, j frontier.Job) {
	freed := false
	hostDone := func() {
		if !freed {
			freed = true
			d.send(ctx, jobEvent{host: j.Host})
		}
	}
	d.c.process(ctx, d.p, j, hostDone)
	d.c.reportProgress(ctx, d.p)
	hostDone()
	d.send(ctx, jobEvent{url: j.URL})
}

// send tells the dispatcher ev, unless the pass is over.
func (d *dispatcher) send(ctx context.Context, ev jobEvent) {
	select {
	case d.events <- ev:
	case <-ctx.Done():
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

// releaseTimeout bounds the store write that gives a job back after an
// interruption: the process is on its way out.
const releaseTimeout = 5 * time.Second

// release gives a leased job back after an interruption (or the end of the
// pass's time), due now and without counting an attempt, so the next run
// does not have to wait for the lease to expire. Best effort.
func (c *Crawler) release(ctx context.Context, p *pass, j frontier.Job) {
	p.dropLease(j.URL)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
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
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := c.st.Postpone(rctx, c.owner, urls, time.Now()); err != nil && !c.unusable(p, err) {
		c.log.Error("give back leases", "jobs", len(urls), "err", err)
	}
	for _, u := range urls {
		p.dropLease(u)
	}
}

// process handles one leased job; every outcome ends in Finish or Retry
// (or, when interrupted, a release). hostDone is called once the job's
// request is answered.
func (c *Crawler) process(ctx context.Context, p *pass, j frontier.Job, hostDone func()) {
	if ctx.Err() != nil {
		c.release(ctx, p, j)
		return
	}
	if j.Kind == frontier.KindArticle {
		err := c.article(ctx, p, j, hostDone)
		c.conclude(ctx, p, j, err)
		return
	}
	p.mu.Lock()
	p.touched[j.URL] = true
	p.mu.Unlock()
	err := c.poll(ctx, p, j, hostDone)
	c.conclude(ctx, p, j, err)
}
