package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/cleaner"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
)

// ClassNoArticle is the error class of a page in which the cleaner found no
// article: recorded once, not retried.
const ClassNoArticle = "no_article"

// Outcome is what happened to one fetched page.
type Outcome struct {
	URL string
	// Action is new, copy or unchanged; empty when Err is set.
	Action dedup.Action
	// StoryID is the story the page was stored under.
	StoryID int64
	// Reason is dedup's explanation.
	Reason string
	// Err is why the page was not stored.
	Err error
}

// String renders the outcome as the one line `wirecrawl ingest` prints.
func (o Outcome) String() string {
	switch {
	case o.Err != nil:
		return fmt.Sprintf("%s: error: %v", o.URL, o.Err)
	case o.Action == dedup.ActionNew:
		return fmt.Sprintf("%s: stored as new story %d", o.URL, o.StoryID)
	case o.Action == dedup.ActionCopy:
		return fmt.Sprintf("%s: merged into story %d as a copy (%s)", o.URL, o.StoryID, o.Reason)
	default:
		return fmt.Sprintf("%s: unchanged (story %d)", o.URL, o.StoryID)
	}
}

// Counts are the pipeline's running totals for one run.
type Counts struct {
	New       int // new stories
	Copies    int // pages merged into an existing story
	Unchanged int // pages already stored with the same text
	NoArticle int // pages where the cleaner found no article
}

// Config configures a Pipeline: each stage's own Config, and what the
// pipeline adds around them. The zero value works (a crawler with its
// defaults, no run lock, raw pages not kept).
type Config struct {
	// Crawler, Cleaner and Dedup configure the stages.
	Crawler crawler.Config
	Cleaner cleaner.Config
	Dedup   dedup.Config
	// RawHTML keeps each page's raw response with its story, for WARC export.
	RawHTML bool
	// Force makes every Crawl poll every seed feed and sitemap, due or not.
	Force bool
	// RunLock, if set, names a run lock (Store.RunLock) that New takes and
	// Close gives back, so that two runs holding the same name never
	// overlap. WaitForLock makes New wait for it; without it New fails with
	// an error wrapping store.ErrLocked while another run holds it.
	RunLock     string
	WaitForLock bool
	// Log receives every stage's log; nil discards.
	Log *slog.Logger
	// OnOutcome, if set, is called once for every handled page.
	OnOutcome func(Outcome)
	// Progress, if set, is the crawler's progress hook (crawler.Progress).
	Progress crawler.Progress
	// Observer, if set, hears every fetch-log record and the time each
	// stage took on each page, for metrics.
	Observer Observer
}

// Stage names a step of Handle timed for an Observer.
type Stage string

// The stages an Observer hears about. StageStore is the store transaction
// without the dedup decision made inside it.
const (
	StageClean Stage = "clean"
	StageDedup Stage = "dedup"
	StageStore Stage = "store"
)

// Observer hears what a pipeline does, for metrics. Its methods are called
// from many goroutines at once and must not block.
type Observer interface {
	// Fetch hears each record the crawler writes to the fetch log.
	Fetch(rec frontier.FetchRecord)
	// Stage hears how long one stage took on one page, and its error.
	Stage(stage Stage, took time.Duration, err error)
}

// observedState passes the crawler's fetch-log records to an Observer.
type observedState struct {
	store.Store
	o Observer
}

// LogFetch implements frontier.State.
func (s observedState) LogFetch(ctx context.Context, rec frontier.FetchRecord) error {
	s.o.Fetch(rec)
	return s.Store.LogFetch(ctx, rec)
}

// Pipeline crawls, cleans, deduplicates and stores pages: the one place that
// wires the stages. It is safe for concurrent use: the store serialises dedup
// decisions, so two copies of one story arriving at once form one story.
type Pipeline struct {
	store   store.Store
	crawler *crawler.Crawler
	cleaner *cleaner.Cleaner
	dedup   *dedup.Deduper
	log     *slog.Logger
	cfg     Config
	release func() // gives the run lock back; nil without one

	mu     sync.Mutex
	counts Counts
}

// ErrConfig marks an error of New caused by a bad stage configuration.
var ErrConfig = errors.New("bad configuration")

// New builds the stages from cfg on st and, when cfg names a run lock, takes
// it. Close gives back what New took; st stays open (the caller's to close).
// A bad stage configuration is an error wrapping ErrConfig; a run lock held
// elsewhere, one wrapping store.ErrLocked.
func New(ctx context.Context, st store.Store, cfg Config) (*Pipeline, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var cst frontier.State = st
	if cfg.Observer != nil {
		cst = observedState{Store: st, o: cfg.Observer}
	}
	c, err := crawler.New(cfg.Crawler, cst, log)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w: %w", ErrConfig, err)
	}
	p := &Pipeline{store: st, crawler: c, cleaner: cleaner.New(cfg.Cleaner), dedup: dedup.New(cfg.Dedup), log: log, cfg: cfg}
	if cfg.RunLock != "" {
		release, err := st.RunLock(ctx, cfg.RunLock, cfg.WaitForLock)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("pipeline: run lock %s: %w", cfg.RunLock, err)
		}
		p.release = release
	}
	if cfg.Progress != nil {
		c.SetProgress(cfg.Progress)
	}
	return p, nil
}

// Crawl runs one crawl pass over seeds (see crawler.Crawler.Crawl), every
// fetched article page cleaned, deduplicated and stored.
func (p *Pipeline) Crawl(ctx context.Context, seeds []string) (crawler.Summary, error) {
	return p.crawler.Crawl(ctx, seeds, p.cfg.Force, p.Handle)
}

