package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// Frontier job states.
const (
	stateQueued = "queued"
	stateLeased = "leased"
	stateDone   = "done"
	stateFailed = "failed"
)

// Enqueue adds jobs whose URL is not in the frontier yet; see frontier.State.
func (s *db) Enqueue(ctx context.Context, jobs []frontier.Job) (int, error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	// Rows are locked in URL order by every multi-row write (Enqueue,
	// Requeue, SavePage), so PostgreSQL transactions never wait on each
	// other in a cycle.
	jobs = slices.Clone(jobs)
	slices.SortStableFunc(jobs, func(a, b frontier.Job) int { return strings.Compare(a.URL, b.URL) })
	added := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		added = 0
		now := time.Now().UnixNano()
		for _, j := range jobs {
			if j.URL == "" {
				continue // as frontier.MemoryState does
			}
			host := j.Host
			if host == "" {
				host = frontier.HostOf(j.URL)
			}
			var item any
			if j.Item != nil {
				b, err := json.Marshal(j.Item)
				if err != nil {
					return fmt.Errorf("%s: feed item: %w", j.URL, err)
				}
				item = string(b)
			}
			res, err := s.in(tx).exec(ctx, `INSERT INTO frontier (url, host, kind, state, attempts, not_before, item, depth, updated)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`, j.URL, host, string(j.Kind), stateQueued, j.Attempts, nanos(j.NotBefore), item, j.Depth, now)
			if err != nil {
				return fmt.Errorf("%s: %w", j.URL, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return added, nil
}

// Requeue puts known URLs back in the queue unless they are leased (an
// expired lease does not count); unknown URLs are ignored. See frontier.State.
func (s *db) Requeue(ctx context.Context, urls []string, notBefore time.Time) error {
	err := s.updateEach(ctx, urls, `UPDATE frontier SET state = ?, not_before = ?, attempts = 0,
		err_class = '', lease_owner = '', lease_until = 0, updated = ? WHERE url = ? AND NOT (state = ? AND lease_until > ?)`,
		func(u string, now int64) []any { return []any{stateQueued, nanos(notBefore), now, u, stateLeased, now} })
	if err != nil {
		return fmt.Errorf("store: requeue: %w", err)
	}
	return nil
}

// Expedite makes queued URLs due by notBefore; see frontier.State.
func (s *db) Expedite(ctx context.Context, urls []string, notBefore time.Time) error {
	err := s.updateEach(ctx, urls, `UPDATE frontier SET not_before = ?, updated = ?
		WHERE url = ? AND state = ? AND not_before > ?`,
		func(u string, now int64) []any { return []any{nanos(notBefore), now, u, stateQueued, nanos(notBefore)} })
	if err != nil {
		return fmt.Errorf("store: expedite: %w", err)
	}
	return nil
}

// updateEach runs query once per URL, in URL order (the lock order of
// Enqueue), in one write transaction; args gives a URL's arguments, with now
// the transaction's time in nanoseconds.
func (s *db) updateEach(ctx context.Context, urls []string, query string, args func(u string, now int64) []any) error {
	if len(urls) == 0 {
		return nil
	}
	urls = slices.Clone(urls)
	slices.Sort(urls)
	return s.write(ctx, func(tx *sql.Tx) error {
		now := time.Now().UnixNano()
		for _, u := range urls {
			if _, err := s.in(tx).exec(ctx, query, args(u, now)...); err != nil {
				return fmt.Errorf("%s: %w", u, err)
			}
		}
		return nil
	})
}

// Lease hands out due jobs and jobs whose lease expired; see frontier.State.
// PostgreSQL skips rows another process is leasing at the same moment
// (FOR UPDATE SKIP LOCKED); SQLite serialises writers anyway.
func (s *db) Lease(ctx context.Context, owner string, n int, now time.Time, ttl time.Duration) ([]frontier.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	var jobs []frontier.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		t := now.UnixNano()
		// The picked rows are materialised once (a sub-select under IN may be
		// re-run by PostgreSQL's planner, handing out more than n rows). Due
		// jobs and expired leases are picked by two selects, each walking its
		// own index (frontier_due, frontier_lease) and stopping at n rows: one
		// select with an OR made both backends sort every due row on every
		// call, which slowed a 100k-page crawl to a crawl.
		rows, err := s.in(tx).query(ctx, `WITH due AS MATERIALIZED (SELECT url FROM frontier
				WHERE state = ? AND not_before <= ? ORDER BY not_before LIMIT ?`+s.d.skipLocked+`),
			expired AS MATERIALIZED (SELECT url FROM frontier
				WHERE state = ? AND lease_until <= ? ORDER BY lease_until LIMIT ?`+s.d.skipLocked+`),
			picked AS MATERIALIZED (SELECT url FROM (SELECT url FROM due UNION ALL SELECT url FROM expired) AS both_kinds LIMIT ?)
			UPDATE frontier SET state = ?, lease_owner = ?, lease_until = ?, updated = ?
			FROM picked WHERE frontier.url = picked.url
			RETURNING frontier.url, frontier.host, frontier.kind, frontier.attempts, frontier.not_before, frontier.item, frontier.depth`,
			stateQueued, t, n, stateLeased, t, n, n,
			stateLeased, owner, now.Add(ttl).UnixNano(), t)
		if err != nil {
			return err
		}
		jobs, err = scanJobs(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: lease: %w", err)
	}
	sortJobs(jobs)
	return jobs, nil
}

// leaseURLsChunk bounds the URLs of one LeaseURLs statement (SQLite allows
// 32766 parameters, PostgreSQL 65535).
const leaseURLsChunk = 512

// LeaseURLs leases up to n of urls that are due or whose lease expired; see
// frontier.State. The URLs are looked up by primary key, leaseURLsChunk at a
// time, in one transaction. As in Lease, PostgreSQL skips rows another
// process is locking (FOR UPDATE SKIP LOCKED), so a caller never waits on
// a row lock and two callers cannot deadlock, whatever the order of urls.
func (s *db) LeaseURLs(ctx context.Context, owner string, urls []string, n int, now time.Time, ttl time.Duration) ([]frontier.Job, error) {
	if n <= 0 || len(urls) == 0 {
		return nil, nil
	}
	var jobs []frontier.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		t := now.UnixNano()
		for i := 0; i < len(urls) && len(jobs) < n; i += leaseURLsChunk {
			chunk := urls[i:min(i+leaseURLsChunk, len(urls))]
			// The IN list is padded to a power of two (repeating the last
			// URL), so that a few statement texts fill the statement cache.
			size := 1
			for size < len(chunk) {
				size *= 2
			}
			args := make([]any, 0, size+9)
			for k := range size {
				args = append(args, chunk[min(k, len(chunk)-1)])
			}
			args = append(args, stateQueued, t, stateLeased, t, n-len(jobs), stateLeased, owner, now.Add(ttl).UnixNano(), t)
			rows, err := s.in(tx).query(ctx, `WITH picked AS MATERIALIZED (SELECT url FROM frontier
					WHERE url IN (?`+strings.Repeat(", ?", size-1)+`)
					AND ((state = ? AND not_before <= ?) OR (state = ? AND lease_until <= ?))
					ORDER BY not_before, url LIMIT ?`+s.d.skipLocked+`)
				UPDATE frontier SET state = ?, lease_owner = ?, lease_until = ?, updated = ?
				FROM picked WHERE frontier.url = picked.url
				RETURNING frontier.url, frontier.host, frontier.kind, frontier.attempts, frontier.not_before, frontier.item, frontier.depth`,
				args...)
			if err != nil {
				return err
			}
			got, err := scanJobs(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, got...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: lease urls: %w", err)
	}
	sortJobs(jobs)
	return jobs, nil
}

// scanJobs reads the jobs RETURNING by a lease and closes rows.
func scanJobs(rows *sql.Rows) ([]frontier.Job, error) {
	defer rows.Close()
	var jobs []frontier.Job
	for rows.Next() {
		var (
			j    frontier.Job
			kind string
			nb   int64
			item sql.NullString
		)
		if err := rows.Scan(&j.URL, &j.Host, &kind, &j.Attempts, &nb, &item, &j.Depth); err != nil {
			return nil, err
		}
		j.Kind, j.NotBefore = frontier.Kind(kind), fromNanos(nb)
		if item.Valid && item.String != "" {
			j.Item = new(frontier.FeedItem)
			if err := json.Unmarshal([]byte(item.String), j.Item); err != nil {
				return nil, fmt.Errorf("%s: feed item: %w", j.URL, err)
			}
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// sortJobs orders leased jobs by due time then URL (RETURNING has no order).
func sortJobs(jobs []frontier.Job) {
	for i := 1; i < len(jobs); i++ {
		for k := i; k > 0 && jobLess(jobs[k], jobs[k-1]); k-- {
			jobs[k], jobs[k-1] = jobs[k-1], jobs[k]
		}
	}
}

func jobLess(a, b frontier.Job) bool {
	if !a.NotBefore.Equal(b.NotBefore) {
		return a.NotBefore.Before(b.NotBefore)
	}
	return a.URL < b.URL
}

// Retry returns a job to the queue with one more attempt; see frontier.State.
// A job that is done or failed (finished by another worker), or not in the
// frontier at all, is left alone, as frontier.MemoryState does.
func (s *db) Retry(ctx context.Context, u string, notBefore time.Time, errClass string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.in(tx).exec(ctx, `UPDATE frontier SET state = ?, attempts = attempts + 1, not_before = ?,
			err_class = ?, lease_owner = '', lease_until = 0, updated = ? WHERE url = ? AND state IN (?, ?)`,
			stateQueued, nanos(notBefore), errClass, time.Now().UnixNano(), u, stateQueued, stateLeased)
		if err != nil {
			return err
		}
		_, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: retry %s: %w", u, err)
	}
	return nil
}

// Finish marks a job done (errClass "") or failed for good; see frontier.State.
// A URL not in the frontier is added in its final state, so Seen knows it;
// a done job stays done (finishing twice is harmless).
func (s *db) Finish(ctx context.Context, u string, errClass string) error {
	state := stateDone
	if errClass != "" {
		state = stateFailed
	}
	// A job done already (the page's own SavePage marked it) stays done:
	// a read spares a write transaction on every stored article.
	var cur string
	if err := s.in(nil).queryRow(ctx, `SELECT state FROM frontier WHERE url = ?`, u).Scan(&cur); err == nil && cur == stateDone {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		return s.finishTx(ctx, tx, u, "", state, errClass)
	})
	if err != nil {
		return fmt.Errorf("store: finish %s: %w", u, err)
	}
	return nil
}

// finishTx sets a frontier job's final state, adding the job if needed.
func (s *db) finishTx(ctx context.Context, tx *sql.Tx, u string, kind frontier.Kind, state, errClass string) error {
	_, err := s.in(tx).exec(ctx, `INSERT INTO frontier (url, host, kind, state, err_class, updated) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET state = excluded.state, err_class = excluded.err_class,
			lease_owner = '', lease_until = 0, updated = excluded.updated
		WHERE frontier.state <> 'done' OR excluded.state = 'done'`,
		u, frontier.HostOf(u), string(kind), state, errClass, time.Now().UnixNano())
	return err
}

// Pending counts jobs queued or leased; see frontier.State.
func (s *db) Pending(ctx context.Context, dueBy time.Time) (int, error) {
	var n int
	var err error
	if dueBy.IsZero() {
		err = s.in(nil).queryRow(ctx, `SELECT count(*) FROM frontier WHERE state IN (?, ?)`, stateQueued, stateLeased).Scan(&n)
	} else {
		// Two counts, each on its own index (frontier_due, frontier_lease).
		err = s.in(nil).queryRow(ctx, `SELECT (SELECT count(*) FROM frontier WHERE state = ? AND not_before <= ?) +
			(SELECT count(*) FROM frontier WHERE state = ?)`, stateQueued, dueBy.UnixNano(), stateLeased).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("store: pending: %w", err)
	}
	return n, nil
}

// FailedClass returns url's error class if it failed for good; see frontier.State.
func (s *db) FailedClass(ctx context.Context, u string) (string, error) {
	var state, class string
	err := s.in(nil).queryRow(ctx, `SELECT state, err_class FROM frontier WHERE url = ?`, u).Scan(&state, &class)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("store: failed class %s: %w", u, err)
	}
	if state != stateFailed {
		return "", nil
	}
	return class, nil
}

// Seen reports whether url is done or failed for good; see frontier.State.
func (s *db) Seen(ctx context.Context, u string) (bool, error) {
	var state string
	err := s.in(nil).queryRow(ctx, `SELECT state FROM frontier WHERE url = ?`, u).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: seen %s: %w", u, err)
	}
	return state == stateDone || state == stateFailed, nil
}

// Feed returns a feed's stored state; see frontier.State.
func (s *db) Feed(ctx context.Context, u string) (frontier.FeedState, bool, error) {
	st := frontier.FeedState{URL: u}
	var polled, next int64
	err := s.in(nil).queryRow(ctx, `SELECT etag, last_modified, last_polled, next_poll, entries_per_week, failures
		FROM feeds WHERE url = ?`, u).Scan(&st.ETag, &st.LastModified, &polled, &next, &st.EntriesPerWeek, &st.Failures)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return frontier.FeedState{}, false, nil
	case err != nil:
		return frontier.FeedState{}, false, fmt.Errorf("store: feed %s: %w", u, err)
	}
	st.LastPolled, st.NextPoll = fromNanos(polled), fromNanos(next)
	return st, true, nil
}

// SaveFeed stores a feed's state; see frontier.State.
func (s *db) SaveFeed(ctx context.Context, st frontier.FeedState) error {
	if st.URL == "" {
		return errors.New("store: save feed: empty URL")
	}
	_, err := s.exec(ctx, `INSERT INTO feeds (url, etag, last_modified, last_polled, next_poll, entries_per_week, failures)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
			last_polled = excluded.last_polled, next_poll = excluded.next_poll,
			entries_per_week = excluded.entries_per_week, failures = excluded.failures`,
		st.URL, st.ETag, st.LastModified, nanos(st.LastPolled), nanos(st.NextPoll), st.EntriesPerWeek, st.Failures)
	if err != nil {
		return fmt.Errorf("store: save feed %s: %w", st.URL, err)
	}
	return nil
}

// Robots returns a host's cached robots.txt; see frontier.State.
func (s *db) Robots(ctx context.Context, host string) ([]byte, int, time.Time, bool, error) {
	var (
		body    []byte
		status  int
		fetched int64
	)
	err := s.in(nil).queryRow(ctx, `SELECT body, status, fetched FROM robots WHERE host = ?`, host).Scan(&body, &status, &fetched)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, 0, time.Time{}, false, nil
	case err != nil:
		return nil, 0, time.Time{}, false, fmt.Errorf("store: robots %s: %w", host, err)
	}
	return body, status, fromNanos(fetched), true, nil
}

// SaveRobots caches a host's robots.txt; see frontier.State.
func (s *db) SaveRobots(ctx context.Context, host string, body []byte, status int, fetched time.Time) error {
	if body == nil {
		body = []byte{}
	}
	_, err := s.exec(ctx, `INSERT INTO robots (host, body, status, fetched) VALUES (?, ?, ?, ?)
		ON CONFLICT (host) DO UPDATE SET body = excluded.body, status = excluded.status, fetched = excluded.fetched`,
		host, body, status, nanos(fetched))
	if err != nil {
		return fmt.Errorf("store: save robots %s: %w", host, err)
	}
	return nil
}

// ReserveHost claims host's next fetch slot; see frontier.State. One
// statement moves the host's next-allowed time under the row's lock, so
// concurrent callers (in any process) get slots at least delay apart.
func (s *db) ReserveHost(ctx context.Context, host string, now time.Time, delay time.Duration) (time.Time, error) {
	if delay < 0 {
		delay = 0
	}
	var slot int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		d := int64(delay)
		return s.in(tx).queryRow(ctx, `INSERT INTO hosts (host, next_allowed) VALUES (?, ?)
			ON CONFLICT (host) DO UPDATE SET next_allowed = `+s.d.greatest+`(hosts.next_allowed, ?) + ?
			RETURNING next_allowed`, host, now.UnixNano()+d, now.UnixNano(), d).Scan(&slot)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: reserve host %s: %w", host, err)
	}
	return time.Unix(0, slot-int64(delay)).In(now.Location()), nil
}

