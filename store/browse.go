package store

import (
	"context"
	"fmt"
	"time"
)

// Dashboard is what the web UI of `wirecrawl serve` reads besides stories:
// feed health and the numbers behind its charts. Both backends implement
// it; a Store from Open can be asserted to it.
type Dashboard interface {
	// FeedHealth lists every feed and sitemap with stored state, by URL,
	// with its latest fetch-log line.
	FeedHealth(ctx context.Context) ([]FeedHealth, error)
	// CopiesPerDay counts copies per site and UTC day (of the copy's
	// publication time, or its fetch time when unknown) over the `days`
	// days that end with the latest day holding a copy, by day then site.
	CopiesPerDay(ctx context.Context, days int) ([]DayCount, error)
}

var _ Dashboard = (*db)(nil)

// FeedHealth is one feed's polling state and how its last fetch went.
type FeedHealth struct {
	// URL is the feed's (or sitemap's) URL.
	URL string
	// LastPolled is when the feed was last fetched (200 or 304); zero if never.
	LastPolled time.Time
	// NextPoll is when it is due next.
	NextPoll time.Time
	// Failures counts consecutive failed polls.
	Failures int
	// EntriesPerWeek is the measured publishing rate.
	EntriesPerWeek float64
	// LastFetch is when the fetch log last saw the URL; zero when it holds
	// no line for it (never fetched, or pruned).
	LastFetch time.Time
	// Status is that fetch's HTTP status (0: no response).
	Status int
	// ErrClass is its error class ("" on success).
	ErrClass string
	// Error is its error text.
	Error string
}

// DayCount is the number of copies a site ran on one day.
type DayCount struct {
	// Day is midnight UTC of the day.
	Day time.Time
	// Site is the copies' site.
	Site string
	// Copies counts them.
	Copies int64
}

const dayNanos = int64(24 * time.Hour)

// FeedHealth implements Dashboard.
func (s *db) FeedHealth(ctx context.Context) ([]FeedHealth, error) {
	// Fetch-log records still waiting in this handle count too.
	if err := s.flushLog(ctx); err != nil {
		return nil, fmt.Errorf("store: feed health: %w", err)
	}
	out := []FeedHealth{}
	// The latest line per feed is one probe of fetch_log_url per feed.
	err := s.each(ctx, `SELECT f.url, f.last_polled, f.next_poll, f.failures, f.entries_per_week,
			coalesce(l.at, 0), coalesce(l.status, 0), coalesce(l.err_class, ''), coalesce(l.error, '')
		FROM feeds f LEFT JOIN fetch_log l ON l.id = (SELECT max(id) FROM fetch_log WHERE url = f.url)
		ORDER BY f.url`, nil, func(sc scanner) error {
		var (
			h                  FeedHealth
			last, next, lastAt int64
		)
		if err := sc.Scan(&h.URL, &last, &next, &h.Failures, &h.EntriesPerWeek, &lastAt, &h.Status, &h.ErrClass, &h.Error); err != nil {
			return err
		}
		h.LastPolled, h.NextPoll, h.LastFetch = fromNanos(last), fromNanos(next), fromNanos(lastAt)
		out = append(out, h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: feed health: %w", err)
	}
	return out, nil
}

// CopiesPerDay implements Dashboard.
func (s *db) CopiesPerDay(ctx context.Context, days int) ([]DayCount, error) {
	if days <= 0 {
		return []DayCount{}, nil
	}
	const when = `(CASE WHEN published = 0 THEN fetched_at ELSE published END)`
	var latest int64
	if err := s.in(nil).queryRow(ctx, `SELECT coalesce(max(`+when+`), 0) FROM copies`).Scan(&latest); err != nil {
		return nil, fmt.Errorf("store: copies per day: %w", err)
	}
	out := []DayCount{}
	if latest <= 0 {
		return out, nil
	}
	from := (latest/dayNanos - int64(days-1)) * dayNanos
	// dayNanos is a constant, so the day expression is one in both
	// SELECT and GROUP BY (a parameter in each would be two to PostgreSQL).
	day := fmt.Sprintf(`%s / %d`, when, dayNanos)
	err := s.each(ctx, `SELECT `+day+`, site, count(*) FROM copies WHERE `+when+` >= ?
		GROUP BY 1, 2 ORDER BY 1, 2`, []any{from}, func(sc scanner) error {
		var (
			day int64
			c   DayCount
		)
		if err := sc.Scan(&day, &c.Site, &c.Copies); err != nil {
			return err
		}
		c.Day = time.Unix(0, day*dayNanos).UTC()
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: copies per day: %w", err)
	}
	return out, nil
}
