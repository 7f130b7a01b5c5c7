package crawler

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// fail ends the pass at once because of err (the State is unusable): the
// first such error is kept and returned by the pass.
func (p *pass) fail(err error) {
	if p.fatal.CompareAndSwap(nil, &err) {
		p.stop()
	}
}

// fatalErr is the error that ended the pass early, nil if none did.
func (p *pass) fatalErr() error {
	if e := p.fatal.Load(); e != nil {
		return *e
	}
	return nil
}

// unusable reports whether err says the State cannot be used; if so it ends
// the pass (once, logged). No job is marked failed for such an error: the
// page is not at fault.
func (c *Crawler) unusable(p *pass, err error) bool {
	if err == nil || !c.st.Unusable(err) {
		return false
	}
	if p.fatalErr() == nil {
		c.log.Error("the store is unusable; ending the pass, marking nothing failed", "err", err)
	}
	p.fail(err)
	return true
}

// noteSeed counts a concluded fetch of a seed URL: answered or not.
func (p *pass) noteSeed(u string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.seeds[u] {
		return
	}
	p.sum.SeedsTried++
	if ok {
		p.sum.SeedsFetched++
	}
}

// noteHost records how a request to host ended (get calls it): a timeout,
// or an answer of any kind (class "" or another class). It returns true
// when this timeout makes MaxHostTimeouts in a row: the host is given up for
// the pass.
func (c *Crawler) noteHost(p *pass, host, class string) bool {
	if host == "" || c.cfg.MaxHostTimeouts < 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if class != frontier.ClassTimeout {
		p.hostTimeouts[host] = 0
		return false
	}
	p.hostTimeouts[host]++
	if p.givenUp[host] || p.hostTimeouts[host] < c.cfg.MaxHostTimeouts {
		return false
	}
	p.givenUp[host] = true
	p.sum.HostsGivenUp++
	c.log.Warn("host timed out repeatedly; its remaining URLs are left for a later run",
		"host", host, "timeouts_in_a_row", p.hostTimeouts[host], "retry_after", c.cfg.TimeoutRetryDelay.String())
	return true
}

// hostGivenUp reports whether host's URLs are left for a later run.
func (p *pass) hostGivenUp(host string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.givenUp[host]
}

// leaveForLater gives jobs of a host given up back to the queue, due after
// TimeoutRetryDelay, without counting an attempt, and counts them.
func (c *Crawler) leaveForLater(ctx context.Context, p *pass, jobs []frontier.Job) {
	if len(jobs) == 0 {
		return
	}
	at := time.Now().Add(c.cfg.TimeoutRetryDelay)
	urls := make([]string, len(jobs))
	p.mu.Lock()
	for i, j := range jobs {
		urls[i] = j.URL
		p.parked[j.URL] = at
		delete(p.leased, j.URL)
	}
	p.sum.LeftOnHosts += len(jobs)
	p.mu.Unlock()
	for _, u := range urls {
		p.scopeClose(u, true)
	}
	if err := c.st.Postpone(context.WithoutCancel(ctx), c.owner, urls, at); err != nil && !c.unusable(p, err) {
		c.log.Error("leave jobs for later", "jobs", len(urls), "err", err)
	}
}

// renewLeases extends the leases of the jobs this pass holds (queued here or
// in flight): a heartbeat, so that LeaseTTL can be short and a crashed
// process's jobs come back soon.
func (c *Crawler) renewLeases(ctx context.Context, p *pass) {
	urls := p.leasedURLs()
	if len(urls) == 0 {
		return
	}
	if _, err := c.st.RenewLeases(ctx, c.owner, urls, time.Now().Add(c.cfg.LeaseTTL)); err != nil && !c.unusable(p, err) {
		c.log.Warn("renew leases", "jobs", len(urls), "err", err)
	}
}

// run runs the pass (runPass) under a context of its own, which a fatal
// State error (see unusable) or MaxPassDuration cancels. A pass cut by
// MaxPassDuration ends without error: what is left stays queued, the jobs it
// held are given back due now, and the next run goes on with them.
func (c *Crawler) run(ctx context.Context, p *pass) error {
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	p.stop = stop
	var timeUp atomic.Bool
	if d := c.cfg.MaxPassDuration; d > 0 {
		t := time.AfterFunc(time.Until(p.start.Add(d)), func() {
			timeUp.Store(true)
			stop()
		})
		defer t.Stop()
	}
	err := c.runPass(pctx, p)
	if f := p.fatalErr(); f != nil {
		return fmt.Errorf("crawl: store unusable: %w", f)
	}
	if err != nil && c.unusable(p, err) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if timeUp.Load() && errors.Is(err, context.Canceled) {
		p.add(func(s *Summary) { s.TimeUp = true })
		c.log.Warn("pass ended at max_pass_duration; the rest is left for the next run",
			"max_pass_duration", c.cfg.MaxPassDuration.String(), "left", p.summary().Left)
		return nil
	}
	return err
}
