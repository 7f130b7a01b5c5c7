package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrations holds the versioned schema changes of each backend, named
// NNNN_what.sql and applied in order.
//
//go:embed migrations
var migrations embed.FS

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations of one backend in version order.
func loadMigrations(backend string) ([]migration, error) {
	dir := path.Join("migrations", backend)
	ents, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", e.Name())
		}
		b, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies the pending migrations in one write transaction. lock, if
// not nil, is called first in that transaction (PostgreSQL takes an advisory
// lock; SQLite's BEGIN IMMEDIATE already excludes other writers), so two
// processes opening one store at once apply each migration once.
func (s *db) migrate(ctx context.Context, lock func(tx *sql.Tx) error) error {
	ms, err := loadMigrations(s.d.name)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if lock != nil {
			if err := lock(tx); err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
		}
		if _, err := s.in(tx).exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		applied := map[int]bool{}
		latest := 0
		rows, err := s.in(tx).query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("read migrations: %w", err)
			}
			applied[v] = true
			latest = max(latest, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		if n := len(ms); n > 0 && latest > ms[n-1].version {
			return fmt.Errorf("database schema version %d is newer than this wirecrawl knows (%d)", latest, ms[n-1].version)
		}
		for _, m := range ms {
			if applied[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := s.in(tx).exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixNano()); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}
