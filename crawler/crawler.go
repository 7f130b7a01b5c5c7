package crawler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fetched is one fetched article page handed to the Handler.
type Fetched struct {
	// Job is the frontier job that was fetched.
	Job Job
	// URL is the normalised URL asked for (Job.URL).
	URL string
	// FinalURL is the URL after redirects, as the server gave it.
	FinalURL string
	// Status is the HTTP status (200).
	Status int
	// Header is the response header; Content-Type carries the charset, if
	// any. The body's charset is not converted: the cleaner decodes.
	Header http.Header
	// Body is the response body with Content-Encoding removed.
	Body []byte
	// FetchedAt is when the response arrived.
	FetchedAt time.Time
	// Item is what a feed or news sitemap said about this URL, nil if none.
	Item *FeedItem
}

// Handler processes one fetched article page (HTML, status 200). It returns nil
// when it stored the page; it marks the frontier job done itself (inside its
// own transaction), and the crawler's Finish afterwards is harmless. An error
// is recorded with class "process" and the job is retried or failed per the
// retry policy.
type Handler func(ctx context.Context, f Fetched) error

// Progress is told, after each finished job, how many jobs this run has
// finished and how many are still queued or leased (refreshed at most twice a
// second). It is called from the worker goroutines, concurrently, and should
// return quickly.
type Progress func(done, queued int)

// Summary counts what one Crawl or Ingest did.
type Summary struct {
	// FeedsPolled counts feed, sitemap and home-page fetches answered (200 or 304).
	FeedsPolled int
	// NotModified counts feeds and sitemaps that answered 304.
	NotModified int
	// PagesFetched counts article pages fetched with status 200.
	PagesFetched int
	// PagesStored counts pages the handler accepted.
	PagesStored int
	// Duplicates counts article URLs skipped because their canonical or final
	// URL had been handled already (URL variants, AMP pages).
	Duplicates int
	// Enqueued counts article URLs newly added to the frontier.
	Enqueued int
	// Retries counts jobs put back for another try.
	Retries int
	// Failed counts jobs failed for good (robots exclusions included).
	Failed int
	// Left counts jobs still pending when the pass ended (due later, or
	// leased by another process); for Ingest, only those its inputs led to.
	Left int
	// ErrorsByClass counts failed attempts by error class ("http_5xx",
	// "robots", "timeout", ...), retried ones included.
	ErrorsByClass map[string]int
	// Duration is the wall time of the call.
	Duration time.Duration
}

// Crawler fetches seeds and article pages politely. Create it with New; its
// methods are safe for use by one Crawl or Ingest at a time per Crawler.
type Crawler struct {
	cfg   Config
	st    State
	log   *slog.Logger
	f     *fetcher
	owner string
	agent string
	hosts *hostSems    // processHosts, except in tests that play several processes
	holds atomic.Int64 // numbers the host holds taken

	progress atomic.Pointer[Progress]

	mu         sync.Mutex
	robots     map[string]*hostRobots
	hostDelays map[string]time.Duration
	spread     map[string]time.Time // per host: NotBefore of the next enqueued article
}

// New returns a Crawler using st for its durable state. A nil log discards.
func New(cfg Config, st State, log *slog.Logger) (*Crawler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("crawler config: %w", err)
	}
	if st == nil {
		return nil, errors.New("crawler: nil State")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	host, _ := os.Hostname()
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	return &Crawler{
		cfg:        cfg,
		st:         st,
		log:        log,
		f:          newFetcher(cfg),
		owner:      fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(rb[:])),
		agent:      agentToken(cfg.UserAgent),
		hosts:      processHosts,
		robots:     make(map[string]*hostRobots),
		hostDelays: make(map[string]time.Duration),
		spread:     make(map[string]time.Time),
	}, nil
}

// SetProgress installs a progress hook (nil removes it). Safe at any time.
func (c *Crawler) SetProgress(p Progress) {
	if p == nil {
		c.progress.Store(nil)
		return
	}
	c.progress.Store(&p)
}

