package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
)

// Raw returns the stored raw response of url; see export.Source.
func (s *db) Raw(ctx context.Context, u string) (export.Raw, bool, error) {
	raw := export.Raw{URL: u}
	var (
		hdr string
		at  int64
	)
	err := s.in(nil).queryRow(ctx, `SELECT status, header, body, fetched_at FROM raw_pages WHERE url = ?`, u).
		Scan(&raw.Status, &hdr, &raw.Body, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return export.Raw{}, false, nil
	case err != nil:
		return export.Raw{}, false, fmt.Errorf("store: raw %s: %w", u, err)
	}
	raw.FetchedAt = fromNanos(at)
	if hdr != "" && hdr != "null" {
		raw.Header = http.Header{}
		if err := json.Unmarshal([]byte(hdr), &raw.Header); err != nil {
			return export.Raw{}, false, fmt.Errorf("store: raw %s: header: %w", u, err)
		}
	}
	return raw, true, nil
}

const storyColumns = `id, url, title, byline, published, site, lang, text, first_publisher, first_seen, updated`

func scanStory(sc interface{ Scan(...any) error }) (wirecrawl.Story, error) {
	var (
		st                    wirecrawl.Story
		pub, first, updatedAt int64
	)
	err := sc.Scan(&st.ID, &st.URL, &st.Title, &st.Byline, &pub, &st.Site, &st.Lang, &st.Text, &st.FirstPublisher, &first, &updatedAt)
	st.Published, st.FirstSeen, st.Updated = fromNanos(pub), fromNanos(first), fromNanos(updatedAt)
	return st, err
}

const copyColumns = `story_id, url, site, title, byline, published, fetched_at, similarity, reason, text`

func scanCopy(sc interface{ Scan(...any) error }) (int64, wirecrawl.Copy, error) {
	var (
		id       int64
		c        wirecrawl.Copy
		pub, fet int64
		text     sql.NullString
	)
	err := sc.Scan(&id, &c.URL, &c.Site, &c.Title, &c.Byline, &pub, &fet, &c.Similarity, &c.Reason, &text)
	c.Published, c.FetchedAt, c.Text = fromNanos(pub), fromNanos(fet), text.String
	return id, c, err
}

// copyOrder lists a story's copies: the canonical URL first, then by time.
const copyOrder = ` ORDER BY story_id, CASE WHEN published = 0 THEN fetched_at ELSE published END, fetched_at, id`

// storiesBatch is how many stories Stories reads per query.
const storiesBatch = 256

// Stories streams the stories matching f in ID order with their copies; see
// export.Source. It reads storiesBatch stories at a time (keyset paging), so
// memory stays bounded and no connection is held while fn runs.
func (s *db) Stories(ctx context.Context, f export.Filter, fn func(wirecrawl.Story) error) error {
	sel, err := s.compile(f)
	if err != nil {
		return fmt.Errorf("store: stories: %w", err)
	}
	// One read transaction for the whole walk: the export is a snapshot, in
	// which every stored URL is in exactly one story even while a crawl
	// writes (SQLite WAL readers and PostgreSQL MVCC do not block writers).
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return fmt.Errorf("store: stories: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	last := int64(0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := s.page(ctx, r, sel, last, storiesBatch)
		if err != nil {
			return fmt.Errorf("store: stories: %w", err)
		}
		for _, st := range batch {
			if err := fn(st); err != nil {
				return err
			}
		}
		if len(batch) < storiesBatch {
			return nil
		}
		last = batch[len(batch)-1].ID
	}
}

func (s *db) storyBatch(ctx context.Context, r run, cond string, args []any, after int64) ([]wirecrawl.Story, error) {
	qargs := append([]any{after}, args...)
	qargs = append(qargs, storiesBatch)
	rows, err := r.query(ctx, `SELECT `+storyColumns+` FROM stories WHERE id > ?`+cond+` ORDER BY id LIMIT ?`, qargs...)
	if err != nil {
		return nil, err
	}
	var batch []wirecrawl.Story
	pos := map[int64]int{}
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		pos[st.ID] = len(batch)
		batch = append(batch, st)
	}
	err = rows.Err()
	rows.Close()
	if err != nil || len(batch) == 0 {
		return batch, err
	}
	ids := make([]any, len(batch))
	for i, st := range batch {
		ids[i] = st.ID
	}
	rows, err = r.query(ctx, `SELECT `+copyColumns+` FROM copies WHERE story_id IN (`+placeholders(len(ids))+`)`+copyOrder, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		id, c, err := scanCopy(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := pos[id]; ok {
			batch[i].Copies = append(batch[i].Copies, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range batch {
		canonicalFirst(&batch[i])
	}
	return batch, nil
}

// canonicalFirst moves the canonical URL's copy to the front of the list.
func canonicalFirst(st *wirecrawl.Story) {
	for i, c := range st.Copies {
		if c.URL == st.URL && i > 0 {
			copy(st.Copies[1:i+1], st.Copies[:i])
			st.Copies[0] = c
			return
		}
	}
}

// StoryOf returns the story url belongs to and its copy record; see Store.
func (s *db) StoryOf(ctx context.Context, u string) (wirecrawl.Story, wirecrawl.Copy, bool, error) {
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: %w", u, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	id, c, err := scanCopy(r.queryRow(ctx, `SELECT `+copyColumns+` FROM copies WHERE url = ?`, u))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, nil
	case err != nil:
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: %w", u, err)
	}
	var found *wirecrawl.Story
	batch, err := s.storyBatch(ctx, r, ` AND id = ?`, []any{id}, id-1)
	if err != nil {
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: %w", u, err)
	}
	if len(batch) == 1 {
		found = &batch[0]
	}
	if found == nil {
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: story %d missing", u, id)
	}
	return *found, c, true, nil
}
