package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// ErrLocked is returned by RunLock when the named lock is held elsewhere and
// the caller asked not to wait.
var ErrLocked = errors.New("store: lock held by another run")

// Store is the durable state of wirecrawl: the crawler's frontier and
// politeness state, the dedup index, and the stories export reads. Every
// method is safe for concurrent use, and across processes sharing one
// database.
type Store interface {
	frontier.State
	dedup.Index
	export.Source

	// SavePage stores one processed page atomically. Under a store-wide dedup
	// lock (one decision at a time, across processes) it calls decide with an
	// Index that reads inside the same transaction, then writes the page that
	// decide returns in that transaction: a new story, or a copy of
	// Decision.StoryID (replacing the story's canonical text when
	// Decision.Canonical, keeping the earlier version), the stories in
	// Decision.Merge merged into it (copies, keys and versions move, the
	// merged stories are deleted; see the package doc for which canonical
	// wins), the Decision.Keys under the story, the URL's content hash, the
	// frontier jobs FrontierURL and Doc.URL marked done, and the raw response
	// when Config.RawHTML.
	// ActionUnchanged only marks the frontier jobs done. An error from decide
	// rolls everything back and is returned. It returns the story's ID and the
	// decision as stored (StoryID filled in for a new story).
	SavePage(ctx context.Context, decide func(ctx context.Context, idx dedup.Index) (Page, error)) (storyID int64, d dedup.Decision, err error)

	// StoryOf returns the story url belongs to (with its copies) and url's own
	// copy record; ok is false when url is not stored.
	StoryOf(ctx context.Context, url string) (st wirecrawl.Story, cp wirecrawl.Copy, ok bool, err error)

	// RunLock takes the named lock for one crawl run, so that runs started by
	// cron do not overlap. With wait false it returns ErrLocked at once when
	// the lock is held; with wait true it waits until the lock is free or ctx
	// ends. The lock is released by calling release (idempotent), by Close, or
	// when the process dies.
	RunLock(ctx context.Context, name string, wait bool) (release func(), err error)

	// ReleaseLeases puts back in the queue, at once and without counting an
	// attempt, the leased jobs of owners known dead: on SQLite every lease,
	// on PostgreSQL those whose owner starts with ownerPrefix. Call it only
	// while holding the run lock that proves those owners dead.
	ReleaseLeases(ctx context.Context, ownerPrefix string) (n int, err error)

	// RequeueFailed puts the jobs failed for good with error class class
	// back in the queue, due now, with a fresh set of attempts.
	RequeueFailed(ctx context.Context, class string) (n int, err error)

	// Stats counts what the store holds.
	Stats(ctx context.Context) (Stats, error)

	// Close releases the database; held run locks are released.
	Close() error
}

// Page is one processed page as decided by dedup, ready to store.
type Page struct {
	// Doc is the cleaned document.
	Doc wirecrawl.Document
	// Decision is dedup's verdict on Doc.
	Decision dedup.Decision
	// FrontierURL is the frontier key the page was fetched for; it may differ
	// from Doc.URL after redirects. Empty when the page was not in the frontier.
	FrontierURL string
	// Raw is the HTTP exchange; stored only when Config.RawHTML is on.
	Raw *export.Raw
}

// Stats is what `wirecrawl stats` shows.
type Stats struct {
	// Stories is the number of stories.
	Stories int64 `json:"stories"`
	// Copies is the number of stored URLs (every copy, canonical ones included).
	Copies int64 `json:"copies"`
	// Duplicates is the number of copies merged into an existing story
	// (Copies - Stories).
	Duplicates int64 `json:"duplicates_merged"`
	// Versions is the number of earlier canonical versions kept.
	Versions int64 `json:"versions"`
	// Sites counts stories and copies per site, most copies first.
	Sites []SiteCount `json:"sites"`
	// Langs counts stories per language, most first ("" = unknown).
	Langs []LangCount `json:"langs"`
	// Frontier counts frontier jobs by state (queued, leased, done, failed).
	Frontier map[string]int64 `json:"frontier"`
	// Feeds is the number of feeds and sitemaps with stored state.
	Feeds int64 `json:"feeds"`
	// RawPages is the number of raw responses kept.
	RawPages int64 `json:"raw_pages"`
	// Fetches summarises the most recent fetches in the fetch log.
	Fetches FetchStats `json:"recent_fetches"`
}

// SiteCount is one site's share of the store.
type SiteCount struct {
	Site string `json:"site"`
	// Stories counts stories with at least one copy on the site.
	Stories int64 `json:"stories"`
	// Copies counts the site's stored URLs.
	Copies int64 `json:"copies"`
	// First counts stories the site published first.
	First int64 `json:"first_publisher"`
}

// LangCount is the number of stories in one language.
type LangCount struct {
	Lang    string `json:"lang"`
	Stories int64  `json:"stories"`
}

// RecentFetches is how many of the latest fetch-log entries Stats summarises.
const RecentFetches = 1000

// FetchStats summarises the latest RecentFetches entries of the fetch log.
type FetchStats struct {
	// Total is the number of entries summarised (at most RecentFetches).
	Total int64 `json:"total"`
	// Logged is the number of entries in the whole fetch log.
	Logged int64 `json:"logged"`
	// OK counts entries without an error class.
	OK int64 `json:"ok"`
	// From and To bound the entries' times.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Errors counts entries per error class, most first.
	Errors []ErrorCount `json:"errors"`
}

// ErrorCount is the number of recent fetches that failed with one error class.
type ErrorCount struct {
	Class string `json:"class"`
	Count int64  `json:"count"`
	// Example is the error text of the latest fetch of the class.
	Example string `json:"example,omitempty"`
}

// Open opens the store named by dsn, creating it and applying pending
// migrations as needed; two processes may open one store at once.
// dsn is a file path or sqlite:PATH for SQLite, or postgres://... (or
// postgresql://...) for PostgreSQL.
func Open(ctx context.Context, dsn string, cfg Config) (Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn, cfg)
	case strings.TrimSpace(dsn) == "":
		return nil, errors.New("store: empty DSN")
	}
	path, _ := SQLitePath(dsn)
	if path == "" {
		return nil, fmt.Errorf("store: DSN %q names no file", dsn)
	}
	return openSQLite(ctx, path, cfg)
}

// SQLitePath returns the file a SQLite DSN names; ok is false for other DSNs.
func SQLitePath(dsn string) (path string, ok bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	path = strings.TrimPrefix(dsn, "sqlite:")
	if path != dsn {
		path = strings.TrimPrefix(path, "//")
	}
	return path, true
}
