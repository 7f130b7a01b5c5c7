package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/crawler"
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
}

// runLockName names the lock that keeps crawls from overlapping: one per
// machine, so that cron runs on one machine never overlap while a fleet of
// machines shares one PostgreSQL store.
func runLockName() string {
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
		RunLock:     runLockName(),
		WaitForLock: cfg.Overlap == "wait",
		Log:         a.logger(cfg),
	}
}

// runCrawl opens the store, has the pipeline wire the stages as pc says
// (taking the run lock) and runs job. A progress bar, on a terminal, sees
// every outcome after pc.OnOutcome.
func (a *app) runCrawl(ctx context.Context, cfg config.Config, pc pipeline.Config, job crawlJob) (runResult, error) {
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return runResult{}, fmt.Errorf("open store: %w", err)
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
	p, err := pipeline.New(ctx, st, pc)
	switch {
	case errors.Is(err, store.ErrLocked):
		return runResult{}, errLocked
	case errors.Is(err, pipeline.ErrConfig):
		return runResult{}, usageError{err}
	case err != nil:
		return runResult{}, err
	}
	defer p.Close()
	a.recordCrawlRun(ctx, st, cfg)
	sum, err := job(ctx, p)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(a.stderr)
	}
	return runResult{Summary: sum, Counts: p.Counts()}, err
}

// crawlProgress returns a spinner-style bar when stderr is a terminal, else nil.
func (a *app) crawlProgress() *progressbar.ProgressBar {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
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

// printSummary writes the end-of-run summary.
func (a *app) printSummary(r runResult, took time.Duration) {
	s, c := r.Summary, r.Counts
	fmt.Fprintf(a.stdout, "feeds polled %d (%d not modified), pages fetched %d, stories new %d, copies merged %d, unchanged %d, no article %d, in %s\n",
		s.FeedsPolled, s.NotModified, s.PagesFetched, c.New, c.Copies, c.Unchanged, c.NoArticle, took.Round(time.Millisecond))
	if len(s.ErrorsByClass) > 0 {
		classes := make([]string, 0, len(s.ErrorsByClass))
		for k := range s.ErrorsByClass {
			classes = append(classes, k)
		}
		sort.Strings(classes)
		parts := make([]string, len(classes))
		for i, k := range classes {
			parts[i] = fmt.Sprintf("%s %d", k, s.ErrorsByClass[k])
		}
		fmt.Fprintf(a.stdout, "errors: %s\n", strings.Join(parts, ", "))
	}
}

// failed reports whether the run had errors worth a non-zero exit: jobs that
// failed for good, except robots.txt exclusions (obeyed, not failed) and pages
// with no article (a gallery or video page is no fault of the crawl).
func (r runResult) failed() bool {
	e := r.Summary.ErrorsByClass
	return r.Summary.Failed > e[crawler.ClassRobots]+e[pipeline.ClassNoArticle]
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
