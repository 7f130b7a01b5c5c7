package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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

// BulkLoad inserts stories into st in large transactions, for benchmarks
// that need a store of a million stories: the rows are those SavePage
// writes for a new story (the stories row, its copy, its keys; the
// dedup_stories row by trigger), without deciding or the frontier.
func BulkLoad(ctx context.Context, st Store, stories []BulkStory) error {
	s, ok := st.(*db)
	if !ok {
		return fmt.Errorf("bulk load: %T is not a store of this package", st)
	}
	const batch = 200
	for len(stories) > 0 {
		part := stories[:min(len(stories), batch)]
		stories = stories[len(part):]
		err := s.write(ctx, func(tx *sql.Tx) error {
			r := s.in(tx)
			for _, b := range part {
				var id int64
				seen := b.FirstSeen.UnixNano()
				err := r.queryRow(ctx, `INSERT INTO stories (url, title, byline, published, site, lang, text, simhash,
					content_hash, words, first_publisher, first_seen, updated) VALUES (?, ?, '', ?, ?, 'en', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					b.URL, "Title of "+b.URL, seen, b.Site, b.Text, int64(b.Simhash), int64(b.ContentHash), b.Words, b.Site, seen, seen).Scan(&id)
				if err != nil {
					return fmt.Errorf("bulk story: %w", err)
				}
				if _, err := r.exec(ctx, `INSERT INTO copies (story_id, url, host, canonical_url, site, title, published, fetched_at,
					lang, similarity, reason, simhash, content_hash, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'en', 1, 'new story', ?, ?, ?)`,
					id, b.URL, frontier.HostOf(b.URL), b.URL, b.Site, "Title of "+b.URL, seen, seen, int64(b.Simhash), int64(b.ContentHash), seen); err != nil {
					return fmt.Errorf("bulk copy: %w", err)
				}
				args := make([]any, 0, 2*len(b.Keys))
				for _, k := range b.Keys {
					args = append(args, int64(k), id)
				}
				if len(b.Keys) > 0 {
					q := `INSERT INTO dedup_keys (key, story_id) VALUES ` + strings.Repeat("(?, ?), ", len(b.Keys)-1) + `(?, ?) ON CONFLICT DO NOTHING`
					if _, err := r.exec(ctx, q, args...); err != nil {
						return fmt.Errorf("bulk keys: %w", err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// A store that grew over weeks has its statistics and visibility map
	// up to date; right after a bulk load PostgreSQL's autovacuum would do
	// that work while the benchmark measures.
	if s.d.postgres {
		for _, t := range []string{"stories", "copies", "dedup_keys", "dedup_stories"} {
			if _, err := s.w.ExecContext(ctx, "VACUUM ANALYZE "+t); err != nil {
				return fmt.Errorf("bulk load: vacuum %s: %w", t, err)
			}
		}
	} else if _, err := s.w.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("bulk load: analyze: %w", err)
	}
	return nil
}
