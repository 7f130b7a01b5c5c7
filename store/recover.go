package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUnusable reports whether err, returned by a store, says the store itself
// cannot be used: a SQLite file that is corrupt, not a database, unreadable,
// read-only or on a full disk, or a PostgreSQL server that is gone,
// unreachable, shutting down or reporting corrupt data. Retrying the page
// that met such an error would not help, and marking it failed would lose
// it: the run must end and a person must look (see UnusableHelp).
// Transient errors (SQLite busy, PostgreSQL serialisation failures and
// deadlocks) are not unusable.
func IsUnusable(err error) bool {
	if err == nil {
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "57P"), // admin or crash shutdown, cannot connect now
			strings.HasPrefix(pe.Code, "58"),  // system error (I/O)
			strings.HasPrefix(pe.Code, "XX"),  // internal error, data or index corrupted
			pe.Code == "53100":                // disk full
			return true
		}
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// A connection to PostgreSQL that failed or broke: pgconn's own errors
	// (a failed connect, a connection closed or cut mid-query, which pgconn
	// reports with a SafeToRetry method). Network errors of other origins
	// (an HTTP fetch's reset, say) are not the store's.
	var ce *pgconn.ConnectError
	var pgNet interface{ SafeToRetry() bool }
	return errors.As(err, &ce) || errors.As(err, &pgNet) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
}

// Unusable implements frontier.State: see IsUnusable.
func (s *db) Unusable(err error) bool { return IsUnusable(err) }

// UnusableHelp says what to do about an unusable store named by dsn.
func UnusableHelp(dsn string) string {
	if path, ok := SQLitePath(dsn); ok {
		return fmt.Sprintf("check the database with `sqlite3 %s 'PRAGMA integrity_check'`; "+
			"if it is damaged, restore it from a backup (or recover it with sqlite3's .recover), "+
			"then run `wirecrawl crawl --retry-failed process` to fetch again what earlier versions marked failed", path)
	}
	return "check that the PostgreSQL server is up and reachable (pg_isready) and its log for errors; " +
		"nothing was marked failed, the next crawl resumes where this one stopped"
}

// ReleaseLeases puts the leased jobs whose lease owner starts with
// ownerPrefix back in the queue at once, without counting an attempt, and
// returns how many it released. It is for a run that holds the run lock and
// so knows those owners are dead (a crawl killed with SIGKILL leaves its
// leases until they expire). On SQLite, where one machine and so one run at
// a time crawls a database file, every lease is released whatever the
// prefix. On PostgreSQL, where a fleet of machines shares the store, only
// the leases of owners with the prefix (this machine's) are.
func (s *db) ReleaseLeases(ctx context.Context, ownerPrefix string) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		query := `UPDATE frontier SET state = ?, lease_owner = '', lease_until = 0, updated = ? WHERE state = ?`
		args := []any{stateQueued, time.Now().UnixNano(), stateLeased}
		if s.d.postgres {
			query += ` AND starts_with(lease_owner, ?)`
			args = append(args, ownerPrefix)
		}
		res, err := s.in(tx).exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: release leases: %w", err)
	}
	return int(n), nil
}

// RequeueFailed puts the jobs that failed for good with error class class
// back in the queue, due now, with a fresh set of attempts, and returns how
// many. `wirecrawl crawl --retry-failed CLASS` uses it, for instance for the
// pages an earlier version marked failed (class process) when the store,
// not the page, was broken.
func (s *db) RequeueFailed(ctx context.Context, class string) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := time.Now().UnixNano()
		res, err := s.in(tx).exec(ctx, `UPDATE frontier SET state = ?, attempts = 0, not_before = ?, err_class = '',
			lease_owner = '', lease_until = 0, updated = ? WHERE state = ? AND err_class = ?`,
			stateQueued, now, now, stateFailed, class)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: requeue failed %s: %w", class, err)
	}
	return int(n), nil
}

// RenewLeases extends to until the leases owner holds on urls; see
// frontier.State.
func (s *db) RenewLeases(ctx context.Context, owner string, urls []string, until time.Time) (int, error) {
	if len(urls) == 0 {
		return 0, nil
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		for i := 0; i < len(urls); i += leaseURLsChunk {
			chunk := urls[i:min(i+leaseURLsChunk, len(urls))]
			args := make([]any, 0, len(chunk)+4)
			args = append(args, until.UnixNano(), stateLeased, owner)
			for _, u := range chunk {
				args = append(args, u)
			}
			res, err := s.in(tx).exec(ctx, `UPDATE frontier SET lease_until = ? WHERE state = ? AND lease_owner = ?
				AND url IN (`+placeholders(len(chunk))+`)`, args...)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: renew leases: %w", err)
	}
	return int(n), nil
}

// Postpone returns jobs leased by owner to the queue, due at notBefore,
// without counting an attempt; see frontier.State.
func (s *db) Postpone(ctx context.Context, owner string, urls []string, notBefore time.Time) error {
	err := s.updateEach(ctx, urls, `UPDATE frontier SET state = ?, not_before = ?, lease_owner = '', lease_until = 0, updated = ?
		WHERE url = ? AND state = ? AND lease_owner = ?`,
		func(u string, now int64) []any {
			return []any{stateQueued, nanos(notBefore), now, u, stateLeased, owner}
		})
	if err != nil {
		return fmt.Errorf("store: postpone: %w", err)
	}
	return nil
}
