package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/metrics"
	"github.com/wirecrawl/wirecrawl/pipeline"
)

// crawlCommand runs one pass over the seeds: the main, cron-safe job.
func (a *app) crawlCommand() *cobra.Command {
	var (
		force       bool
		metricsFile string
		retryFailed []string
	)
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Crawl the seeds once: poll due feeds, fetch new articles, clean, dedup, store",
		Long: `crawl makes one pass over the seeds (config key seeds: files in seeds/ and URLs),
polls the feeds and sitemaps that are due, fetches new article pages politely,
cleans them, merges syndicated copies and stores the result, then exits.
It is safe to run from cron: a second run only fetches what is new, an
interrupted run resumes, and overlapping runs are refused or wait (overlap:).
Exit status: 0 all went well, 1 some work failed for good (or no seed could
be fetched), 2 bad usage or config, 3 another crawl holds the database, 4 the
store is unusable (corrupt, unreachable: nothing was marked failed), 130
interrupted (the summary says what was done; the next run resumes).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			seeds, err := crawler.ReadSeeds(cfg.Seeds)
			if err != nil {
				return usageError{fmt.Errorf("seeds: %w", err)}
			}
			if len(seeds) == 0 {
				return usageError{errors.New("seeds: no seed URLs (config key seeds)")}
			}
			start := time.Now()
			pc := a.pipelineConfig(cfg)
			pc.Force = force
			var m *metrics.Metrics
			if metricsFile != "" {
				m = metrics.New()
				pc.Observer, pc.OnOutcome = m, m.Outcome
			}
			res, err := a.runCrawlWith(cmd.Context(), cfg, pc, func(ctx context.Context, p *pipeline.Pipeline) (crawler.Summary, error) {
				return p.Crawl(ctx, seeds)
			}, runOptions{retryFailed: retryFailed})
			if err := a.endOfRun(cmd.Context(), res, time.Since(start), err); err != nil {
				return err
			}
			if m != nil {
				if err := a.writeMetricsFile(cmd.Context(), cfg, m, res, time.Since(start), metricsFile); err != nil {
					return err
				}
			}
			if res.failed() {
				return fmt.Errorf("crawl: %w", errPartial)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "poll every feed and sitemap, due or not, and retry failed seeds now")
	cmd.Flags().StringArrayVar(&retryFailed, "retry-failed", nil,
		"requeue the jobs failed for good with this error class before the pass (repeatable; e.g. process, timeout)")
	cmd.Flags().StringVar(&metricsFile, "metrics-file", "", "at the end, write the run's Prometheus metrics to this file (node_exporter textfile format)")
	return cmd
}
