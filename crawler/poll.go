package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"golang.org/x/sync/semaphore"
)

// week is the unit of the entries-per-week polling rule.
const week = 7 * 24 * time.Hour

// pollInterval is Miniflux's entries-per-week rule: a feed publishing n entries
// a week is polled every week/n, clamped to [MinPollInterval, MaxPollInterval];
// a feed with no recent entries is polled at MaxPollInterval.
func (c *Crawler) pollInterval(entriesPerWeek float64) time.Duration {
	if entriesPerWeek <= 0 {
		return c.cfg.MaxPollInterval
	}
	d := time.Duration(float64(week) / entriesPerWeek)
	return min(max(d, c.cfg.MinPollInterval), c.cfg.MaxPollInterval)
}

// feedFailed records a failed poll: the feed is retried with a backoff that
// doubles with each consecutive failure, up to MaxPollInterval.
func (c *Crawler) feedFailed(ctx context.Context, u string) {
	fs, ok, err := c.st.Feed(ctx, u)
	if err != nil {
		c.log.Error("feed state", "url", u, "err", err)
		return
	}
	if !ok {
		fs = frontier.FeedState{URL: u}
	}
	fs.Failures++
	now := time.Now()
	back := c.cfg.MinPollInterval * time.Duration(1<<min(fs.Failures, 10))
	fs.NextPoll = now.Add(min(back, c.cfg.MaxPollInterval))
	if err := c.st.SaveFeed(ctx, fs); err != nil {
		c.log.Error("save feed state", "url", u, "err", err)
	}
}

