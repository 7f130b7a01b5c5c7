package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"errors"
	"time"

	"modernc.org/sqlite" // the "sqlite" driver (pure Go)
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteParams are applied to every SQLite connection: wait up to 30 s for
// another writer, WAL (readers never block the writer), enforced foreign
// keys, and fsync at checkpoints only (WAL stays consistent after a crash of
// the process; a power loss may lose the last transactions).
const sqliteParams = "_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// writerParams are applied to the writer's connection only.
//
// wal_autocheckpoint: the writer checkpoints (copies the WAL back into the
// database, reading every frame and fsyncing both files) when the WAL
// holds 10,000 pages (about 40 MB) instead of SQLite's 1,000: a page that
// several transactions wrote in between (index tails, the frontier's and
// the full-text index's hot pages) is copied once, and fsyncs are ten times
// fewer (checkpoints: 5.2% of a 50k-page crawl's CPU before, 2.8% after). The
// WAL's size on disk is bounded by it, and reopening after a crash reads
// at most that much WAL.
//
// temp_store(MEMORY): statement journals (and the savepoints of SavePage's
// group commit) stay in memory instead of spilling to a temporary file,
// which cost a pwrite per page saved into a savepoint. Writes are small, so
// the memory is too; the readers keep the default (sorts of a large export
// may spill).
const writerParams = "&_pragma=wal_autocheckpoint(10000)&_pragma=temp_store(MEMORY)"

// openSQLite opens (creating if needed) the SQLite database at path.
func openSQLite(ctx context.Context, path string, cfg Config) (Store, error) {
	if path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: sqlite DSN %q: want a plain file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	if dir := filepath.Dir(abs); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
		}
	}
	// The writer: one connection whose transactions are BEGIN IMMEDIATE,
	// so every write transaction holds SQLite's write lock from the start;
	// that lock is also the store-wide dedup lock of SavePage.
	w, err := sql.Open("sqlite", abs+"?"+sqliteParams+writerParams+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	s := &db{cfg: cfg, d: sqliteDialect, w: w, r: w}
	s.beginLocked = func(ctx context.Context) (*sql.Tx, error) { return s.w.BeginTx(ctx, nil) }
	s.runLock = func(ctx context.Context, name string, wait bool) (func(), error) {
		return fileLock(ctx, abs+".lock-"+lockFileName(name), wait)
	}
	if err := migrateSQLite(ctx, s); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	// Readers: a small pool of read-only connections (WAL snapshots).
	r, err := sql.Open("sqlite", abs+"?"+sqliteParams+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s.r = r
	return s, nil
}

// lockFileName keeps the letters, digits, '-' and '_' of a lock name.
func lockFileName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
}

// migrateSQLite applies the migrations, retrying while another opener holds
// the database busy. When several openers meet a new database file, SQLite
// can answer BEGIN IMMEDIATE with SQLITE_BUSY at once instead of waiting out
// busy_timeout (24 of 300 runs of three concurrent first opens in the store
// tests, before this retry).
func migrateSQLite(ctx context.Context, s *db) error {
	const giveUp = 30 * time.Second
	start := time.Now()
	wait := 5 * time.Millisecond
	for {
		err := s.migrate(ctx, nil)
		if err == nil || !isSQLiteBusy(err) || time.Since(start) > giveUp {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (after: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// isSQLiteBusy reports whether err is SQLite's "database is locked".
func isSQLiteBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
