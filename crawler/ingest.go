package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// Ingest fetches URLs given on the command line. Each may be an article (handed
// to h even if it was handled before), a feed or sitemap (its new articles are
// enqueued), or a home page (its feeds are found and polled). report, if not
// nil, is called once per input URL with nil or the error that stopped it;
// errors of a handler come back as they were returned (wrapped). After the
// inputs, what they led to is fetched as in Crawl: the feeds and sitemaps
// found through them and the articles these list (an article queued by an
// earlier run and not done yet is due at once, with its attempts reset), AMP
// canonicals, and the retries of all these. Nothing else of the frontier is
// leased: other jobs queued by an earlier crawl are left to the next crawl.
func (c *Crawler) Ingest(ctx context.Context, urls []string, h Handler, report func(url string, err error)) (Summary, error) {
	p := newPass(true, h)
	p.scope = &scope{state: make(map[string]bool)}
	if report == nil {
		report = func(string, error) {}
	}
	for _, raw := range urls {
		if err := ctx.Err(); err != nil {
			return p.summary(), err
		}
		u, err := NormalizeURL(raw)
		if err != nil {
			p.errClass(frontier.ClassBadURL, err)
			report(raw, err)
			continue
		}
		// Handled here and now: not to be polled again in this pass.
		p.mu.Lock()
		p.touched[u] = true
		p.mu.Unlock()
		p.scopeClose(u, false)
		j := frontier.Job{URL: u, Host: frontier.HostOf(u), Kind: frontier.KindHome, NotBefore: time.Now()}
		if _, err := c.st.Enqueue(ctx, []frontier.Job{j}); err != nil {
			return p.summary(), fmt.Errorf("ingest: enqueue: %w", err)
		}
		err = c.ingestOne(ctx, p, j)
		sctx := context.WithoutCancel(ctx)
		switch {
		case err == nil, errors.Is(err, errHandled):
			err = nil
			_ = c.st.Finish(sctx, u, "")
		case ctx.Err() != nil:
			return p.summary(), ctx.Err()
		case c.unusable(p, err):
			return p.summary(), fmt.Errorf("ingest: store unusable: %w", err)
		default:
			class, _ := classify(err)
			p.errClass(class, err)
			p.add(func(s *Summary) { s.Failed++ })
			_ = c.st.Finish(sctx, u, class)
		}
		report(raw, err)
	}
	err := c.run(ctx, p)
	return p.summary(), err
}

// ingestOne fetches one input URL with inline retries and dispatches it.
func (c *Crawler) ingestOne(ctx context.Context, p *pass, j frontier.Job) error {
	hdr := http.Header{"Accept": {acceptInput}}
	for attempt := 0; ; attempt++ {
		resp, err := c.get(ctx, p, j.URL, frontier.KindHome, hdr, false)
		if err == nil {
			if !isHTMLType(resp.Header.Get("Content-Type"), resp.Body) {
				p.add(func(s *Summary) { s.FeedsPolled++ })
			}
			fs, ok, ferr := c.st.Feed(ctx, j.URL)
			if ferr != nil {
				return fmt.Errorf("feed state: %w", ferr)
			}
			if !ok {
				fs = frontier.FeedState{URL: j.URL}
			}
			return c.handlePoll(ctx, p, j, fs, resp, true)
		}
		class, transient := classify(err)
		if ctx.Err() != nil || !transient || attempt >= c.cfg.MaxRetries {
			return err
		}
		p.errClass(class, err)
		p.add(func(s *Summary) { s.Retries++ })
		wait := c.retryWait(attempt, err)
		if wait > c.cfg.MaxRetryWait {
			return err
		}
		if err := sleepUntil(ctx, time.Now().Add(wait)); err != nil {
			return err
		}
	}
}
