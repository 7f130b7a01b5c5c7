package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/wirecrawl/wirecrawl/cleaner"
	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
)

// exitLocked is the exit status of a crawl that found another crawl running
// and was configured (overlap: exit) not to wait.
const exitLocked = 3

// errLocked marks that exit.
var errLocked = errors.New("another crawl is running on this database")

// crawlJob is one crawl-like run: a pass over the seeds, or an ingest.
type crawlJob func(ctx context.Context, c *crawler.Crawler, h crawler.Handler) (crawler.Summary, error)

// runResult is what a crawl-like run did.
type runResult struct {
	Summary crawler.Summary
	Counts  pipeline.Counts
	// started says the pass ran (the store opened, the run lock taken).
	started bool
}

// runLockName names the lock that keeps crawls from overlapping. For a
// SQLite file it is one lock per file: one run at a time crawls it, whatever
// the machine's name (containers sharing a volume have different ones). For
// PostgreSQL it is one per machine, so that cron runs on one machine never
// overlap while a fleet of machines shares one store.
func runLockName(dsn string) string {
	if _, ok := store.SQLitePath(dsn); ok {
		return "crawl"
	}
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return "crawl@" + host
}

// runOptions are the optional parts of a crawl-like run.
type runOptions struct {
	// onOutcome, if set, sees every handled page.
	onOutcome func(pipeline.Outcome)
	// retryFailed lists error classes whose failed jobs are requeued
	// before the run (crawl --retry-failed).
	retryFailed []string
}

// runCrawl opens the store, takes the run lock, wires the stages and runs job.
// onOutcome, if set, sees every handled page.
func (a *app) runCrawl(ctx context.Context, cfg config.Config, job crawlJob, onOutcome func(pipeline.Outcome)) (runResult, error) {
	return a.runCrawlWith(ctx, cfg, job, runOptions{onOutcome: onOutcome})
}

// unusable wraps err as an unusable-store error (exit 4) when it is one.
func unusable(cfg config.Config, err error) error {
	if err != nil && store.IsUnusable(err) {
		return storeUnusableError{err: err, help: store.UnusableHelp(cfg.DB)}
	}
	return err
}

// takeRunLock takes the run lock; with overlap: wait it says that it waits.
func takeRunLock(ctx context.Context, st store.Store, cfg config.Config, log *slog.Logger) (func(), error) {
	name := runLockName(cfg.DB)
	release, err := st.RunLock(ctx, name, false)
	if errors.Is(err, store.ErrLocked) && cfg.Overlap == "wait" {
		log.Info("waiting for the crawl that holds the database to end (overlap: wait)", "lock", name)
		start := time.Now()
		release, err = st.RunLock(ctx, name, true)
		if err == nil {
			log.Info("run lock taken", "lock", name, "waited", time.Since(start).Round(time.Millisecond).String())
		}
	}
	if errors.Is(err, store.ErrLocked) {
		return nil, errLocked
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("run lock: %w", err)
	}
	return release, nil
}

// runCrawlWith is runCrawl with options.
func (a *app) runCrawlWith(ctx context.Context, cfg config.Config, job crawlJob, opts runOptions) (runResult, error) {
	log := a.logger(cfg)
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return runResult{}, unusable(cfg, fmt.Errorf("open store: %w", err))
	}
	defer st.Close()

	release, err := takeRunLock(ctx, st, cfg, log)
	if err != nil {
		return runResult{}, unusable(cfg, err)
	}
	defer release()

	// Holding the run lock, we know the runs that left leases behind are
	// dead (killed, or cut off by a closed pipe): their jobs are ours now,
	// not after lease_ttl.
	if n, err := st.ReleaseLeases(ctx, crawler.OwnerPrefix()); err != nil {
		return runResult{}, unusable(cfg, err)
	} else if n > 0 {
		log.Info("took over the jobs of a crawl that ended without releasing them", "jobs", n)
	}
	for _, class := range opts.retryFailed {
		n, err := st.RequeueFailed(ctx, class)
		if err != nil {
			return runResult{}, unusable(cfg, err)
		}
		log.Info("requeued jobs failed for good", "class", class, "jobs", n)
	}
	onOutcome := opts.onOutcome

	c, err := crawler.New(cfg.Crawler, st, log)
	if err != nil {
		return runResult{}, usageError{fmt.Errorf("crawler: %w", err)}
	}
	p := pipeline.New(st, cleaner.New(cfg.Cleaner), dedup.New(cfg.Dedup), cfg.Store.RawHTML, log)

	bar := a.crawlProgress()
	if bar != nil {
		c.SetProgress(func(done, queued int) {
			bar.Describe(fmt.Sprintf("jobs done %d, queued %d; pages stored", done, queued))
		})
	}
	p.OnOutcome = func(o pipeline.Outcome) {
		if bar != nil {
			_ = bar.Add(1)
		}
		if onOutcome != nil {
			onOutcome(o)
		}
	}
	sum, err := job(ctx, c, p.Handle)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(a.stderr)
	}
	return runResult{Summary: sum, Counts: p.Counts(), started: true}, unusable(cfg, err)
}

// crawlProgress returns a spinner-style bar when stderr is a terminal and logs
// are text, else nil.
func (a *app) crawlProgress() *progressbar.ProgressBar {
	f, ok := a.stderr.(*os.File)
	if !ok || a.jsonLog || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription("pages"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("pages"),
		progressbar.OptionThrottle(200*time.Millisecond),
	)
}

// failed reports whether the run had errors worth a non-zero exit: jobs that
// failed for good, except robots.txt exclusions (obeyed, not failed) and pages
// with no article (a gallery or video page is no fault of the crawl); or
// seeds asked for of which none answered.
func (r runResult) failed() bool {
	e := r.Summary.ErrorsByClass
	s := r.Summary
	return s.Failed > e[crawler.ClassRobots]+e[pipeline.ClassNoArticle] || (s.SeedsTried > 0 && s.SeedsFetched == 0)
}

// openExisting opens the store for a command that only reads it (stats,
// export, why): a SQLite path that does not exist is an error, not a new empty
// database, so that a typo in --db does not pass for an empty corpus.
func openExisting(ctx context.Context, cfg config.Config) (store.Store, error) {
	if path, ok := store.SQLitePath(cfg.DB); ok {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no database: %w", err)
		}
	}
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}
