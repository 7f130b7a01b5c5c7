package main

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
)

// crawlRecorder is implemented by the stores: they keep the crawl runs the
// dataset card lists.
type crawlRecorder interface {
	RecordCrawlRun(ctx context.Context, r export.CrawlRun) error
}

// recordCrawlRun records, at crawl time, the command, version, seeds and
// configuration of this run in st for the dataset card. A store that cannot
// record it only costs the card its crawl section: the failure is logged.
func (a *app) recordCrawlRun(ctx context.Context, st store.Store, cfg config.Config) {
	rec, ok := st.(crawlRecorder)
	if !ok {
		return
	}
	seeds := cfg.Seeds
	if a.command == "ingest" {
		seeds = a.commandArgs // ingest crawls its arguments, not the seeds
	}
	cfg.DB = redactDSN(cfg.DB)
	b, err := json.Marshal(configByKey(cfg))
	if err == nil {
		var sum string
		if sum, err = export.HashConfig(cfg); err == nil {
			err = rec.RecordCrawlRun(ctx, export.CrawlRun{
				Command: a.command, Version: version, Seeds: export.SeedRefs(seeds),
				Config: b, ConfigSHA256: sum, LastRun: time.Now().UTC(),
			})
		}
	}
	if err != nil {
		a.logger(cfg).Warn("could not record this crawl's configuration for the dataset card", "err", err)
	}
}

// configByKey is cfg as its dotted keys (crawler.user_agent), the names
// config.yaml, --set and the environment use, durations written as in YAML.
func configByKey(cfg config.Config) map[string]any {
	m := make(map[string]any)
	for _, k := range config.Keys() {
		v, _ := cfg.Value(k)
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		m[k] = v
	}
	return m
}

// redactDSN removes a password from a DSN URL (postgres://user:pass@...).
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return dsn
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