// poll fetches a feed, sitemap or home page job and enqueues what it lists;
// hostDone is called once its request is answered.
func (c *Crawler) poll(ctx context.Context, p *pass, j frontier.Job, hostDone func()) error {
	fs, ok, err := c.st.Feed(ctx, j.URL)
	if err != nil {
		return fmt.Errorf("feed state %s: %w", j.URL, err)
	}
	if !ok {
		fs = frontier.FeedState{URL: j.URL}
	}
	hdr := http.Header{"Accept": {acceptFeed}}
	if fs.ETag != "" {
		hdr.Set("If-None-Match", fs.ETag)
	}
	if fs.LastModified != "" {
		hdr.Set("If-Modified-Since", fs.LastModified)
	}
	resp, err := c.get(ctx, p, j.URL, j.Kind, hdr, false)
	hostDone()
	if errors.Is(err, ErrNotModified) {
		p.add(func(s *Summary) { s.FeedsPolled++; s.NotModified++ })
		now := time.Now()
		fs.LastPolled = now
		fs.Failures = 0
		fs.NextPoll = now.Add(c.pollInterval(fs.EntriesPerWeek))
		if err := c.st.SaveFeed(ctx, fs); err != nil {
			return fmt.Errorf("save feed state: %w", err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	p.add(func(s *Summary) { s.FeedsPolled++ })
	return c.handlePoll(ctx, p, j, fs, resp, false)
}

// handlePoll dispatches a fetched feed, sitemap, sitemap index or HTML page.
// With ingest, an HTML page that does not look like a home page is an article.
func (c *Crawler) handlePoll(ctx context.Context, p *pass, j frontier.Job, fs frontier.FeedState, resp *response, ingest bool) error {
	body, t, err := c.pollBody(j, resp)
	if err != nil {
		return err
	}
	switch t {
	case docFeed, docSitemap:
		return c.handleEntries(ctx, p, j, fs, resp, body, t)
	case docSitemapIndex:
		return c.handleSitemapIndex(ctx, p, j, fs, body, resp.FinalURL)
	case docHTML:
		return c.handleHTML(ctx, p, j, fs, resp, body, ingest)
	default:
		return fmt.Errorf("%s: %w: neither a feed, a sitemap nor html (content-type %q)", j.URL, ErrBadFeed, resp.Header.Get("Content-Type"))
	}
}

// pollBody sniffs what a polled body is, whatever its URL or Content-Type
// claim, decoding a gzipped sitemap (.xml.gz) served as a file.
func (c *Crawler) pollBody(j frontier.Job, resp *response) ([]byte, docType, error) {
	body := resp.Body
	t := sniff(resp.Header.Get("Content-Type"), body)
	if t != docGzip {
		return body, t, nil
	}
	b, err := gunzipLimit(body, c.cfg.MaxBodyBytes)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, t, fmt.Errorf("%s: %w", j.URL, err)
		}
		return nil, t, fmt.Errorf("%s: %w: %v", j.URL, ErrBadFeed, err)
	}
	return b, sniff("", b), nil
}

// parseBody parses the feed or sitemap (t) at u under the parse budget.
func parseBody(ctx context.Context, u string, body []byte, base string, t docType) ([]entry, error) {
	release, err := acquireParse(ctx, len(body))
	if err != nil {
		return nil, err
	}
	defer release()
	var entries []entry
	if t == docFeed {
		entries, err = parseFeed(body, base)
	} else {
		entries, err = parseSitemap(body, base)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	return entries, nil
}

// handleEntries enqueues the articles a feed or sitemap lists and saves its
// state: validators, publishing rate, next poll.
func (c *Crawler) handleEntries(ctx context.Context, p *pass, j frontier.Job, fs frontier.FeedState, resp *response, body []byte, t docType) error {
	entries, err := parseBody(ctx, j.URL, body, resp.FinalURL, t)
	if err != nil {
		return err
	}
	added, err := c.enqueueArticles(ctx, p, entries)
	if err != nil {
		return err
	}
	now := time.Now()
	fs.EntriesPerWeek = entriesPerWeek(entries, added, fs, now)
	fs.ETag = resp.Header.Get("ETag")
	fs.LastModified = resp.Header.Get("Last-Modified")
	fs.LastPolled = now
	fs.Failures = 0
	fs.NextPoll = now.Add(c.pollInterval(fs.EntriesPerWeek))
	if err := c.st.SaveFeed(ctx, fs); err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	c.log.Debug("polled", "url", j.URL, "type", t, "entries", len(entries), "new", added, "next", fs.NextPoll)
	return nil
}

// handleSitemapIndex polls the child sitemaps of a sitemap index.
func (c *Crawler) handleSitemapIndex(ctx context.Context, p *pass, j frontier.Job, fs frontier.FeedState, body []byte, base string) error {
	entries, err := parseBody(ctx, j.URL, body, base, docSitemap)
	if err != nil {
		return err
	}
	children := make([]string, 0, len(entries))
	for _, e := range entries {
		children = append(children, e.URL)
	}
	return c.pollChildren(ctx, p, j, &fs, frontier.KindSitemap, children)
}

// handleHTML handles a polled page that is HTML: an ingested article, a
// broken feed (whose own feed links are followed), or a home page whose
// feeds are found and polled.
func (c *Crawler) handleHTML(ctx context.Context, p *pass, j frontier.Job, fs frontier.FeedState, resp *response, body []byte, ingest bool) error {
	pi := scanHTML(body, resp.FinalURL)
	if ingest && !looksLikeHome(j.URL, pi) {
		return c.handleArticle(ctx, p, frontier.Job{URL: j.URL, Host: j.Host, Kind: frontier.KindArticle, Item: j.Item}, resp, true)
	}
	if j.Kind == frontier.KindFeed || j.Kind == frontier.KindSitemap {
		// A feed answering HTML is broken: record it, but follow the
		// page's own feed links, where the feed may have moved.
		if len(pi.Feeds) > 0 {
			if err := c.pollChildren(ctx, p, j, nil, frontier.KindFeed, pi.Feeds); err != nil {
				return err
			}
		}
		return fmt.Errorf("%s: %w: html instead of a feed", j.URL, ErrBadFeed)
	}
	children := pi.Feeds
	if len(children) == 0 {
		children = c.discover(ctx, p, j.URL)
	}
	if len(children) == 0 {
		c.log.Info("no feed found on home page", "url", j.URL)
	}
	return c.pollChildren(ctx, p, j, &fs, frontier.KindFeed, children)
}

// looksLikeHome tells a home page from an article for ingest.
func looksLikeHome(u string, pi pageInfo) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	if pi.OGType == "article" {
		return false
	}
	return pu.Path == "/" || pi.OGType == "website"
}

// discover finds feeds of a home page without <link rel=alternate>: the
// news sitemaps of robots.txt, then the well-known paths, then any sitemap of
// robots.txt. Failed probes are logged, not counted as errors.
func (c *Crawler) discover(ctx context.Context, p *pass, home string) []string {
	pu, err := url.Parse(home)
	if err != nil {
		return nil
	}
	robotsMaps := c.robotsSitemaps(pu.Host)
	var news, other []string
	for _, s := range robotsMaps {
		if strings.Contains(strings.ToLower(s), "news") {
			news = append(news, s)
		} else {
			other = append(other, s)
		}
	}
	if len(news) > 0 {
		return news
	}
	for _, path := range wellKnownFeedPaths {
		u := pu.Scheme + "://" + pu.Host + path
		if ok, err := c.allowed(ctx, u, false); err != nil || !ok {
			continue
		}
		resp, err := c.get(ctx, p, u, frontier.KindFeed, http.Header{"Accept": {acceptFeed}}, false)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			// A host that does not answer (timeout, reset, refused) would
			// cost a timeout per path: stop probing it.
			if _, transient := classify(err); transient {
				c.log.Info("feed discovery stopped: host not answering", "url", u, "err", err)
				break
			}
			continue
		}
		switch sniff(resp.Header.Get("Content-Type"), resp.Body) {
		case docFeed, docSitemap, docSitemapIndex, docGzip:
			return []string{u}
		}
	}
	return other
}

