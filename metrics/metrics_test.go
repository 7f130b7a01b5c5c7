package metrics_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/metrics"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
)

// TestMetrics feeds each hook and reads the families back as exposed.
func TestMetrics(t *testing.T) {
	m := metrics.New()
	m.Outcome(pipeline.Outcome{Action: dedup.ActionNew})
	m.Outcome(pipeline.Outcome{Action: dedup.ActionCopy})
	m.Outcome(pipeline.Outcome{Action: dedup.ActionCopy})
	m.Outcome(pipeline.Outcome{Action: dedup.ActionUnchanged})
	m.Outcome(pipeline.Outcome{Err: crawler.Permanent(pipeline.ClassNoArticle, errors.New("empty"))})
	m.Outcome(pipeline.Outcome{Err: errors.New("store: disk full")})
	m.Fetch(frontier.FetchRecord{Kind: frontier.KindArticle, Status: 200, Duration: 30 * time.Millisecond, Bytes: 1500})
	m.Fetch(frontier.FetchRecord{Kind: frontier.KindArticle, Status: 503, ErrClass: "http_5xx", Duration: time.Millisecond, Bytes: 20})
	m.Fetch(frontier.FetchRecord{Kind: frontier.KindFeed, ErrClass: "timeout"})
	m.Stage(pipeline.StageStore, time.Millisecond, errors.New("locked"))
	m.Stage(pipeline.StageStore, time.Millisecond, nil)
	m.Stage(pipeline.StageClean, 2*time.Millisecond, nil)
	m.Pass(metrics.PassOK, 3*time.Second, time.Unix(1_800_000_000, 0))
	m.Pass(metrics.PassLocked, 0, time.Time{})
	m.LeasesTakenOver(3)
	m.LeasesTakenOver(0)
	m.Frontier(store.Stats{Frontier: map[string]int64{"queued": 4, "done": 9}}, 2)

	want := `
# HELP wirecrawl_pages_total Fetched article pages by outcome: new (a new story), copy (merged into a story), unchanged, no_article, error.
# TYPE wirecrawl_pages_total counter
wirecrawl_pages_total{outcome="copy"} 2
wirecrawl_pages_total{outcome="error"} 1
wirecrawl_pages_total{outcome="new"} 1
wirecrawl_pages_total{outcome="no_article"} 1
wirecrawl_pages_total{outcome="unchanged"} 1
# HELP wirecrawl_fetches_total Fetch-log records by kind (article, feed, sitemap, ...), HTTP status (0: no response) and error class (empty: success).
# TYPE wirecrawl_fetches_total counter
wirecrawl_fetches_total{class="",kind="article",status="200"} 1
wirecrawl_fetches_total{class="http_5xx",kind="article",status="503"} 1
wirecrawl_fetches_total{class="timeout",kind="feed",status="0"} 1
# HELP wirecrawl_fetched_bytes_total Body bytes received, as sent (compressed), by kind; redirect and error bodies included.
# TYPE wirecrawl_fetched_bytes_total counter
wirecrawl_fetched_bytes_total{kind="article"} 1520
# HELP wirecrawl_leases_taken_over_total Frontier jobs taken over from crawl runs known dead (they ended without giving their leases back), at the start of a run.
# TYPE wirecrawl_leases_taken_over_total counter
wirecrawl_leases_taken_over_total 3
# HELP wirecrawl_store_errors_total Pages whose store transaction failed.
# TYPE wirecrawl_store_errors_total counter
wirecrawl_store_errors_total 1
# HELP wirecrawl_passes_total Crawl passes by result: ok, failures (some jobs failed for good), error (the pass stopped), locked (another crawl held the run lock).
# TYPE wirecrawl_passes_total counter
wirecrawl_passes_total{result="error"} 0
wirecrawl_passes_total{result="failures"} 0
wirecrawl_passes_total{result="locked"} 1
wirecrawl_passes_total{result="ok"} 1
# HELP wirecrawl_frontier_jobs Frontier jobs by state (queued, leased, done, failed), read from the store after each pass.
# TYPE wirecrawl_frontier_jobs gauge
wirecrawl_frontier_jobs{state="done"} 9
wirecrawl_frontier_jobs{state="queued"} 4
# HELP wirecrawl_feeds_due Feeds and sitemaps due for a poll, read from the store after each pass.
# TYPE wirecrawl_feeds_due gauge
wirecrawl_feeds_due 2
# HELP wirecrawl_last_pass_end_timestamp_seconds Unix time the last crawl pass ended.
# TYPE wirecrawl_last_pass_end_timestamp_seconds gauge
wirecrawl_last_pass_end_timestamp_seconds 1.8e+09
`
	names := []string{"wirecrawl_pages_total", "wirecrawl_fetches_total", "wirecrawl_fetched_bytes_total", "wirecrawl_leases_taken_over_total", "wirecrawl_store_errors_total", "wirecrawl_passes_total",
		"wirecrawl_frontier_jobs", "wirecrawl_feeds_due", "wirecrawl_last_pass_end_timestamp_seconds"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// Only fetches with a response are timed; the locked pass is not.
	if n := testutil.CollectAndCount(m.Registry(), "wirecrawl_fetch_duration_seconds"); n != 1 {
		t.Errorf("fetch_duration_seconds has %d series, want 1 (article)", n)
	}
	if n := testutil.CollectAndCount(m.Registry(), "wirecrawl_stage_duration_seconds"); n != 3 {
		t.Errorf("stage_duration_seconds has %d series, want 3", n)
	}
}
