package export_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

func TestCrawlRunsSQLite(t *testing.T) {
	crawlRuns(t, "sqlite:"+filepath.Join(t.TempDir(), "wirecrawl.db"))
}

func TestCrawlRunsPostgres(t *testing.T) { crawlRuns(t, storetest.PostgresDSN(t)) }

// Both stores keep one entry per distinct crawl configuration, counting its runs.
func crawlRuns(t *testing.T, dsn string) {
	st := loadStore(t, dsn, &exporttest.Corpus{N: 1, Paragraphs: 1})
	rec, ok := st.(interface {
		RecordCrawlRun(context.Context, export.CrawlRun) error
	})
	src, ok2 := st.(export.CrawlRunSource)
	if !ok || !ok2 {
		t.Fatal("the store records no crawl runs")
	}
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a := export.CrawlRun{Command: "crawl", Version: "v1", Seeds: []export.Seed{{Source: "seeds/feeds.txt", SHA256: "ab"}},
		Config: json.RawMessage(`{"x":1}`), ConfigSHA256: "h1"}
	b := a
	b.Config, b.ConfigSHA256 = json.RawMessage(`{"x":2}`), "h2"
	for i, r := range []export.CrawlRun{a, a, b, a} {
		r.LastRun = t0.Add(time.Duration(i) * time.Hour)
		if err := rec.RecordCrawlRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := src.CrawlRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Runs != 3 || runs[1].Runs != 1 || runs[0].ConfigSHA256 != "h1" ||
		!runs[0].FirstRun.Equal(t0) || !runs[0].LastRun.Equal(t0.Add(3*time.Hour)) ||
		string(runs[1].Config) != `{"x":2}` || len(runs[0].Seeds) != 1 || runs[0].Seeds[0].SHA256 != "ab" {
		t.Fatalf("runs %+v", runs)
	}
}
