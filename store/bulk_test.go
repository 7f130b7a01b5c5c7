package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// BulkStory is one story BulkLoad inserts: its canonical text, one copy and
// its dedup keys, as SavePage would store a new story.
type BulkStory struct {
	URL, Site, Text      string
	Simhash, ContentHash uint64
	Words                int
	Keys                 []uint64
	FirstSeen            time.Time
}

// bulkChunk is how many stories BulkLoad builds and inserts at a time (one
// transaction each): memory stays bounded whatever n is.
const bulkChunk = 2000

// BulkLoad inserts n stories, story(0) to story(n-1) in that order, into an
// empty st, for benchmarks that need a store of a million stories. The rows
// are those SavePage writes for a new story (the stories row, its copy, its
// keys; the dedup_stories row by trigger), without deciding or the
// frontier. story runs on every core while one transaction at a time
// inserts (multi-row INSERTs on SQLite, COPY on PostgreSQL); the statistics
// are brought up to date once at the end.
func BulkLoad(ctx context.Context, st Store, n int, story func(i int) BulkStory) error {
	s, ok := st.(*db)
	if !ok {
		return fmt.Errorf("bulk load: %T is not a store of this package", st)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Chunks are built in parallel and inserted in order: chunk c is
	// received from slots[c%len(slots)].
	workers := max(1, runtime.NumCPU())
	slots := make([]chan []BulkStory, workers)
	for w := range slots {
		slots[w] = make(chan []BulkStory, 1)
		go func() {
			defer close(slots[w])
			for lo := w * bulkChunk; lo < n; lo += workers * bulkChunk {
				part := make([]BulkStory, 0, bulkChunk)
				for i := lo; i < min(n, lo+bulkChunk); i++ {
					part = append(part, story(i))
				}
				select {
				case slots[w] <- part:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var next int64
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM stories`).Scan(&next); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	for c := 0; c*bulkChunk < n; c++ {
		part := <-slots[c%workers]
		var err error
		if s.d.postgres {
			err = s.bulkCopy(ctx, part, next+1)
		} else {
			err = s.write(ctx, func(tx *sql.Tx) error { return s.bulkInsert(ctx, tx, part, next+1) })
		}
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		next += int64(len(part))
	}
	// A store that grew over weeks has its statistics and visibility map
	// up to date and its log checkpointed; right after a bulk load the
	// servers would do that work while the benchmark measures.
	if s.d.postgres {
		if _, err := s.w.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('stories', 'id'), (SELECT max(id) FROM stories))`); err != nil {
			return fmt.Errorf("bulk load: story ids: %w", err)
		}
		for _, q := range []string{"VACUUM ANALYZE stories", "VACUUM ANALYZE copies", "VACUUM ANALYZE dedup_keys",
			"VACUUM ANALYZE dedup_stories", "CHECKPOINT"} {
			if _, err := s.w.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("bulk load: %s: %w", q, err)
			}
		}
		return nil
	}
	for _, q := range []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bulk load: %s: %w", q, err)
		}
	}
	return nil
}

// bulkRows are the rows of part, stories numbered from first on.
func bulkRows(part []BulkStory, first int64) (stories, copies, keys [][]any) {
	for j, b := range part {
		id, seen := first+int64(j), b.FirstSeen.UnixNano()
		stories = append(stories, []any{id, b.URL, "Title of " + b.URL, "", seen, b.Site, "en", b.Text, int64(b.Simhash),
			int64(b.ContentHash), int64(b.Words), b.Site, seen, seen})
		copies = append(copies, []any{id, b.URL, frontier.HostOf(b.URL), b.URL, b.Site, "Title of " + b.URL, seen, seen,
			"en", 1.0, "new story", int64(b.Simhash), int64(b.ContentHash), seen})
		ks := slices.Clone(b.Keys)
		slices.Sort(ks)
		for _, k := range slices.Compact(ks) {
			keys = append(keys, []any{int64(k), id})
		}
	}
	return stories, copies, keys
}

var (
	bulkStoryCols = []string{"id", "url", "title", "byline", "published", "site", "lang", "text", "simhash",
		"content_hash", "words", "first_publisher", "first_seen", "updated"}
	bulkCopyCols = []string{"story_id", "url", "host", "canonical_url", "site", "title", "published", "fetched_at",
		"lang", "similarity", "reason", "simhash", "content_hash", "stored_at"}
	bulkKeyCols = []string{"key", "story_id"}
)

// bulkInsert inserts part in multi-row INSERTs (SQLite).
func (s *db) bulkInsert(ctx context.Context, tx *sql.Tx, part []BulkStory, first int64) error {
	stories, copies, keys := bulkRows(part, first)
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"stories", bulkStoryCols, stories}, {"copies", bulkCopyCols, copies}, {"dedup_keys", bulkKeyCols, keys}} {
		per := max(1, 30000/len(t.cols)) // SQLite binds at most 32,766 variables
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
		for rows := t.rows; len(rows) > 0; {
			batch := rows[:min(len(rows), per)]
			rows = rows[len(batch):]
			args := make([]any, 0, len(batch)*len(t.cols))
			for _, r := range batch {
				args = append(args, r...)
			}
			q := "INSERT INTO " + t.table + " (" + strings.Join(t.cols, ", ") + ") VALUES " +
				strings.TrimSuffix(strings.Repeat(row+", ", len(batch)), ", ") + " ON CONFLICT DO NOTHING"
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
		}
	}
	return nil
}

// bulkCopy inserts part with COPY in one transaction (PostgreSQL).
func (s *db) bulkCopy(ctx context.Context, part []BulkStory, first int64) error {
	stories, copies, keys := bulkRows(part, first)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // after Commit it does nothing
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{{"stories", bulkStoryCols, stories}, {"copies", bulkCopyCols, copies}, {"dedup_keys", bulkKeyCols, keys}} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.table, err)
			}
		}
		return tx.Commit(ctx)
	})
}
