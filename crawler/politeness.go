package crawler

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// processHosts counts the requests in flight per host for every Crawler of
// the process: process-wide on purpose, so that crawlers sharing a process
// (serve's passes and an ingest, tests with several crawlers) also share
// each host's concurrency. Each Crawler holds the count to its own
// PerHostParallelism (before, the first Crawler to ask for a host sized
// its limit for all). Across processes the store's host holds do the same.
var processHosts = newHostSems()

// hostSems counts requests in flight per host; a host with none is
// forgotten, so the map holds only the hosts being asked now.
type hostSems struct {
	mu       sync.Mutex
	inflight map[string]int
	freed    map[string]chan struct{} // closed when a request to the host ends
}

func newHostSems() *hostSems {
	return &hostSems{inflight: make(map[string]int), freed: make(map[string]chan struct{})}
}

// acquire waits until fewer than limit requests to host are in flight and
// counts one more; release ends it.
func (hs *hostSems) acquire(ctx context.Context, host string, limit int) error {
	for {
		hs.mu.Lock()
		if hs.inflight[host] < limit {
			hs.inflight[host]++
			hs.mu.Unlock()
			return nil
		}
		ch, ok := hs.freed[host]
		if !ok {
			ch = make(chan struct{})
			hs.freed[host] = ch
		}
		hs.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release ends a request to host counted by acquire.
func (hs *hostSems) release(host string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.inflight[host]--; hs.inflight[host] <= 0 {
		delete(hs.inflight, host)
	}
	if ch, ok := hs.freed[host]; ok {
		close(ch)
		delete(hs.freed, host)
	}
}

// acquireHost waits for a request slot of host within PerHostParallelism.
func (c *Crawler) acquireHost(ctx context.Context, host string) error {
	return c.hosts.acquire(ctx, host, c.cfg.PerHostParallelism)
}

func (c *Crawler) setHostDelay(host string, d time.Duration) {
	c.mu.Lock()
	c.hostDelays[host] = d
	c.mu.Unlock()
}

// hostDelay is the delay in force for host: Config.Delay or a larger
// robots.txt Crawl-delay.
func (c *Crawler) hostDelay(host string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.hostDelays[host]; ok && d > c.cfg.Delay {
		return d
	}
	return c.cfg.Delay
}

// reservation is a claimed request slot of a host.
type reservation struct {
	host  string
	slot  time.Time
	delay time.Duration // the delay claimed with the slot
	// holder names the hold on host taken for the request (see holdHost);
	// empty when none was taken. endHold stops the hold's renewal.
	holder  string
	endHold func()
}

// waitSlot reserves host's next request slot in State and sleeps until it.
// The reservation is passed to settle after the request.
//
// A slot only spaces request starts if requests start on time. When this
// goroutine wakes up late (a loaded machine), a request of another process
// may already be near its own, later slot; so a slot missed by more than a
// tenth of the delay is given up and a new one claimed (a few times at most).
func (c *Crawler) waitSlot(ctx context.Context, host string) (reservation, error) {
	d := c.hostDelay(host)
	if d > 0 {
		// A margin over the delay absorbs the send jitter of other
		// processes, whose requests are spaced by their claimed slots only.
		d += slotMargin(d)
	}
	if d == 0 {
		// No delay: there is no slot to claim, in this process or another.
		return reservation{host: host}, nil
	}
	late := min(max(d/10, time.Millisecond), 50*time.Millisecond)
	for try := 0; ; try++ {
		at, err := c.st.ReserveHost(ctx, host, time.Now(), d)
		if err != nil {
			return reservation{}, fmt.Errorf("reserve host %s: %w", host, err)
		}
		if err := sleepUntil(ctx, at); err != nil {
			return reservation{}, err
		}
		if try >= 3 || time.Since(at) <= late {
			res := reservation{host: host, slot: at, delay: d}
			if c.cfg.PerHostParallelism == 1 {
				if err := c.holdHost(ctx, &res); err != nil {
					return reservation{}, err
				}
			}
			return res, nil
		}
	}
}

// holdHost takes host for the request of res, across processes: with one
// request per host allowed, a process must not send one while another
// process's request to the host is unanswered, nor sooner than the delay
// after its answer (settle releases the hold with that time). Slots alone
// space request starts only. The hold lasts holdSpan and is renewed while
// the request runs, so a crashed process blocks the host for holdSpan at
// most. No other hold may be held while waiting for one (a redirect's
// hook releases its host first), so holds cannot deadlock.
func (c *Crawler) holdHost(ctx context.Context, res *reservation) error {
	span := holdSpan(res.delay)
	holder := fmt.Sprintf("%s#%d", c.owner, c.holds.Add(1))
	for {
		now := time.Now()
		ok, busy, err := c.st.HoldHost(ctx, res.host, holder, now, now.Add(span))
		if err != nil {
			return fmt.Errorf("hold host %s: %w", res.host, err)
		}
		if ok {
			break
		}
		// Another process's request: look again when its hold ends, or
		// sooner, since an answer ends it early.
		if err := sleepUntil(ctx, minTime(busy, now.Add(max(res.delay/2, 10*time.Millisecond)))); err != nil {
			return err
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(span / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				now := time.Now()
				if _, _, err := c.st.HoldHost(context.WithoutCancel(ctx), res.host, holder, now, now.Add(span)); err != nil {
					c.log.Debug("renew host hold", "host", res.host, "err", err)
				}
			}
		}
	}()
	var once sync.Once
	res.holder = holder
	res.endHold = func() { once.Do(func() { close(stop); <-done }) }
	return nil
}

// holdSpan is how long a host hold lasts unless renewed: twice the delay,
// and at least two seconds.
func holdSpan(delay time.Duration) time.Duration { return max(2*delay, 2*time.Second) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// slotMargin is added to a host's delay when claiming slots: a twentieth of
// it, at least 5ms and at most 50ms.
func slotMargin(d time.Duration) time.Duration {
	return min(max(d/20, 5*time.Millisecond), 50*time.Millisecond)
}

// settle is called when the request made in reservation r has been answered.
// The reservation spaced request starts by the delay; but a request can leave
// late (a loaded machine, a slow connect) and so reach the server closer to
// the next one than the delay. Pushing the host's next-allowed time to at
// least now+delay, where now is after the server saw the request, makes the
// delay hold as the server measures it. It costs the response time on top of
// the delay when responses are slower than the delay, as in colly.
func (c *Crawler) settle(ctx context.Context, r reservation) {
	d := c.hostDelay(r.host)
	if r.holder != "" {
		// The hold ends closing the host for the delay after the answer,
		// for every process; that also does what the push below does.
		r.endHold()
		if err := c.st.ReleaseHost(context.WithoutCancel(ctx), r.host, r.holder, time.Now().Add(d)); err != nil {
			c.log.Debug("release host hold", "host", r.host, "err", err)
		}
		return
	}
	if d <= 0 || r.slot.IsZero() {
		return
	}
	now := time.Now()
	// ReserveHost moves next to max(now, next)+x, and next >= slot+r.delay.
	base := now
	if next := r.slot.Add(r.delay); next.After(now) {
		base = next
	}
	x := now.Add(d).Sub(base)
	if x <= 0 {
		return
	}
	if _, err := c.st.ReserveHost(context.WithoutCancel(ctx), r.host, now, x); err != nil {
		c.log.Debug("settle host slot", "host", r.host, "err", err)
	}
}

func sleepUntil(ctx context.Context, at time.Time) error {
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
