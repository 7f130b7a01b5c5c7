package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/wirecrawl/wirecrawl/export"
)

// RecordCrawlRun notes that a crawl with r's command, version, seeds and
// configuration ran at r.LastRun: a new row for a combination not seen
// before, else its last run and count are updated. The dataset card lists
// these (export.CrawlRunSource).
func (s *db) RecordCrawlRun(ctx context.Context, r export.CrawlRun) error {
	seeds, err := json.Marshal(r.Seeds)
	if err != nil {
		return fmt.Errorf("store: record crawl run: %w", err)
	}
	config := string(r.Config)
	if config == "" {
		config = "{}"
	}
	h := sha256.New()
	for _, part := range []string{r.Command, r.Version, string(seeds), config} {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	key := hex.EncodeToString(h.Sum(nil))
	at := nanos(r.LastRun)
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO crawl_runs (run_key, command, version, seeds, config, config_sha256, first_run, last_run, runs)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT (run_key) DO UPDATE SET last_run = excluded.last_run, runs = crawl_runs.runs + 1`),
		key, r.Command, r.Version, string(seeds), config, r.ConfigSHA256, at, at)
	if err != nil {
		return fmt.Errorf("store: record crawl run: %w", err)
	}
	return nil
}

// CrawlRuns lists the recorded crawl runs, oldest first; see export.CrawlRunSource.
func (s *db) CrawlRuns(ctx context.Context) ([]export.CrawlRun, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT command, version, seeds, config, config_sha256, first_run, last_run, runs
		FROM crawl_runs ORDER BY first_run, id`)
	if err != nil {
		return nil, fmt.Errorf("store: crawl runs: %w", err)
	}
	defer rows.Close()
	var out []export.CrawlRun
	for rows.Next() {
		var (
			r            export.CrawlRun
			seeds, cfg   string
			first, last_ int64
		)
		if err := rows.Scan(&r.Command, &r.Version, &seeds, &cfg, &r.ConfigSHA256, &first, &last_, &r.Runs); err != nil {
			return nil, fmt.Errorf("store: crawl runs: %w", err)
		}
		if err := json.Unmarshal([]byte(seeds), &r.Seeds); err != nil {
			return nil, fmt.Errorf("store: crawl runs: seeds: %w", err)
		}
		r.Config = json.RawMessage(cfg)
		r.FirstRun, r.LastRun = fromNanos(first), fromNanos(last_)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: crawl runs: %w", err)
	}
	return out, nil
}
