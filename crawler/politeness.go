package crawler

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// processHosts holds the per-host semaphores of every Crawler in the process,
// so that crawlers sharing a process also share each host's concurrency
// limit and the delay measured from each answer (see settle).
var processHosts = newHostSems()

// hostSems are per-host concurrency semaphores.
type hostSems struct {
	mu   sync.Mutex
	sems map[string]chan struct{}
}

func newHostSems() *hostSems { return &hostSems{sems: make(map[string]chan struct{})} }

// hostSem returns host's process-wide concurrency semaphore. Its capacity is
// the PerHostParallelism of the first crawler that asked for it.
func (c *Crawler) hostSem(host string) chan struct{} {
	hs := c.hosts
	hs.mu.Lock()
	defer hs.mu.Unlock()
	s, ok := hs.sems[host]
	if !ok {
		s = make(chan struct{}, c.cfg.PerHostParallelism)
		hs.sems[host] = s
	}
	return s
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