// pollChildren handles a parent (home page or sitemap index): it enqueues its
// feeds or sitemaps, requeues those due (all with force), and schedules the
// parent for when its first child is next due. A parent keeps no validators:
// a 304 would hide its children. A nil fs saves no parent state.
//
// Children are one level deeper than parent; beyond MaxDiscoveryDepth they
// are not followed, so a server cannot extend a chain of sitemap indexes or
// feed links for ever.
func (c *Crawler) pollChildren(ctx context.Context, p *pass, parent frontier.Job, fs *frontier.FeedState, kind frontier.Kind, children []string) error {
	if parent.Depth >= c.cfg.MaxDiscoveryDepth && len(children) > 0 {
		c.log.Warn("discovery depth limit: children not followed", "url", parent.URL, "depth", parent.Depth, "children", len(children))
		children = nil
	}
	now := time.Now()
	// Children are due from the pass's start: before the articles queued so
	// far (spread from then on, see enqueueArticles), so that discovery is
	// not left behind the articles of the hosts found first.
	jobs := make([]frontier.Job, 0, len(children))
	for _, u := range children {
		jobs = append(jobs, frontier.Job{URL: u, Host: frontier.HostOf(u), Kind: kind, NotBefore: p.start, Depth: parent.Depth + 1})
	}
	if _, err := c.st.Enqueue(ctx, jobs); err != nil {
		return fmt.Errorf("enqueue feeds: %w", err)
	}
	p.scopeAdd(children...)
	next := now.Add(c.cfg.MaxPollInterval)
	var due []string
	for _, u := range children {
		cfs, ok, err := c.st.Feed(ctx, u)
		if err != nil {
			return fmt.Errorf("feed state %s: %w", u, err)
		}
		p.mu.Lock()
		touched := p.touched[u]
		p.mu.Unlock()
		switch {
		case touched || (!ok && p.scope == nil):
			// Never polled to the end (new, queued, or waiting for a
			// retry), or already polled in this pass: leave it be. An
			// ingest wants its children now, retry wait or not.
			if t := now.Add(c.cfg.MinPollInterval); t.Before(next) {
				next = t
			}
		case p.force || !now.Before(cfs.NextPoll):
			due = append(due, u)
			if t := now.Add(c.cfg.MinPollInterval); t.Before(next) {
				next = t
			}
		case cfs.NextPoll.Before(next):
			next = cfs.NextPoll
		}
	}
	if err := c.st.Requeue(ctx, due, p.start); err != nil {
		return fmt.Errorf("requeue feeds: %w", err)
	}
	if fs == nil {
		return nil
	}
	fs.ETag, fs.LastModified = "", ""
	fs.LastPolled = now
	fs.Failures = 0
	if floor := now.Add(c.cfg.MinPollInterval); next.Before(floor) {
		next = floor
	}
	fs.NextPoll = next
	if err := c.st.SaveFeed(ctx, *fs); err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	return nil
}

