package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// dialect is what differs between the two SQL backends.
type dialect struct {
	name string
	// postgres rewrites ? placeholders to $n.
	postgres bool
	// greatest is the two-argument maximum function.
	greatest string
	// skipLocked is appended to the lease sub-select.
	skipLocked string
}

var (
	sqliteDialect   = dialect{name: "sqlite", greatest: "max"}
	postgresDialect = dialect{name: "postgres", postgres: true, greatest: "GREATEST", skipLocked: " FOR UPDATE SKIP LOCKED"}
)

// db implements Store over database/sql for both backends.
type db struct {
	cfg Config
	d   dialect
	// w runs every write transaction. For SQLite it has one connection and
	// begins transactions with BEGIN IMMEDIATE, so that a write transaction
	// holds the database's write lock from its first statement.
	w *sql.DB
	// r runs reads outside transactions (the same pool as w for PostgreSQL).
	r *sql.DB

	// beginLocked starts a write transaction holding the store-wide dedup lock.
	beginLocked func(ctx context.Context) (*sql.Tx, error)
	// runLock implements RunLock for the backend.
	runLock func(ctx context.Context, name string, wait bool) (func(), error)

	// snapshot are the options of read transactions that must see one
	// consistent state.
	snapshot *sql.TxOptions

	// rankWindow overrides RankWindow when positive (tests).
	rankWindow int
	// searchPlan forces PostgreSQL's full-text plans, searchStretch
	// overrides pgStretch (tests; planAuto and 0 in production).
	searchPlan, searchStretch int

	// wstmts and rstmts cache prepared statements of w and r (SQLite only).
	wstmts, rstmts stmtCache

	// saves queues SavePage calls for group commit (savegroup.go).
	saveMu sync.Mutex
	saves  saveQueue

	mu       sync.Mutex
	releases map[*func()]struct{} // held run locks, released by Close
	closed   bool

	// logBuf holds fetch-log records waiting for a write transaction; see
	// LogFetch. logTimer flushes them if none comes; logErr keeps its error.
	logMu    sync.Mutex
	logBuf   []frontier.FetchRecord
	logTimer *time.Timer
	logErr   atomic.Pointer[error]
}

// q rewrites a query written with ? placeholders for the backend.
func (s *db) q(query string) string {
	if !s.d.postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// exec runs a single statement outside a transaction; on SQLite it is wrapped
// in a write transaction so it takes the write lock up front.
func (s *db) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.in(tx).exec(ctx, query, args...)
		return err
	})
	return res, err
}

// write runs fn in a write transaction and commits it when fn returns nil.
func (s *db) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return s.finish(ctx, tx, fn(tx))
}

// finish commits tx when err is nil and rolls it back otherwise, then
// prepares the statements the transaction wanted.
//
// A transaction that commits also writes the fetch-log records waiting (see
// LogFetch); if it fails, they wait for the next one.
func (s *db) finish(ctx context.Context, tx *sql.Tx, err error) error {
	var recs []frontier.FetchRecord
	if err == nil {
		recs = s.takeLog()
		err = s.insertLog(ctx, tx, recs)
	}
	if err != nil {
		_ = tx.Rollback()
		s.putBackLog(recs)
	} else if err = tx.Commit(); err != nil {
		err = fmt.Errorf("commit: %w", err)
		s.putBackLog(recs)
	}
	s.prepareWanted(ctx)
	return err
}

// Close closes the database and releases held run locks.
func (s *db) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	logErr := s.flushLog(context.Background())
	s.takeLog() // stops the timer; nothing is left unless the flush failed
	s.mu.Lock()
	var rels []func()
	for r := range s.releases {
		rels = append(rels, *r)
	}
	s.mu.Unlock()
	for _, r := range rels {
		r()
	}
	s.wstmts.close()
	s.rstmts.close()
	var errs []error
	if logErr != nil {
		errs = append(errs, fmt.Errorf("fetch log: %w", logErr))
	}
	if s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// RunLock takes the named run lock; see Store.
