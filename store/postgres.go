package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// openPostgres opens the PostgreSQL database named by dsn. The schema is the
// first existing one on the connection's search_path (set it with
// ?search_path=NAME in the DSN to keep several stores in one database).
func openPostgres(ctx context.Context, dsn string, cfg Config) (Store, error) {
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres DSN: %w", err)
	}
	p := stdlib.OpenDB(*pc)
	p.SetMaxOpenConns(16)
	p.SetMaxIdleConns(4)
	var schema sql.NullString
	if err := p.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: postgres %s@%s/%s: %w", pc.User, pc.Host, pc.Database, err)
	}
	if !schema.Valid {
		p.Close()
		return nil, errors.New("store: postgres: no schema of the search_path exists")
	}
	s := &db{cfg: cfg, d: postgresDialect, w: p, r: p,
		snapshot: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}}
	dedupKey := lockKey(schema.String, "dedup")
	s.beginLocked = func(ctx context.Context) (*sql.Tx, error) {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, dedupKey); err != nil {
			_ = tx.Rollback()
			return nil, fmt.Errorf("dedup lock: %w", err)
		}
		return tx, nil
	}
	s.runLock = func(ctx context.Context, name string, wait bool) (func(), error) {
		return pgRunLock(ctx, s.w, lockKey(schema.String, "run:"+name), wait)
	}
	if err := s.migrate(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(schema.String, "migrate"))
		return err
	}); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: postgres schema %s: %w", schema.String, err)
	}
	return s, nil
}

// lockKey is the advisory lock key of a named lock within one schema.
func lockKey(schema, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("wirecrawl\x00" + schema + "\x00" + name))
	return int64(h.Sum64())
}

// pgRunLock takes a session advisory lock on a connection of its own, which
// the server releases when the connection (or the process) ends.
func pgRunLock(ctx context.Context, p *sql.DB, key int64, wait bool) (func(), error) {
	conn, err := p.Conn(ctx)
	if err != nil {
		return nil, err
	}
	err = pollLock(ctx, wait, func() (bool, error) {
		var ok bool
		err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
		return ok, err
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		var ok bool
		err := conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key).Scan(&ok)
		if err != nil || !ok {
			// Drop the connection rather than pool one that may hold the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}
