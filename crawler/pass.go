package crawler

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// pass is the state of one Crawl or Ingest call.
type pass struct {
	force bool
	h     Handler
	start time.Time

	mu      sync.Mutex
	sum     Summary
	claimed map[string]bool      // article URLs and aliases being handled now (until done)
	own     map[string]time.Time // our own future NotBefores (retries, spread articles)
	parked  map[string]time.Time // retries due beyond MaxRetryWait: left for later
	touched map[string]bool      // feeds, sitemaps and home pages leased in this pass
	holds   map[string]time.Time // URL -> Retry-After: not to be requested before
	// leased holds the URLs this pass leased and has not concluded yet
	// (queued in the dispatcher or in flight). A job leaves it just before
	// the store write that concludes it (Finish, Retry, Postpone), so that
	// a lease the store hands out after that write is taken for a new one.
	leased map[string]bool
	done   int
	// scope, for Ingest, is what the pass may lease; nil (Crawl) for all.
	scope *scope

	lastPending   atomic.Int64
	lastPendingAt atomic.Int64

	// seeds are the pass's seed URLs (Crawl).
	seeds map[string]bool
	// hostTimeouts counts, per host, the requests that timed out in a row;
	// givenUp marks the hosts left for a later run (MaxHostTimeouts).
	hostTimeouts map[string]int
	givenUp      map[string]bool
	// fatal is the error that ended the pass early: the State is unusable.
	fatal atomic.Pointer[error]
	// stop cancels the pass's context (a fatal error, MaxPassDuration).
	stop context.CancelFunc
}

func newPass(force bool, h Handler) *pass {
	return &pass{
		force:   force,
		h:       h,
		start:   time.Now(),
		claimed: make(map[string]bool),
		own:     make(map[string]time.Time),
		parked:  make(map[string]time.Time),
		touched: make(map[string]bool),
		holds:   make(map[string]time.Time),
		leased:  make(map[string]bool),
		sum:     Summary{ErrorsByClass: make(map[string]int), ErrorExamples: make(map[string]string)},

		seeds:        make(map[string]bool),
		hostTimeouts: make(map[string]int),
		givenUp:      make(map[string]bool),
		stop:         func() {},
	}
}

// scope is the part of the frontier an Ingest pass fetches: the URLs its
// inputs led to (feeds and sitemaps found, the articles they list, AMP
// canonicals). A URL is open until the pass concludes it (done, failed,
// duplicate, or parked for a later run); a concluded URL is not reopened.
type scope struct {
	state  map[string]bool // URL -> open
	order  []string        // URLs in the order they came; concluded ones pruned now and then
	open   int
	parked int
}

// scopeAdd adds urls to the pass's scope, if it has one.
func (p *pass) scopeAdd(urls ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sc := p.scope
	if sc == nil {
		return
	}
	for _, u := range urls {
		if _, known := sc.state[u]; known || u == "" {
			continue
		}
		sc.state[u] = true
		sc.order = append(sc.order, u)
		sc.open++
	}
}

// scopeClose concludes u in the pass's scope, if it has one; parked says it
// is left for a later run.
func (p *pass) scopeClose(u string, parked bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sc := p.scope
	if sc == nil {
		return
	}
	if sc.state[u] {
		sc.open--
		if parked {
			sc.parked++
		}
	}
	sc.state[u] = false
}

// scopeOpen returns the open URLs of the scope, in the order they came,
// leaving out, with skipLeased, those this pass holds a lease on and, unless
// now is zero, those we scheduled after now.
func (p *pass) scopeOpen(now time.Time, skipLeased bool) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	sc := p.scope
	if len(sc.order) > 2*sc.open+64 {
		kept := sc.order[:0]
		for _, u := range sc.order {
			if sc.state[u] {
				kept = append(kept, u)
			}
		}
		clear(sc.order[len(kept):])
		sc.order = kept
	}
	out := make([]string, 0, sc.open)
	for _, u := range sc.order {
		if !sc.state[u] || (skipLeased && p.leased[u]) {
			continue
		}
		if t, ok := p.own[u]; ok && !now.IsZero() && t.After(now) {
			continue
		}
		out = append(out, u)
	}
	return out
}

// scopeCounts counts the scope's URLs open, and those parked for a later run.
func (p *pass) scopeCounts() (open, parked int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.scope.open, p.scope.parked
}

func (p *pass) add(f func(s *Summary)) {
	p.mu.Lock()
	f(&p.sum)
	p.mu.Unlock()
}

// errClass counts a failure of class, keeping err's message as the class's
// example.
func (p *pass) errClass(class string, err error) {
	p.add(func(s *Summary) {
		s.ErrorsByClass[class]++
		if err != nil {
			s.ErrorExamples[class] = err.Error()
		}
	})
}

// claim marks alias u as handled in this pass; false if it already was.
func (p *pass) claim(u string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.claimed[u] {
		return false
	}
	p.claimed[u] = true
	return true
}

func (p *pass) unclaim(u string) {
	p.mu.Lock()
	delete(p.claimed, u)
	p.mu.Unlock()
}

// hold records that u must not be requested before at (Retry-After).
func (p *pass) hold(u string, at time.Time) {
	p.mu.Lock()
	p.holds[u] = at
	p.mu.Unlock()
}

// held returns how long u is still held by a Retry-After, 0 if not.
func (p *pass) held(u string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.holds[u]
	if !ok {
		return 0
	}
	d := time.Until(at)
	if d <= 0 {
		delete(p.holds, u)
		return 0
	}
	return d
}

// takeLease records that the pass holds a lease on u; false if it already
// did (a lease renewed by the store while the job is queued here or in
// flight: the job is already ours, not a second one).
func (p *pass) takeLease(u string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leased[u] {
		return false
	}
	p.leased[u] = true
	return true
}

// dropLease records that the pass is concluding its job of u (the store
// write comes next).
func (p *pass) dropLease(u string) {
	p.mu.Lock()
	delete(p.leased, u)
	p.mu.Unlock()
}

// leasedURLs returns the URLs the pass holds leases on.
func (p *pass) leasedURLs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Collect(maps.Keys(p.leased))
}

// schedule records a future NotBefore of one of our jobs.
func (p *pass) schedule(u string, t time.Time) {
	p.mu.Lock()
	p.own[u] = t
	p.mu.Unlock()
}

// nextOwn returns the earliest of our future NotBefores after now, pruning
// past ones, and how many parked jobs are still in the future.
func (p *pass) nextOwn(now time.Time) (next time.Time, ok bool, parked int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for u, t := range p.own {
		if !t.After(now) {
			delete(p.own, u)
			continue
		}
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	for u, t := range p.parked {
		if !t.After(now) {
			delete(p.parked, u)
			continue
		}
		parked++
	}
	return next, ok, parked
}

func (p *pass) summary() Summary {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sum
	s.ErrorsByClass = maps.Clone(p.sum.ErrorsByClass)
	s.ErrorExamples = maps.Clone(p.sum.ErrorExamples)
	s.Duration = time.Since(p.start)
	return s
}
