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

// Pipeline cleans, deduplicates and stores fetched pages. Its Handle method is
// the crawler's Handler. It is safe for concurrent use: the store serialises
// dedup decisions, so two copies of one story arriving at once form one story.
type Pipeline struct {
	store   store.Store
	cleaner *cleaner.Cleaner
	dedup   *dedup.Deduper
	log     *slog.Logger
	rawHTML bool

	// OnOutcome, if set, is called once for every handled page.
	OnOutcome func(Outcome)

	mu     sync.Mutex
	counts Counts
}

// New returns a pipeline writing to st. rawHTML keeps each page's raw response.
func New(st store.Store, cl *cleaner.Cleaner, dd *dedup.Deduper, rawHTML bool, log *slog.Logger) *Pipeline {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{store: st, cleaner: cl, dedup: dd, log: log, rawHTML: rawHTML}
}

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
	if p.OnOutcome != nil {
		p.OnOutcome(out)
	}
	return err
}

func (p *Pipeline) handle(ctx context.Context, f crawler.Fetched, out *Outcome) error {
	doc, err := p.clean(f)
	if err != nil {
		return err
	}
	var raw *export.Raw
	if p.rawHTML {
		raw = &export.Raw{URL: out.URL, Status: f.Status, Header: f.Header, Body: f.Body, FetchedAt: f.FetchedAt}
	}
	id, d, err := p.store.SavePage(ctx, func(ctx context.Context, idx dedup.Index) (store.Page, error) {
		d, err := p.dedup.Decide(ctx, idx, doc)
		if err != nil {
			return store.Page{}, err
		}
		return store.Page{Doc: doc, Decision: d, FrontierURL: f.Job.URL, Raw: raw}, nil
	})
	if err != nil {
		return fmt.Errorf("store %s: %w", out.URL, err)
	}
	out.Action, out.StoryID, out.Reason = d.Action, id, d.Reason
	p.log.Debug("stored", "url", out.URL, "action", d.Action, "story", id, "reason", d.Reason)
	return nil
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
			err = crawler.Permanent(crawler.ClassNotHTML, err)
		case errors.Is(err, cleaner.ErrTooLarge):
			err = crawler.Permanent(crawler.ClassTooLarge, err)
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
