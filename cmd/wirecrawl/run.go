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

// runCrawl opens the store, takes the run lock, wires the stages and runs job.
// onOutcome, if set, sees every handled page.
func (a *app) runCrawl(ctx context.Context, cfg config.Config, job crawlJob, onOutcome func(pipeline.Outcome)) (runResult, error) {
	log := a.logger(cfg)
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return runResult{}, fmt.Errorf("open store: %w", err)
	}
	defer st.Close()

	release, err := st.RunLock(ctx, runLockName(), cfg.Overlap == "wait")
	if errors.Is(err, store.ErrLocked) {
		return runResult{}, errLocked
	}
	if err != nil {
		return runResult{}, fmt.Errorf("run lock: %w", err)
	}
	defer release()

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