// Ingest fetches, cleans, deduplicates and stores urls and what they lead to
// (see crawler.Crawler.Ingest); report, if set, hears each input URL's
// final error.
func (p *Pipeline) Ingest(ctx context.Context, urls []string, report func(url string, err error)) (crawler.Summary, error) {
	return p.crawler.Ingest(ctx, urls, p.Handle, report)
}

// Close gives back the run lock and the crawler's idle connections.
func (p *Pipeline) Close() error {
	err := p.crawler.Close()
	if p.release != nil {
		p.release()
		p.release = nil
	}
	return err
}

// DedupStats returns the deduper's counters (candidates nominated and
// verified, texts read, cache hits) for this pipeline's run so far.
func (p *Pipeline) DedupStats() dedup.Stats { return p.dedup.Stats() }

// Counts returns the totals so far.
func (p *Pipeline) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// Handle cleans one fetched page, decides whether it is a new story, a copy or
// unchanged, and stores it in one transaction with its frontier state.
func (p *Pipeline) Handle(ctx context.Context, f crawler.Fetched) error {
	out := Outcome{URL: f.FinalURL}
	if out.URL == "" {
		out.URL = f.URL
	}
	err := p.handle(ctx, f, &out)
	if err != nil {
		out.Err = err
	}
	p.mu.Lock()
	switch {
	case errors.Is(err, cleaner.ErrNoContent) || errors.Is(err, cleaner.ErrNotHTML) || errors.Is(err, cleaner.ErrTooLarge):
		p.counts.NoArticle++
	case err != nil:
	case out.Action == dedup.ActionNew:
		p.counts.New++
	case out.Action == dedup.ActionCopy:
		p.counts.Copies++
	default:
		p.counts.Unchanged++
	}
	p.mu.Unlock()
	if p.cfg.OnOutcome != nil {
		p.cfg.OnOutcome(out)
	}
	return err
}

func (p *Pipeline) handle(ctx context.Context, f crawler.Fetched, out *Outcome) error {
	start := time.Now()
	doc, err := p.clean(f)
	p.observe(StageClean, start, err)
	if err != nil {
		return err
	}
	var raw *export.Raw
	if p.cfg.RawHTML {
		raw = &export.Raw{URL: out.URL, Status: f.Status, Header: f.Header, Body: f.Body, FetchedAt: f.FetchedAt}
	}
	start = time.Now()
	var (
		decideTook time.Duration
		decideErr  error
	)
	id, d, err := p.store.SavePage(ctx, func(ctx context.Context, idx dedup.Index) (store.Page, error) {
		decideStart := time.Now()
		d, err := p.dedup.Decide(ctx, idx, doc)
		decideTook += time.Since(decideStart)
		decideErr = err
		if p.cfg.Observer != nil {
			p.cfg.Observer.Stage(StageDedup, time.Since(decideStart), err)
		}
		if err != nil {
			return store.Page{}, err
		}
		return store.Page{Doc: doc, Decision: d, FrontierURL: f.Job.URL, Raw: raw}, nil
	})
	if p.cfg.Observer != nil {
		storeErr := err
		if decideErr != nil {
			storeErr = nil // dedup's failure, heard already
		}
		p.cfg.Observer.Stage(StageStore, time.Since(start)-decideTook, storeErr)
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", out.URL, err)
	}
	out.Action, out.StoryID, out.Reason = d.Action, id, d.Reason
	p.log.Debug("stored", "url", out.URL, "action", d.Action, "story", id, "reason", d.Reason)
	return nil
}

// observe tells the Observer, if any, how long stage took since start.
func (p *Pipeline) observe(stage Stage, start time.Time, err error) {
	if p.cfg.Observer != nil {
		p.cfg.Observer.Stage(stage, time.Since(start), err)
	}
}

// clean extracts the article; when the page has none, the feed item's full
// content stands in. Feed metadata fills what the page leaves empty.
func (p *Pipeline) clean(f crawler.Fetched) (wirecrawl.Document, error) {
	url := f.FinalURL
	if url == "" {
		url = f.URL
	}
	doc, err := p.cleaner.Clean(f.Body, url, f.Header.Get("Content-Type"))
	if err != nil && f.Item != nil && strings.TrimSpace(f.Item.Content) != "" {
		wrapped := "<html><body><article>" + f.Item.Content + "</article></body></html>"
		if alt, altErr := p.cleaner.Clean([]byte(wrapped), url, "text/html; charset=utf-8"); altErr == nil {
			doc, err = alt, nil
		}
	}
	if err != nil {
		err = fmt.Errorf("clean %s: %w", url, err)
		switch {
		case errors.Is(err, cleaner.ErrNoContent):
			err = crawler.Permanent(ClassNoArticle, err)
		case errors.Is(err, cleaner.ErrNotHTML):
			err = crawler.Permanent(frontier.ClassNotHTML, err)
		case errors.Is(err, cleaner.ErrTooLarge):
			err = crawler.Permanent(frontier.ClassTooLarge, err)
		}
		return doc, err
	}
	if it := f.Item; it != nil {
		if doc.Title == "" {
			doc.Title = it.Title
		}
		if doc.Byline == "" {
			doc.Byline = it.Author
		}
		if doc.Published.IsZero() {
			doc.Published = it.Published
		}
		if doc.Lang == "" {
			doc.Lang = it.Language
		}
	}
	if doc.URL == "" {
		doc.URL = url
	}
	doc.FetchedAt = f.FetchedAt
	if doc.FetchedAt.IsZero() {
		doc.FetchedAt = time.Now().UTC()
	}
	return doc, nil
}
