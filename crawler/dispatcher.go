package crawler

import (
	"context"
	"fmt"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// The dispatch loop's waits and sizes (see dispatcher).
const (
	// idleWait is the longest the loop sleeps with nothing to send: jobs
	// may come due in the store, another process may finish its leases.
	idleWait = 200 * time.Millisecond
	// fullWait is the sleep with the buffer over half full: only a worker
	// or a host set free can change anything, and that wakes the loop.
	fullWait = time.Second
	// minWait bounds a wait for our own next due job from below, so that
	// a due time passing now does not make the loop spin.
	minWait = 2 * time.Millisecond
	// bufferPerWorker and minBuffer size the buffer of leased jobs
	// (max(bufferPerWorker*Workers, minBuffer)): enough per host queue to
	// keep every worker busy while one host's jobs wait, few enough that a
	// crash leaves little leased.
	bufferPerWorker = 4
	minBuffer       = 32
	// leaseRenewals is how many times per LeaseTTL our leases are renewed:
	// one renewal may fail and the lease still holds.
	leaseRenewals = 3
	// leaseGrace is added to LeaseTTL for how long an idle pass waits for
	// jobs leased by another (or a crashed) process: until their leases
	// must have expired and we can take them.
	leaseGrace = time.Second
	// waitLogAfter is how long an idle pass waits before it says what for.
	waitLogAfter = time.Second
	// scopePruneEvery is how often an idle ingest asks the store whether
	// its open URLs were concluded elsewhere (a Seen query each).
	scopePruneEvery = time.Second
)

// jobEvent is what a worker tells the dispatcher: the job's host is free
// again (host set: its request was answered), or the job is over (url set).
type jobEvent struct{ host, url string }

// dispatcher is the state of one pass's dispatch loop. Leased jobs wait in
// per-host queues (a few per worker) and go to a worker only while their
// host has fewer than PerHostParallelism requests in flight here, so that a
// run of one host's URLs in the frontier does not park every worker behind
// that host. A job holds its host's place until its request is answered,
// not while it is cleaned and stored: the host's next page is fetched
// while this one is handled. Only the loop's goroutine touches its fields.
type dispatcher struct {
	c *Crawler
	p *pass
	// work hands jobs to the workers; events comes back from them, each
	// in-flight job sending at most two, so a send never blocks.
	work   chan frontier.Job
	events chan jobEvent

	queues      map[string][]frontier.Job // leased jobs waiting for a worker, by host
	busy        map[string]int            // requests in flight, by host
	buffered    int                       // jobs in queues
	inflight    int                       // jobs sent to a worker and not over
	maxBuffered int

	idleSince  time.Time // when the last lease brought jobs
	lastPrune  time.Time
	lastRenew  time.Time
	waitLogged bool
}

func (c *Crawler) newDispatcher(p *pass) *dispatcher {
	return &dispatcher{
		c: c, p: p,
		work:        make(chan frontier.Job),
		events:      make(chan jobEvent, 2*c.cfg.Workers),
		queues:      make(map[string][]frontier.Job),
		busy:        make(map[string]int),
		maxBuffered: max(bufferPerWorker*c.cfg.Workers, minBuffer),
		idleSince:   time.Now(),
		lastRenew:   time.Now(),
	}
}

// loop leases jobs and sends them to the workers until the pass is over
// (nil) or ctx ends or the store fails (the error).
func (d *dispatcher) loop(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.drain()
		d.renew(ctx)
		if err := d.dispatch(ctx); err != nil {
			return err
		}
		now := time.Now()
		added, err := d.lease(ctx, now)
		if err != nil {
			return err
		}
		if added > 0 {
			continue
		}
		if d.inflight == 0 && d.buffered == 0 {
			over, err := d.over(ctx, now)
			if over || err != nil {
				return err
			}
		}
		if err := d.sleep(ctx); err != nil {
			return err
		}
	}
}

// account applies a worker's event.
func (d *dispatcher) account(ev jobEvent) {
	if ev.host != "" {
		d.busy[ev.host]--
	}
	if ev.url != "" {
		d.inflight--
	}
}

// drain applies the events waiting, without blocking.
func (d *dispatcher) drain() {
	for {
		select {
		case ev := <-d.events:
			d.account(ev)
		default:
			return
		}
	}
}

// renew is the heartbeat of our leases, queued here or in flight.
func (d *dispatcher) renew(ctx context.Context) {
	if time.Since(d.lastRenew) >= d.c.cfg.LeaseTTL/leaseRenewals {
		d.lastRenew = time.Now()
		d.c.renewLeases(ctx, d.p)
	}
}

// dispatch sends what a free worker and a free host slot allow; the jobs
// of a host given up are left for a later run instead.
func (d *dispatcher) dispatch(ctx context.Context) error {
	cfg := d.c.cfg
	for h, q := range d.queues {
		if d.p.hostGivenUp(h) {
			// Its requests time out: what we hold of it waits for a
			// later run.
			d.c.leaveForLater(ctx, d.p, q)
			d.buffered -= len(q)
			delete(d.queues, h)
			continue
		}
		for len(q) > 0 && d.inflight < cfg.Workers && d.busy[h] < cfg.PerHostParallelism {
			select {
			case d.work <- q[0]:
			case <-ctx.Done():
				d.queues[h] = q
				return ctx.Err()
			}
			q = q[1:]
			d.busy[h]++
			d.inflight++
			d.buffered--
		}
		if len(q) == 0 {
			delete(d.queues, h)
		} else {
			d.queues[h] = q
		}
	}
	return nil
}

