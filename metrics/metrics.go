// Package metrics holds wirecrawl's Prometheus metrics: one registry per
// process with the crawl's counters and histograms, Go runtime and process
// collectors. `wirecrawl serve` exposes it on /metrics; `wirecrawl crawl
// --metrics-file` writes it in node_exporter's textfile format at the end of
// a run. It does not serve HTTP itself (serve does) and keeps no state but
// the metrics.
package metrics

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
)

// Namespace prefixes every wirecrawl metric.
const Namespace = "wirecrawl"

// Metrics is the set of wirecrawl's metrics on their own registry. It
// implements pipeline.Observer; Outcome is a pipeline.Config.OnOutcome hook.
// All methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	fetches      *prometheus.CounterVec
	fetchSeconds *prometheus.HistogramVec
	fetchBytes   *prometheus.CounterVec
	takenOver    prometheus.Counter
	pages        *prometheus.CounterVec
	stageSeconds *prometheus.HistogramVec
	storeErrors  prometheus.Counter
	frontier     *prometheus.GaugeVec
	feedsDue     prometheus.Gauge
	passes       *prometheus.CounterVec
	passSeconds  prometheus.Histogram
	lastPassEnd  prometheus.Gauge
}

// New returns the metrics on a fresh registry, with the Go runtime and
// process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "fetches_total",
			Help: "Fetch-log records by kind (article, feed, sitemap, ...), HTTP status (0: no response) and error class (empty: success).",
		}, []string{"kind", "status", "class"}),
		fetchSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "fetch_duration_seconds",
			Help:    "Time of fetches that got a response, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}, []string{"kind"}),
		fetchBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "fetched_bytes_total",
			Help: "Body bytes received, as sent (compressed), by kind; redirect and error bodies included.",
		}, []string{"kind"}),
		takenOver: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "leases_taken_over_total",
			Help: "Frontier jobs taken over from crawl runs known dead (they ended without giving their leases back), at the start of a run.",
		}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "pages_total",
			Help: "Fetched article pages by outcome: new (a new story), copy (merged into a story), unchanged, no_article, error.",
		}, []string{"outcome"}),
		stageSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "stage_duration_seconds",
			Help:    "Time one page spent in a pipeline stage: clean, dedup, store (the transaction without the dedup decision).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 3, 12),
		}, []string{"stage"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "store_errors_total",
			Help: "Pages whose store transaction failed.",
		}),
		frontier: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "frontier_jobs",
			Help: "Frontier jobs by state (queued, leased, done, failed), read from the store after each pass.",
		}, []string{"state"}),
		feedsDue: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "feeds_due",
			Help: "Feeds and sitemaps due for a poll, read from the store after each pass.",
		}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "passes_total",
			Help: "Crawl passes by result: ok, failures (some jobs failed for good), error (the pass stopped), locked (another crawl held the run lock).",
		}, []string{"result"}),
		passSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "pass_duration_seconds",
			Help:    "Wall time of crawl passes.",
			Buckets: prometheus.ExponentialBuckets(0.1, 3, 10),
		}),
		lastPassEnd: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "last_pass_end_timestamp_seconds",
			Help: "Unix time the last crawl pass ended.",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.fetches, m.fetchSeconds, m.fetchBytes, m.takenOver, m.pages, m.stageSeconds, m.storeErrors,
		m.frontier, m.feedsDue, m.passes, m.passSeconds, m.lastPassEnd,
	)
	// Outcome labels that exist from the start, so that a rate over them is
	// defined before the first page.
	for _, o := range []string{"new", "copy", "unchanged", "no_article", "error"} {
		m.pages.WithLabelValues(o)
	}
	for _, s := range []pipeline.Stage{pipeline.StageClean, pipeline.StageDedup, pipeline.StageStore} {
		m.stageSeconds.WithLabelValues(string(s))
	}
	for _, r := range []string{PassOK, PassFailures, PassError, PassLocked} {
		m.passes.WithLabelValues(r)
	}
	return m
}

// Registry is the registry every metric is on, for an HTTP handler or a
// textfile.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Fetch implements pipeline.Observer.
func (m *Metrics) Fetch(rec frontier.FetchRecord) {
	kind := string(rec.Kind)
	if kind == "" {
		kind = "unknown"
	}
	m.fetches.WithLabelValues(kind, strconv.Itoa(rec.Status), rec.ErrClass).Inc()
	if rec.Status != 0 {
		m.fetchSeconds.WithLabelValues(kind).Observe(rec.Duration.Seconds())
	}
	if rec.Bytes > 0 {
		m.fetchBytes.WithLabelValues(kind).Add(float64(rec.Bytes))
	}
}

// LeasesTakenOver counts n frontier jobs taken over from dead runs.
func (m *Metrics) LeasesTakenOver(n int) {
	if n > 0 {
		m.takenOver.Add(float64(n))
	}
}

// Stage implements pipeline.Observer.
func (m *Metrics) Stage(stage pipeline.Stage, took time.Duration, err error) {
	m.stageSeconds.WithLabelValues(string(stage)).Observe(took.Seconds())
	if stage == pipeline.StageStore && err != nil {
		m.storeErrors.Inc()
	}
}

// Outcome counts one handled page; it is a pipeline.Config.OnOutcome hook.
func (m *Metrics) Outcome(o pipeline.Outcome) {
	var label string
	switch {
	case o.Err != nil && isNoArticle(o.Err):
		label = "no_article"
	case o.Err != nil:
		label = "error"
	case o.Action == dedup.ActionNew:
		label = "new"
	case o.Action == dedup.ActionCopy:
		label = "copy"
	default:
		label = "unchanged"
	}
	m.pages.WithLabelValues(label).Inc()
}

// Results of a pass, the values of passes_total's result label.
const (
	PassOK       = "ok"
	PassFailures = "failures"
	PassError    = "error"
	PassLocked   = "locked"
)

// Pass records one pass: its result (PassOK, ...) and, unless it was
// locked out, its duration and end.
func (m *Metrics) Pass(result string, took time.Duration, end time.Time) {
	m.passes.WithLabelValues(result).Inc()
	if result == PassLocked {
		return
	}
	m.passSeconds.Observe(took.Seconds())
	m.lastPassEnd.Set(float64(end.UnixNano()) / 1e9)
}

// Frontier sets the frontier gauges from the store's counts.
func (m *Metrics) Frontier(st store.Stats, feedsDue int) {
	for state, n := range st.Frontier {
		m.frontier.WithLabelValues(state).Set(float64(n))
	}
	m.feedsDue.Set(float64(feedsDue))
}

// WriteTextfile writes every metric to path in node_exporter's textfile
// format, atomically (a temporary file renamed over path).
func (m *Metrics) WriteTextfile(path string) error {
	if err := prometheus.WriteToTextfile(path, m.reg); err != nil {
		return fmt.Errorf("metrics: write %s: %w", path, err)
	}
	return nil
}

// isNoArticle reports whether err says the page held no article.
func isNoArticle(err error) bool {
	var pe *crawler.PermanentError
	return errors.As(err, &pe) && pe.Class == pipeline.ClassNoArticle
}
