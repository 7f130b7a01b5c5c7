package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/pipeline"
)

// ingestCommand fetches and stores the URLs given on the command line.
func (a *app) ingestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "ingest URL...",
		Short: "Fetch, clean, dedup and store the given URLs (articles, feeds or home pages)",
		Long: `ingest handles each URL like the crawl does: an article is fetched and stored,
a feed or home page has its articles fetched and stored. It prints one line per
article: stored as a new story, merged into a story as a copy, unchanged, or
the error.`,
		Args: urlArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			var mu sync.Mutex
			failures := 0
			start := time.Now()
			pc := a.pipelineConfig(cfg)
			pc.OnOutcome = func(o pipeline.Outcome) {
				if o.Err != nil {
					return // reported by the crawler when it gives up
				}
				mu.Lock()
				defer mu.Unlock()
				a.outcomeLine(o)
			}
			res, err := a.runCrawl(cmd.Context(), cfg, pc, func(ctx context.Context, p *pipeline.Pipeline) (crawler.Summary, error) {
				return p.Ingest(ctx, args, func(url string, err error) {
					if err == nil {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					failures++
					a.outcomeLine(pipeline.Outcome{URL: url, Err: err})
				})
			})
			if err := a.endOfRun(cmd.Context(), res, time.Since(start), err); err != nil {
				return err
			}
			if failures > 0 || res.failed() {
				return fmt.Errorf("ingest: %w", errPartial)
			}
			return nil
		},
	}
}
