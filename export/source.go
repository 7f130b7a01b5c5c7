package export

import (
	"context"
	"net/http"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// Filter selects the stories to export. Zero fields select everything.
type Filter struct {
	// Since and Until bound the story's published time (first seen when
	// unknown): Since <= t < Until (Since inclusive, Until exclusive).
	Since, Until time.Time
	// Site keeps stories with at least one copy on this site (host or site name).
	Site string
	// Lang keeps stories in this language.
	Lang string
	// Query keeps stories matching this full-text query (the store's
	// syntax: words, "quoted phrases", -excluded, prefix*) in their title,
	// text or copies' headlines.
	Query string
}

// Raw is a stored HTTP exchange, kept when store.raw_html is on.
type Raw struct {
	URL       string
	Status    int
	Header    http.Header
	Body      []byte
	FetchedAt time.Time
}

// Source is what export reads; the store implements it.
type Source interface {
	// Stories calls fn for every story matching f, in ID order, with Copies
	// filled, streaming (never the whole corpus in memory). An error from fn
	// stops the walk and is returned.
	Stories(ctx context.Context, f Filter, fn func(wirecrawl.Story) error) error
	// Raw returns the stored raw response of url; ok is false when none was kept.
	Raw(ctx context.Context, url string) (raw Raw, ok bool, err error)
}