// HoldHost gives host to holder until until unless another holder has it;
// see frontier.State. The upsert changes the row only when the host is free
// or already the holder's, so two processes cannot both take it.
func (s *db) HoldHost(ctx context.Context, host, holder string, now, until time.Time) (bool, time.Time, error) {
	var ok bool
	var busy int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := s.in(tx).queryRow(ctx, `INSERT INTO hosts (host, busy_holder, busy_until) VALUES (?, ?, ?)
			ON CONFLICT (host) DO UPDATE SET busy_holder = excluded.busy_holder, busy_until = excluded.busy_until
			WHERE hosts.busy_until <= ? OR hosts.busy_holder = excluded.busy_holder
			RETURNING busy_until`, host, holder, until.UnixNano(), now.UnixNano()).Scan(&busy)
		if err == nil {
			ok = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return s.in(tx).queryRow(ctx, `SELECT busy_until FROM hosts WHERE host = ?`, host).Scan(&busy)
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("store: hold host %s: %w", host, err)
	}
	return ok, time.Unix(0, busy).In(now.Location()), nil
}

// ReleaseHost ends holder's hold on host; see frontier.State.
func (s *db) ReleaseHost(ctx context.Context, host, holder string, until time.Time) error {
	if holder == "" {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.in(tx).exec(ctx, `UPDATE hosts SET busy_holder = '', busy_until = ?,
			next_allowed = `+s.d.greatest+`(next_allowed, ?) WHERE host = ? AND busy_holder = ?`,
			until.UnixNano(), until.UnixNano(), host, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release host %s: %w", host, err)
	}
	return nil
}

// LogFetch appends to the fetch log; see frontier.State.
//
// The record is written by the next write transaction of this handle (the
// page's own SavePage, when the fetch brought an article), or at the latest
// after logFlushEvery, or when logFlushBatch records are waiting, or by Close:
// a write transaction per fetch cost a third of a crawl's store time. A
// killed process loses the records of its last half second at most; the
// frontier, which decides what is fetched again, is not affected.
func (s *db) LogFetch(ctx context.Context, rec frontier.FetchRecord) error {
	if rec.At.IsZero() {
		rec.At = time.Now()
	}
	s.logMu.Lock()
	s.logBuf = append(s.logBuf, rec)
	n := len(s.logBuf)
	if s.logTimer == nil && n < logFlushBatch {
		s.logTimer = time.AfterFunc(logFlushEvery, func() {
			if err := s.flushLog(context.Background()); err != nil {
				s.logErr.Store(&err)
			}
		})
	}
	s.logMu.Unlock()
	if n >= logFlushBatch {
		if err := s.flushLog(ctx); err != nil {
			return fmt.Errorf("store: log fetch %s: %w", rec.URL, err)
		}
	}
	if e := s.logErr.Swap(nil); e != nil {
		return fmt.Errorf("store: fetch log: %w", *e)
	}
	return nil
}

// How long and how many fetch-log records wait for a write transaction.
const (
	logFlushEvery = 500 * time.Millisecond
	logFlushBatch = 256
)

// flushLog writes the waiting fetch-log records in a transaction of their own.
func (s *db) flushLog(ctx context.Context) error {
	s.logMu.Lock()
	empty := len(s.logBuf) == 0
	s.logMu.Unlock()
	if empty {
		return nil
	}
	return s.write(ctx, func(*sql.Tx) error { return nil }) // finish writes them
}

// takeLog removes and returns the waiting fetch-log records.
func (s *db) takeLog() []frontier.FetchRecord {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	recs := s.logBuf
	s.logBuf = nil
	if s.logTimer != nil {
		s.logTimer.Stop()
		s.logTimer = nil
	}
	return recs
}

// putBackLog returns records taken by a transaction that did not commit.
func (s *db) putBackLog(recs []frontier.FetchRecord) {
	if len(recs) == 0 {
		return
	}
	s.logMu.Lock()
	s.logBuf = append(recs, s.logBuf...)
	if s.logTimer == nil {
		s.logTimer = time.AfterFunc(logFlushEvery, func() {
			if err := s.flushLog(context.Background()); err != nil {
				s.logErr.Store(&err)
			}
		})
	}
	s.logMu.Unlock()
}

// insertLog writes fetch-log records in tx, pruning the log now and then.
func (s *db) insertLog(ctx context.Context, tx *sql.Tx, recs []frontier.FetchRecord) error {
	for _, rec := range recs {
		var id int64
		err := s.in(tx).queryRow(ctx, `INSERT INTO fetch_log (url, kind, status, err_class, error, duration, at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			rec.URL, string(rec.Kind), rec.Status, rec.ErrClass, rec.Error, int64(rec.Duration), rec.At.UnixNano()).Scan(&id)
		if err != nil {
			return fmt.Errorf("fetch log %s: %w", rec.URL, err)
		}
		// Prune now and then: every pruneEvery-th entry drops those beyond the kept length.
		if keep := s.cfg.fetchLogKeep(); keep > 0 && id%pruneEvery == 0 {
			if _, err := s.in(tx).exec(ctx, `DELETE FROM fetch_log WHERE id <= ?`, id-keep); err != nil {
				return fmt.Errorf("prune fetch log: %w", err)
			}
		}
	}
	return nil
}

// pruneEvery is how often (in fetch-log IDs) LogFetch prunes the log.
var pruneEvery int64 = 1000
