package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Scheduler is what a long-running crawler (wirecrawl serve) asks the store
// between passes. Both backends implement it; a Store from Open can be
// asserted to it.
type Scheduler interface {
	// NextDue returns the earliest time after `after` at which a pass would
	// find work: a feed or sitemap due for a poll, a queued job due, or a
	// lease expiring (a job another process may have dropped). ok is false
	// when there is none. Work due at or before `after` is left out: a
	// caller passes the start of its last pass, so that what that pass left
	// due (a feed no longer among the seeds) does not wake it again and again.
	NextDue(ctx context.Context, after time.Time) (due time.Time, ok bool, err error)
	// FeedsDue counts feeds and sitemaps whose next poll is at or before now.
	FeedsDue(ctx context.Context, now time.Time) (int, error)
	// Ping checks that the store answers a query.
	Ping(ctx context.Context) error
}

var _ Scheduler = (*db)(nil)

// NextDue implements Scheduler.
func (s *db) NextDue(ctx context.Context, after time.Time) (time.Time, bool, error) {
	// Each minimum reads one index (frontier_due, frontier_lease) or the
	// feeds table, which holds one row per feed.
	var feed, queued, lease sql.NullInt64
	t := after.UnixNano()
	err := s.in(nil).queryRow(ctx, `SELECT
		(SELECT min(next_poll) FROM feeds WHERE next_poll > ?),
		(SELECT min(not_before) FROM frontier WHERE state = ? AND not_before > ?),
		(SELECT min(lease_until) FROM frontier WHERE state = ? AND lease_until > ?)`,
		t, stateQueued, t, stateLeased, t).Scan(&feed, &queued, &lease)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next due: %w", err)
	}
	var due int64
	ok := false
	for _, v := range []sql.NullInt64{feed, queued, lease} {
		if v.Valid && (!ok || v.Int64 < due) {
			due, ok = v.Int64, true
		}
	}
	if !ok {
		return time.Time{}, false, nil
	}
	return time.Unix(0, due), true, nil
}

// FeedsDue implements Scheduler.
func (s *db) FeedsDue(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := s.in(nil).queryRow(ctx, `SELECT count(*) FROM feeds WHERE next_poll <= ?`, now.UnixNano()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: feeds due: %w", err)
	}
	return n, nil
}

// Ping implements Scheduler.
func (s *db) Ping(ctx context.Context) error {
	var one int
	if err := s.in(nil).queryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
