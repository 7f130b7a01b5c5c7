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

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
)

// exitLocked is the exit status of a crawl that found another crawl running
// and was configured (overlap: exit) not to wait.
const exitLocked = 3

// errLocked marks that exit.
var errLocked = errors.New("another crawl is running on this database")

// crawlJob is one crawl-like run on a wired pipeline: a pass over the
// seeds, or an ingest.
type crawlJob func(ctx context.Context, p *pipeline.Pipeline) (crawler.Summary, error)

// runResult is what a crawl-like run did.
type runResult struct {
	Summary crawler.Summary
	Counts  pipeline.Counts
	// started says the pass ran (the store opened, the run lock taken).
	started bool
	// takenOver counts the jobs taken over from dead runs before the pass.
	takenOver int
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

// pipelineConfig turns the configuration into the pipeline's: the stage
// configs, and the run lock that keeps crawls from overlapping.
func (a *app) pipelineConfig(cfg config.Config) pipeline.Config {
	return pipeline.Config{
		Crawler:     cfg.Crawler,
		Cleaner:     cfg.Cleaner,
		Dedup:       cfg.Dedup,
		RawHTML:     cfg.Store.RawHTML,
		RunLock:     runLockName(cfg.DB),
		WaitForLock: cfg.Overlap == "wait",
		Log:         a.logger(cfg),
	}
}

// runOptions are the optional parts of a crawl-like run.
type runOptions struct {
	// retryFailed lists error classes whose failed jobs are requeued
	// before the run (crawl --retry-failed).
	retryFailed []string
}

// unusable wraps err as an unusable-store error (exit 4) when it is one.
func unusable(cfg config.Config, err error) error {
	if err != nil && store.IsUnusable(err) {
		return storeUnusableError{err: err, help: store.UnusableHelp(cfg.DB)}
	}
	return err
}

// runCrawl opens the store, has the pipeline wire the stages as pc says
// (taking the run lock) and runs job. A progress bar, on a terminal, sees
// every outcome after pc.OnOutcome.
func (a *app) runCrawl(ctx context.Context, cfg config.Config, pc pipeline.Config, job crawlJob) (runResult, error) {
	return a.runCrawlWith(ctx, cfg, pc, job, runOptions{})
}

// runCrawlWith is runCrawl with options. Holding the run lock, it first
// takes over the leases that dead runs left (see store.ReleaseLeases) and
// requeues the failures opts names. A store error that says the store is
// unusable comes back as a storeUnusableError (exit 4).
func (a *app) runCrawlWith(ctx context.Context, cfg config.Config, pc pipeline.Config, job crawlJob, opts runOptions) (runResult, error) {
	log := pc.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return runResult{}, unusable(cfg, fmt.Errorf("open store: %w", err))
	}
	defer st.Close()

	bar := a.crawlProgress()
	if bar != nil {
		pc.Progress = func(done, queued int) {
			bar.Describe(fmt.Sprintf("jobs done %d, queued %d; pages stored", done, queued))
		}
		onOutcome := pc.OnOutcome
		pc.OnOutcome = func(o pipeline.Outcome) {
			_ = bar.Add(1)
			if onOutcome != nil {
				onOutcome(o)
			}
		}
	}
	if pc.RunLock != "" && pc.WaitForLock {
		// Say so when we are going to wait for another crawl.
		if release, err := st.RunLock(ctx, pc.RunLock, false); err == nil {
			release()
		} else if errors.Is(err, store.ErrLocked) {
			log.Info("waiting for the crawl that holds the database to end (overlap: wait)", "lock", pc.RunLock)
		}
	}
	p, err := pipeline.New(ctx, st, pc)
	switch {
	case errors.Is(err, store.ErrLocked):
		return runResult{}, errLocked
	case errors.Is(err, pipeline.ErrConfig):
		return runResult{}, usageError{err}
	case err != nil && ctx.Err() != nil:
		return runResult{}, ctx.Err()
	case err != nil:
		return runResult{}, unusable(cfg, err)
	}
	defer p.Close()

	takenOver, err := takeOverLeases(ctx, st, log)
	if err != nil {
		return runResult{}, unusable(cfg, err)
	}
	for _, class := range opts.retryFailed {
		n, err := st.RequeueFailed(ctx, class)
		if err != nil {
			return runResult{}, unusable(cfg, err)
		}
		log.Info("requeued jobs failed for good", "class", class, "jobs", n)
	}

	a.recordCrawlRun(ctx, st, cfg)
	sum, err := job(ctx, p)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(a.stderr)
	}
	return runResult{Summary: sum, Counts: p.Counts(), started: true, takenOver: takenOver}, unusable(cfg, err)
}

// takeOverLeases, called holding the run lock, gives the jobs that runs
// known dead left leased (killed, or cut off by a closed pipe) back to the
// queue at once, not after lease_ttl, and returns how many.
func takeOverLeases(ctx context.Context, st store.Store, log *slog.Logger) (int, error) {
	n, err := st.ReleaseLeases(ctx, crawler.OwnerPrefix())
	if err != nil {
		return 0, fmt.Errorf("take over leases: %w", err)
	}
	if n > 0 {
		log.Info("took over the jobs of a crawl that ended without releasing them", "jobs", n)
	}
	return n, nil
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
	return s.Failed > e[frontier.ClassRobots]+e[pipeline.ClassNoArticle] || (s.SeedsTried > 0 && s.SeedsFetched == 0)
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