func (s *db) RunLock(ctx context.Context, name string, wait bool) (func(), error) {
	if name == "" {
		return nil, errors.New("store: run lock: empty name")
	}
	rel, err := s.runLock(ctx, name, wait)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("run lock %q: %w", name, err)
		}
		return nil, fmt.Errorf("store: run lock %q: %w", name, err)
	}
	var once sync.Once
	release := func() { once.Do(rel) }
	key := &release
	s.mu.Lock()
	if s.releases == nil {
		s.releases = map[*func()]struct{}{}
	}
	s.releases[key] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.releases, key)
		s.mu.Unlock()
		release()
	}, nil
}

// pollLock calls try until it reports the lock taken, an error, or (when
// wait is false) that the lock is held, waiting between tries.
func pollLock(ctx context.Context, wait bool, try func() (bool, error)) error {
	delay := 20 * time.Millisecond
	for {
		ok, err := try()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if !wait {
			return ErrLocked
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if delay < 500*time.Millisecond {
			delay *= 2
		}
	}
}

// nanos converts a time to the stored Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos; times come back in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

var _ Store = (*db)(nil)

// run executes statements inside a write transaction (tx) or on the read
// pool (tx nil), rewriting placeholders for the backend. For SQLite it runs
// prepared statements from the store's caches: modernc.org/sqlite parses
// every statement it is given anew, which was half of SavePage's CPU time.
// (pgx keeps its own per-connection statement cache.)
type run struct {
	s  *db
	tx *sql.Tx
	// read marks tx as a read-only transaction on the read pool; its
	// statements run unprepared (preparing on the pool from inside one could
	// wait for a connection that read transactions hold).
	read bool
}

// in returns the runner for tx, or for the read pool when tx is nil.
func (s *db) in(tx *sql.Tx) run { return run{s: s, tx: tx} }

// maxCachedStmts bounds each statement cache (queries with IN lists vary).
const maxCachedStmts = 256

// stmtCache holds prepared statements of one pool by query text.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// want lists queries run unprepared inside a write transaction; they are
	// prepared once the writer's only connection is free again (preparing on
	// the pool while the transaction holds that connection would deadlock).
	want map[string]bool
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// put stores st for query unless the cache is full or has one; it returns
// the statement to use and closes the one not kept.
func (c *stmtCache) put(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		st.Close()
		return old
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	if len(c.m) < maxCachedStmts {
		c.m[query] = st
	}
	return st
}

func (c *stmtCache) wish(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m)+len(c.want) >= maxCachedStmts {
		return
	}
	if c.want == nil {
		c.want = map[string]bool{}
	}
	c.want[query] = true
}

func (c *stmtCache) takeWanted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var qs []string
	for q := range c.want {
		qs = append(qs, q)
	}
	c.want = nil
	return qs
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// prepareWanted prepares, on the writer pool, the queries that write
// transactions ran unprepared. Called with no transaction open by the caller.
func (s *db) prepareWanted(ctx context.Context) {
	if s.d.postgres {
		return
	}
	for _, q := range s.wstmts.takeWanted() {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			continue // run unprepared next time too
		}
		s.wstmts.put(q, st)
	}
}

// stmt returns a prepared statement for query (already rewritten), or nil
// to run it unprepared.
func (r run) stmt(ctx context.Context, query string) *sql.Stmt {
	if r.s.d.postgres || r.read {
		return nil
	}
	if r.tx != nil {
		if st := r.s.wstmts.get(query); st != nil {
			return r.tx.StmtContext(ctx, st)
		}
		r.s.wstmts.wish(query)
		return nil
	}
	if st := r.s.rstmts.get(query); st != nil {
		return st
	}
	st, err := r.s.r.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared run reports the error
	}
	return r.s.rstmts.put(query, st)
}

func (r run) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = r.s.q(query)
	if st := r.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if r.tx == nil || r.read {
		return nil, fmt.Errorf("store: write outside a write transaction: %.40s", query)
	}
	return r.tx.ExecContext(ctx, query, args...)
}

func (r run) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = r.s.q(query)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if r.tx == nil {
		return r.s.r.QueryContext(ctx, query, args...)
	}
	return r.tx.QueryContext(ctx, query, args...)
}

func (r run) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = r.s.q(query)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if r.tx == nil {
		return r.s.r.QueryRowContext(ctx, query, args...)
	}
	return r.tx.QueryRowContext(ctx, query, args...)
}