// entriesPerWeek measures a feed's publishing rate: the entries dated within
// the last week; for undated feeds, the new URLs since the last poll scaled to
// a week and averaged with the previous value.
func entriesPerWeek(entries []entry, added int, fs frontier.FeedState, now time.Time) float64 {
	dated, recent := 0, 0
	for _, e := range entries {
		if e.Item == nil || e.Item.Published.IsZero() {
			continue
		}
		dated++
		if age := now.Sub(e.Item.Published); age >= -24*time.Hour && age <= week {
			recent++
		}
	}
	if dated > 0 {
		return float64(recent)
	}
	if fs.LastPolled.IsZero() {
		return float64(added) // first poll: assume the list covers about a week
	}
	elapsed := now.Sub(fs.LastPolled)
	if elapsed <= 0 {
		return fs.EntriesPerWeek
	}
	rate := float64(added) * float64(week) / float64(elapsed)
	return (fs.EntriesPerWeek + rate) / 2
}

// enqueueArticles adds the entries' URLs to the frontier, spacing each host's
// NotBefore by its delay so that leases interleave hosts instead of workers
// queueing behind one host.
func (c *Crawler) enqueueArticles(ctx context.Context, p *pass, entries []entry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	now := time.Now()
	jobs := make([]frontier.Job, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if seen[e.URL] {
			continue
		}
		seen[e.URL] = true
		jobs = append(jobs, frontier.Job{URL: e.URL, Host: frontier.HostOf(e.URL), Kind: frontier.KindArticle, Item: e.Item})
	}
	total := 0
	const batch = 500
	for i := 0; i < len(jobs); i += batch {
		chunk := jobs[i:min(i+batch, len(jobs))]
		// Only URLs not yet in the frontier get a slot; ask first.
		fresh := chunk[:0:0]
		for _, jb := range chunk {
			if seen, err := c.st.Seen(ctx, jb.URL); err != nil {
				return total, fmt.Errorf("seen: %w", err)
			} else if !seen {
				fresh = append(fresh, jb)
			}
		}
		c.mu.Lock()
		for k := range fresh {
			h := fresh[k].Host
			d := c.cfg.Delay
			if hd, ok := c.hostDelays[h]; ok && hd > d {
				d = hd
			}
			// A host's articles are spaced from now by its delay. Without a
			// delay they are spaced by a microsecond from the pass's start
			// instead: the k-th article of every host then comes at about
			// the same place in lease order, wherever in the pass its feed
			// was read, so a lease brings many hosts, not one host's backlog.
			base := now
			if d == 0 {
				d, base = time.Microsecond, p.start
			}
			at := c.spread[h]
			if at.Before(base) {
				at = base
			}
			fresh[k].NotBefore = at
			c.spread[h] = at.Add(d)
		}
		c.mu.Unlock()
		if p.scope != nil && len(fresh) > 0 {
			// An ingest fetches what its inputs list, queued by an earlier
			// run or not: a queued URL is due now, with the attempts it has
			// used (a leased one is left to its owner), and all are in its
			// scope.
			urls := make([]string, len(fresh))
			for k, jb := range fresh {
				urls[k] = jb.URL
			}
			if err := c.st.Expedite(ctx, urls, p.start); err != nil {
				return total, fmt.Errorf("expedite articles: %w", err)
			}
			p.scopeAdd(urls...)
		}
		n, err := c.st.Enqueue(ctx, fresh)
		if err != nil {
			return total, fmt.Errorf("enqueue articles: %w", err)
		}
		total += n
		for _, jb := range fresh {
			if jb.NotBefore.After(now) {
				p.schedule(jb.URL, jb.NotBefore)
			}
		}
	}
	p.add(func(s *Summary) { s.Enqueued += total })
	return total, nil
}

// parseBudget bounds the feed and sitemap bytes being parsed at once in the
// process. Parsing a feed costs about twelve bytes of heap per byte of body
// (gofeed builds the feed twice, as its own type and as gofeed.Feed), and
// every worker may be parsing one: six 9 MB feeds at once took 750 MiB. A
// body larger than the budget takes all of it, so big feeds are parsed one
// at a time.
var parseBudget = semaphore.NewWeighted(parseBudgetBytes)

const parseBudgetBytes = 8 << 20

// acquireParse waits for n bytes of the parse budget; release gives them back.
func acquireParse(ctx context.Context, n int) (release func(), err error) {
	w := min(max(int64(n), 1), parseBudgetBytes)
	if err := parseBudget.Acquire(ctx, w); err != nil {
		return nil, err
	}
	return func() { parseBudget.Release(w) }, nil
}
