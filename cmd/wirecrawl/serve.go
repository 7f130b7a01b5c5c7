package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/metrics"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store"
)

// serveOptions are serve's flags.
type serveOptions struct {
	listen     string
	minIdle    time.Duration
	maxIdle    time.Duration
	lockRetry  time.Duration
	staleAfter time.Duration
}

// shutdownGrace bounds how long serve waits for HTTP requests in flight
// once it is told to stop; the crawl pass stops with the context at once.
const shutdownGrace = 3 * time.Second

// serveCommand runs crawl passes continuously and serves health, readiness
// and metrics over HTTP.
func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Crawl continuously and serve a web UI, a JSON API, /healthz, /readyz and /metrics",
		Long: `serve runs crawl passes over the seeds one after another, each exactly
as 'wirecrawl crawl' runs one (same pipeline, leases and politeness), and
between passes sleeps until the next feed or queued URL is due, at least
--min-idle and at most --max-idle. The seed files are re-read before each pass.

Each pass takes the run lock and gives it back when it ends, so a cron
'crawl' and 'serve' on one database take turns: a crawl started during a
pass finds the lock held (exit 3, or it waits with overlap: wait), and a pass
due while a crawl runs is retried every --lock-retry.

HTTP (--listen, loopback only unless serve.token is set):
  /healthz   200 while the process answers
  /readyz    200 when the store answers and the last pass ended on time
             (no later than --stale-after past when the next was due)
  /metrics   Prometheus metrics (bearer token when serve.token is set)
  /api/v1/   stories, stories/{id}, feeds, stats (JSON, the export's fields)
  /          the web UI: stories, the syndication view of a story, feeds,
             stats; with serve.token, a login form and "ingest a URL"

SIGTERM or SIGINT stops the pass in flight (what was stored stays stored;
leased jobs are taken over after crawler.lease_ttl) and exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if err := serve.CheckListen(o.listen, cfg.Serve.Token); err != nil {
				return usageError{err}
			}
			if o.minIdle <= 0 || o.maxIdle < o.minIdle || o.lockRetry <= 0 || o.staleAfter <= 0 {
				return usageError{errors.New("serve: want 0 < --min-idle <= --max-idle, --lock-retry > 0 and --stale-after > 0")}
			}
			seeds, err := readSeeds(cfg)
			if err != nil {
				return err
			}
			return a.serve(cmd.Context(), cfg, o, seeds)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve HTTP on")
	f.DurationVar(&o.minIdle, "min-idle", time.Second, "shortest sleep between passes")
	f.DurationVar(&o.maxIdle, "max-idle", 5*time.Minute, "longest sleep between passes")
	f.DurationVar(&o.lockRetry, "lock-retry", 10*time.Second, "retry interval while another crawl holds the run lock")
	f.DurationVar(&o.staleAfter, "stale-after", 15*time.Minute, "/readyz fails when a pass is this late")
	return cmd
}

// readSeeds reads the configured seeds; none is a usage error.
func readSeeds(cfg config.Config) ([]string, error) {
	seeds, err := crawler.ReadSeeds(cfg.Seeds)
	if err != nil {
		return nil, usageError{fmt.Errorf("seeds: %w", err)}
	}
	if len(seeds) == 0 {
		return nil, usageError{errors.New("seeds: no seed URLs (config key seeds)")}
	}
	return seeds, nil
}

// serve opens the store, starts the HTTP server and runs passes until ctx
// ends.
func (a *app) serve(ctx context.Context, cfg config.Config, o serveOptions, seeds []string) error {
	log := a.logger(cfg)
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	sch, ok := st.(store.Scheduler)
	if !ok {
		return fmt.Errorf("serve: store %T cannot schedule passes", st)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	m := metrics.New()
	status := &serve.Status{}
	srv := &http.Server{
		Handler: serve.Handler(serve.Config{Store: st, Registry: m.Registry(), Status: status, Token: cfg.Serve.Token, Log: log,
			Ingest: a.serveIngest(cfg, st, m)}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(a.stderr, "wirecrawl: serving on http://%s\n", ln.Addr())

	loopErr := a.serveLoop(ctx, cfg, o, st, sch, m, status, seeds, log)

	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	if err != nil {
		err = fmt.Errorf("serve: http: %w", err)
	}
	return errors.Join(loopErr, err)
}

// serveIngest is the UI's "ingest a URL": the URL goes through a pipeline
// of its own, as `wirecrawl ingest URL` sends it (robots.txt, politeness,
// the private-address guard), once the run lock is free (a pass in flight
// ends first, or the request's deadline does). The server offers the form
// only with serve.token set.
func (a *app) serveIngest(cfg config.Config, st store.Store, m *metrics.Metrics) func(context.Context, string) error {
	return func(ctx context.Context, u string) error {
		pc := a.pipelineConfig(cfg)
		pc.WaitForLock = true
		pc.Observer = m
		pc.OnOutcome = m.Outcome
		p, err := pipeline.New(ctx, st, pc)
		if err != nil {
			return fmt.Errorf("start the crawler: %w", err)
		}
		defer p.Close()
		var (
			mu      sync.Mutex
			failure error
		)
		_, err = p.Ingest(ctx, []string{u}, func(_ string, err error) {
			mu.Lock()
			defer mu.Unlock()
			failure = errors.Join(failure, err)
		})
		mu.Lock()
		defer mu.Unlock()
		return errors.Join(err, failure)
	}
}

// serveLoop runs passes until ctx ends; it returns nil then, or the error
// that makes further passes pointless (a bad configuration).
func (a *app) serveLoop(ctx context.Context, cfg config.Config, o serveOptions, st store.Store, sch store.Scheduler,
	m *metrics.Metrics, status *serve.Status, seeds []string, log *slog.Logger) error {
	for ctx.Err() == nil {
		if fresh, err := readSeeds(cfg); err != nil {
			log.Warn("seeds unreadable; crawling the last good list", "err", err)
		} else if !slices.Equal(fresh, seeds) {
			log.Info("seeds changed", "before", len(seeds), "now", len(fresh))
			seeds = fresh
		}
		start := time.Now()
		result, err := a.servePass(ctx, cfg, st, m, seeds, log)
		end := time.Now()
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, pipeline.ErrConfig) {
			return usageError{err}
		}
		m.Pass(result, end.Sub(start), end)
		wait := o.lockRetry
		if result != metrics.PassLocked {
			wait = a.nextWait(ctx, sch, m, st, o, start, log)
		}
		if result == metrics.PassOK || result == metrics.PassFailures {
			// A pass that ran to its end; one that stopped on an error (an
			// unreachable store) leaves /readyz to go stale.
			status.PassEnded(end, end.Add(wait).Add(o.staleAfter))
		}
		log.Debug("sleeping until the next pass", "for", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	return nil
}

// servePass runs one pass with its own run lock and returns its result
// (metrics.PassOK, ...).
func (a *app) servePass(ctx context.Context, cfg config.Config, st store.Store, m *metrics.Metrics, seeds []string, log *slog.Logger) (string, error) {
	pc := a.pipelineConfig(cfg)
	pc.WaitForLock = false // a pass due while a cron crawl runs is retried later
	pc.Observer = m
	pc.OnOutcome = m.Outcome
	p, err := pipeline.New(ctx, st, pc)
	switch {
	case errors.Is(err, store.ErrLocked):
		log.Info("another crawl holds the run lock; pass postponed")
		return metrics.PassLocked, nil
	case err != nil:
		log.Error("pass not started", "err", err)
		return metrics.PassError, err
	}
	// As crawl does: a cron crawl killed on this machine leaves no job
	// waiting lease_ttl for the daemon.
	n, err := takeOverLeases(ctx, st, log)
	if err != nil {
		if cerr := p.Close(); cerr != nil {
			log.Warn("pipeline close", "err", cerr)
		}
		log.Error("pass not started", "err", err)
		return metrics.PassError, err
	}
	m.LeasesTakenOver(n)
	sum, err := p.Crawl(ctx, seeds)
	if cerr := p.Close(); cerr != nil {
		log.Warn("pipeline close", "err", cerr)
	}
	res := runResult{Summary: sum, Counts: p.Counts()}
	c := res.Counts
	log.Info("pass ended", "feeds_polled", sum.FeedsPolled, "pages_fetched", sum.PagesFetched,
		"new", c.New, "copies", c.Copies, "unchanged", c.Unchanged, "no_article", c.NoArticle,
		"failed", sum.Failed, "left", sum.Left, "took", sum.Duration.Round(time.Millisecond))
	switch {
	case err != nil:
		if ctx.Err() == nil {
			log.Error("pass stopped", "err", err)
		}
		return metrics.PassError, err
	case res.failed():
		return metrics.PassFailures, nil
	}
	return metrics.PassOK, nil
}

// nextWait reads the frontier for the metrics and returns how long to sleep
// before the next pass: until the next feed or job is due, within the
// configured bounds. What was due when the last pass started and is due
// still (left by that pass) does not count.
func (a *app) nextWait(ctx context.Context, sch store.Scheduler, m *metrics.Metrics, st store.Store, o serveOptions, passStart time.Time, log *slog.Logger) time.Duration {
	now := time.Now()
	if stats, err := st.Stats(ctx); err != nil {
		log.Warn("frontier counts", "err", err)
	} else if due, err := sch.FeedsDue(ctx, now); err != nil {
		log.Warn("feeds due", "err", err)
	} else {
		m.Frontier(stats, due)
	}
	next, ok, err := sch.NextDue(ctx, passStart)
	switch {
	case err != nil:
		log.Warn("next due", "err", err)
		return o.maxIdle
	case !ok:
		return o.maxIdle
	}
	return min(max(next.Sub(now), o.minIdle), o.maxIdle)
}
