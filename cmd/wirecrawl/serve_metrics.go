package main

import (
	"context"
	"fmt"
	"time"

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/metrics"
	"github.com/wirecrawl/wirecrawl/store"
)

// writeMetricsFile records a finished crawl run in m (its pass, and the
// frontier as the store holds it now) and writes m to path in
// node_exporter's textfile format: the same families `serve` exposes.
func (a *app) writeMetricsFile(ctx context.Context, cfg config.Config, m *metrics.Metrics, res runResult, took time.Duration, path string) error {
	result := metrics.PassOK
	if res.failed() {
		result = metrics.PassFailures
	}
	m.Pass(result, took, time.Now())
	m.LeasesTakenOver(res.takenOver)
	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return fmt.Errorf("metrics file: open store: %w", err)
	}
	defer st.Close()
	stats, err := st.Stats(ctx)
	if err != nil {
		return fmt.Errorf("metrics file: %w", err)
	}
	due := 0
	if sch, ok := st.(store.Scheduler); ok {
		if due, err = sch.FeedsDue(ctx, time.Now()); err != nil {
			return fmt.Errorf("metrics file: %w", err)
		}
	}
	m.Frontier(stats, due)
	return m.WriteTextfile(path)
}