// Config returns the configuration in effect, defaults filled in.
func (c *Crawler) Config() Config { return c.cfg }

// Close releases idle connections.
func (c *Crawler) Close() error {
	c.f.transport.CloseIdleConnections()
	return nil
}

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
	done    int
	// scope, for Ingest, is what the pass may lease; nil (Crawl) for all.
	scope *scope

	lastPending   atomic.Int64
	lastPendingAt atomic.Int64
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
		sum:     Summary{ErrorsByClass: make(map[string]int)},
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
// leaving out those skip says and, unless now is zero, those we scheduled
// after now.
func (p *pass) scopeOpen(now time.Time, skip func(string) bool) []string {
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
		if !sc.state[u] || (skip != nil && skip(u)) {
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

func (p *pass) errClass(class string) {
	p.add(func(s *Summary) { s.ErrorsByClass[class]++ })
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
	s.ErrorsByClass = make(map[string]int, len(p.sum.ErrorsByClass))
	for k, v := range p.sum.ErrorsByClass {
		s.ErrorsByClass[k] = v
	}
	s.Duration = time.Since(p.start)
	return s
}

// guessKind guesses what a seed URL is; the body decides in the end, except
// that a URL guessed to be a feed or sitemap must not answer HTML.
func guessKind(u string) Kind {
	l := strings.ToLower(u)
	switch {
	case strings.Contains(l, "sitemap") || strings.HasSuffix(l, ".xml.gz"):
		return KindSitemap
	case strings.Contains(l, "rss") || strings.Contains(l, "feed") || strings.Contains(l, "atom") ||
		strings.HasSuffix(l, ".xml") || strings.HasSuffix(l, ".json"):
		return KindFeed
	}
	return KindHome
}

// Crawl runs one pass: it enqueues the seeds, polls those that are due (all of
// them with force), enqueues the new article URLs they list, and fetches the
// frontier until nothing is left that is due within the pass. It returns when
// the pass is done or ctx is cancelled (then with ctx's error); a cancelled
// pass loses nothing, the next one resumes. Seeds are URLs (see ReadSeeds).
func (c *Crawler) Crawl(ctx context.Context, seeds []string, force bool, h Handler) (Summary, error) {
	p := newPass(force, h)
	now := time.Now()
	var jobs []Job
	var urls []string
	for _, s := range seeds {
		u, err := NormalizeURL(s)
		if err != nil {
			c.log.Warn("bad seed", "seed", s, "err", err)
			p.errClass(ClassBadURL)
			continue
		}
		jobs = append(jobs, Job{URL: u, Host: hostOf(u), Kind: guessKind(u), NotBefore: now})
		urls = append(urls, u)
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
		// waiting for a retry: requeueing it would cut its retry wait short.
		if ok && (force || !now.Before(fs.NextPoll)) {
			due = append(due, u)
		}
	}
	return due, nil
}

// run leases and processes frontier jobs until the pass is over.
//
// Leased jobs wait in per-host queues (at most a few per worker) and go to a
// worker only while their host has fewer than PerHostParallelism requests in
// flight here, so that a run of one host's URLs in the frontier does not park
// every worker behind that host. A job holds its host's place until its
// request is answered (see freeHost), not while it is cleaned and stored: the
// host's next page is fetched while this one is handled.
func (c *Crawler) run(ctx context.Context, p *pass) error {
	// A result frees a host slot (host set) when the job's request is
	// answered, and ends the job (url set) when it is handled.
	type result struct{ host, url string }
	work := make(chan Job)
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
	queues := map[string][]Job{}
	busy := map[string]int{}
	// mine holds the URLs queued or in flight here: a lease that expired
	// while its job waited here must not bring the job in a second time.
	mine := map[string]bool{}
	buffered, inflight := 0, 0
	maxBuffered := max(4*c.cfg.Workers, 32)
	defer func() {
		close(work)
		wg.Wait()
		for _, q := range queues {
			for _, j := range q {
				c.release(ctx, j)
			}
		}
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
			delete(mine, r.url)
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
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := drain(false, 0); err != nil {
			return err
		}
		// Dispatch what a free worker and a free host slot allow.
		for h, q := range queues {
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
			var jobs []Job
			var err error
			if p.scope == nil {
				jobs, err = c.st.Lease(ctx, c.owner, maxBuffered-buffered, now, c.cfg.LeaseTTL)
			} else if open := p.scopeOpen(now, func(u string) bool { return mine[u] }); len(open) > 0 {
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
				idleSince = now
				for _, j := range jobs {
					if mine[j.URL] {
						continue
					}
					added++
					if j.Host == "" {
						j.Host = hostOf(j.URL)
					}
					mine[j.URL] = true
					queues[j.Host] = append(queues[j.Host], j)
					buffered++
				}
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
	for _, u := range p.scopeOpen(time.Time{}, nil) {
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

// release gives a leased job back after an interruption, so the next run does
// not have to wait for the lease to expire. Best effort.
func (c *Crawler) release(ctx context.Context, j Job) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.st.Retry(rctx, j.URL, time.Now(), ClassInterrupted); err != nil {
		c.log.Debug("release lease", "url", j.URL, "err", err)
	}
}

// process handles one leased job; every outcome ends in Finish or Retry
// (or, when interrupted, a release).
func (c *Crawler) process(ctx context.Context, p *pass, j Job) {
	if ctx.Err() != nil {
		c.release(ctx, j)
		return
	}
	if j.Kind == KindArticle {
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

// errDuplicate says the job's article was already handled under another URL.
var errDuplicate = errors.New("crawler: duplicate of a handled url")

// errHandled says the job was dealt with and finished already.
var errHandled = errors.New("crawler: handled")

// conclude finishes or retries job j after its outcome err.
func (c *Crawler) conclude(ctx context.Context, p *pass, j Job, err error) {
	sctx := context.WithoutCancel(ctx)
	switch {
	case err == nil, errors.Is(err, errHandled):
		if e := c.st.Finish(sctx, j.URL, ""); e != nil {
			c.log.Error("finish", "url", j.URL, "err", e)
		}
		p.unclaim(j.URL) // done: Seen answers for it, the claim map stays small
		p.scopeClose(j.URL, false)
		return
	case errors.Is(err, errDuplicate):
		p.add(func(s *Summary) { s.Duplicates++ })
		if e := c.st.Finish(sctx, j.URL, ""); e != nil {
			c.log.Error("finish", "url", j.URL, "err", e)
		}
		p.scopeClose(j.URL, false)
		return
	}
	if ctx.Err() != nil {
		c.release(ctx, j)
		return
	}
	class, transient := classify(err)
	var pe *processError
	var perm *PermanentError
	switch {
	case errors.As(err, &perm):
		class, transient = perm.Class, false
	case errors.As(err, &pe):
		class, transient = ClassProcess, true
	}
	if class == ClassInterrupted {
		// A cancellation that did not come from our ctx (handler's own).
		transient = true
	}
	p.errClass(class)
	c.logOutcome(ctx, j, class, err)
	if transient && j.Attempts < c.cfg.MaxRetries {
		wait := c.backoff(j.Attempts)
		var he *HTTPError
		var ru *RobotsUnavailableError
		if errors.As(err, &he) && he.RetryAfter > 0 {
			wait = he.RetryAfter
		} else if errors.As(err, &ru) {
			wait = max(time.Until(ru.Until), time.Second)
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
		if e := c.st.Retry(sctx, j.URL, at, class); e != nil {
			c.log.Error("retry", "url", j.URL, "err", e)
		}
		return
	}
	p.add(func(s *Summary) { s.Failed++ })
	p.scopeClose(j.URL, false)
	c.log.Info("failed", "url", j.URL, "kind", j.Kind, "class", class, "err", err)
	if j.Kind != KindArticle {
		c.feedFailed(sctx, j.URL)
	}
	if e := c.st.Finish(sctx, j.URL, class); e != nil {
		c.log.Error("finish", "url", j.URL, "err", e)
	}
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

// get fetches u for a job of kind: robots check, host concurrency and delay,
// the request, and a fetch-log record. With seenCheck a redirect to a URL that
// is already done stops with errDuplicate.
func (c *Crawler) get(ctx context.Context, p *pass, u string, kind Kind, hdr http.Header, seenCheck bool) (*response, error) {
	ok, err := c.allowed(ctx, u, false)
	if err != nil {
		return nil, fmt.Errorf("robots.txt for %s: %w", u, err)
	}
	if !ok {
		c.logFetch(ctx, u, kind, nil, ErrRobots, false)
		return nil, loggedError{fmt.Errorf("%s: %w", u, ErrRobots)}
	}
	if d := p.held(u); d > 0 {
		// Reached through a redirect earlier, u asked us to wait.
		return nil, &HTTPError{Status: http.StatusTooManyRequests, RetryAfter: d, URL: u}
	}
	host := hostOf(u)
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
	hook := func(ctx context.Context, next *url.URL) error {
		// The redirect is answered: the host is free again (and no hold
		// may be held while robots.txt of the target is fetched).
		c.settle(ctx, res)
		res = reservation{}
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
		res, err = c.waitSlot(ctx, hostOf(n))
		return err
	}
	resp, err := c.f.fetch(ctx, u, hdr, hook)
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
	freeHost(ctx)
	c.logFetch(ctx, u, kind, resp, err, false)
	if err != nil {
		err = loggedError{err}
	}
	return resp, err
}

// loggedError is an error already recorded in the fetch log: get logs the
// exchange, and conclude logs the failures decided after it (a feed that
// does not parse, a page with no article, a handler error).
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// logOutcome records in the fetch log the failure of job j that no fetch
// record carries yet.
func (c *Crawler) logOutcome(ctx context.Context, j Job, class string, err error) {
	if errors.As(err, new(loggedError)) {
		return
	}
	rec := FetchRecord{URL: j.URL, Kind: j.Kind, ErrClass: class, Error: err.Error(), At: time.Now()}
	if e := c.st.LogFetch(context.WithoutCancel(ctx), rec); e != nil {
		c.log.Error("fetch log", "url", j.URL, "err", e)
	}
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

// logFetch appends one record to the fetch log.
func (c *Crawler) logFetch(ctx context.Context, u string, kind Kind, resp *response, err error, quiet bool) {
	rec := FetchRecord{URL: u, Kind: kind, At: time.Now()}
	if resp != nil {
		rec.Status = resp.Status
		rec.Duration = resp.Duration
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

// article fetches an article job and hands it to the handler. In ingest mode
// the handler is called even if the URL was handled before (the user asked).
func (c *Crawler) article(ctx context.Context, p *pass, j Job, ingest bool) error {
	if !ingest {
		if cu, ok := ampCanonical(j.URL); ok {
			if seen, err := c.st.Seen(ctx, cu); err == nil && seen {
				return errDuplicate
			}
		}
	}
	resp, err := c.get(ctx, p, j.URL, KindArticle, nil, !ingest)
	if err != nil {
		return err
	}
	return c.handleArticle(ctx, p, j, resp, ingest)
}

// handleArticle checks a fetched article response, maps its aliases and calls
// the handler.
func (c *Crawler) handleArticle(ctx context.Context, p *pass, j Job, resp *response, ingest bool) error {
	if !isHTMLType(resp.Header.Get("Content-Type"), resp.Body) || looksBinary(resp.Body) {
		err := fmt.Errorf("%s: %w: %q", j.URL, ErrNotHTML, resp.Header.Get("Content-Type"))
		c.logFetch(ctx, j.URL, KindArticle, resp, err, true)
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
			added, err := c.st.Enqueue(ctx, []Job{{URL: pi.Canonical, Host: hostOf(pi.Canonical), Kind: KindArticle, NotBefore: time.Now(), Item: j.Item}})
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
		jobs := make([]Job, len(aliases))
		for i, a := range aliases {
			jobs[i] = Job{URL: a, Host: hostOf(a), Kind: KindArticle}
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