// lease takes jobs from the store into the host queues, in batches once the
// buffer is half empty (a Lease is a write transaction, worth amortising),
// and returns how many it queued. An ingest leases only what its inputs led
// to.
func (d *dispatcher) lease(ctx context.Context, now time.Time) (int, error) {
	c, p := d.c, d.p
	if d.buffered > d.maxBuffered/2 {
		return 0, nil
	}
	var jobs []frontier.Job
	var err error
	if p.scope == nil {
		jobs, err = c.st.Lease(ctx, c.owner, d.maxBuffered-d.buffered, now, c.cfg.LeaseTTL)
	} else if open := p.scopeOpen(now, true); len(open) > 0 {
		jobs, err = c.st.LeaseURLs(ctx, c.owner, open, d.maxBuffered-d.buffered, now, c.cfg.LeaseTTL)
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("crawl: lease: %w", err)
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	d.idleSince, d.waitLogged = now, false
	added := 0
	var later []frontier.Job
	for _, j := range jobs {
		if !p.takeLease(j.URL) {
			// Still queued here or in flight: the store renewed our lease.
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
		d.queues[j.Host] = append(d.queues[j.Host], j)
		d.buffered++
	}
	c.leaveForLater(ctx, p, later)
	return added, nil
}

// over reports, with nothing queued here or in flight, whether the pass is
// over.
func (d *dispatcher) over(ctx context.Context, now time.Time) (bool, error) {
	if d.p.scope != nil {
		return d.ingestOver(ctx, now)
	}
	return d.crawlOver(ctx, now)
}

// ingestOver: an ingest is over when every URL of its scope is concluded.
// URLs we scheduled later keep it going; the others may have been finished
// by another process (asked every scopePruneEvery), or be leased by one,
// waited for until their leases must have expired.
func (d *dispatcher) ingestOver(ctx context.Context, now time.Time) (bool, error) {
	c, p := d.c, d.p
	if _, ok, _ := p.nextOwn(now); ok {
		return false, nil
	}
	if now.Sub(d.lastPrune) >= scopePruneEvery {
		d.lastPrune = now
		if err := c.pruneScope(ctx, p); err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			return false, fmt.Errorf("ingest: %w", err)
		}
	}
	open, parked := p.scopeCounts()
	if open == 0 {
		if parked > 0 {
			c.log.Info("pass done; jobs left for a later run", "left", parked)
		}
		return true, nil
	}
	if now.Sub(d.idleSince) > c.cfg.LeaseTTL+leaseGrace {
		c.log.Warn("pass done; jobs still leased or due later", "left", open+parked)
		return true, nil
	}
	return false, nil
}

// crawlOver: a crawl pass is over when no work of this pass is left:
// leased jobs, and queued jobs due before a wait this pass would sit out (a
// job due tomorrow is not). Jobs of another (or a crashed) process are
// waited for until their leases must have expired.
func (d *dispatcher) crawlOver(ctx context.Context, now time.Time) (bool, error) {
	c, p := d.c, d.p
	pending, err := c.st.Pending(ctx, now.Add(c.cfg.MaxRetryWait))
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, fmt.Errorf("crawl: pending: %w", err)
	}
	if pending == 0 {
		return true, nil
	}
	_, ok, parked := p.nextOwn(now)
	switch {
	case ok:
		return false, nil
	case pending <= parked:
		c.log.Info("pass done; jobs left for a later run", "left", pending)
		return true, nil
	case now.Sub(d.idleSince) > c.cfg.LeaseTTL+leaseGrace:
		c.log.Warn("pass done; jobs still leased or due later", "left", pending)
		return true, nil
	case !d.waitLogged && now.Sub(d.idleSince) > waitLogAfter:
		d.waitLogged = true
		c.log.Info("waiting for jobs leased by another crawler (or due soon); at most lease_ttl",
			"jobs", pending-parked, "lease_ttl", c.cfg.LeaseTTL.String())
	}
	return false, nil
}

// sleep waits for a worker's event, or until something else may have
// changed: our next job comes due, or idleWait.
func (d *dispatcher) sleep(ctx context.Context) error {
	wait := idleWait
	if d.buffered > d.maxBuffered/2 {
		wait = fullWait
	} else if next, ok, _ := d.p.nextOwn(time.Now()); ok {
		wait = min(max(time.Until(next), minWait), wait)
	}
	if d.inflight == 0 && d.buffered > 0 {
		wait = minWait // cannot happen: a queued job has a free host
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ev := <-d.events:
		d.account(ev)
		d.drain()
	case <-t.C:
	}
	return nil
}

// finish, once the workers are done, gives back the jobs still queued here
// and any lease left, and counts the jobs left for later.
func (d *dispatcher) finish(ctx context.Context) {
	c, p := d.c, d.p
	for _, q := range d.queues {
		for _, j := range q {
			c.release(ctx, p, j)
		}
	}
	c.releaseLeftover(ctx, p)
	if p.scope != nil {
		open, parked := p.scopeCounts()
		p.add(func(s *Summary) { s.Left = open + parked })
		return
	}
	n, err := c.st.Pending(context.WithoutCancel(ctx), time.Time{})
	if err != nil {
		c.log.Warn("count the jobs left", "err", err)
		return
	}
	p.add(func(s *Summary) { s.Left = n })
}
