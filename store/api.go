package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
)

// Browser reads stories a page at a time, for the HTTP API of `wirecrawl
// serve`. Both backends implement it; a Store from Open can be asserted to it.
type Browser interface {
	// StoryPage returns up to limit stories matching f with an ID greater
	// than after, in ID order, with their copies (canonical first). limit is
	// capped at MaxStoryPage.
	StoryPage(ctx context.Context, f export.Filter, after int64, limit int) ([]wirecrawl.Story, error)
	// StoryByID returns one story with its copies; ok is false when there is
	// no story id.
	StoryByID(ctx context.Context, id int64) (st wirecrawl.Story, ok bool, err error)
}

// MaxStoryPage is the most stories StoryPage returns at once.
const MaxStoryPage = storiesBatch

var _ Browser = (*db)(nil)

// selection is an export.Filter compiled for the backend: conditions on
// stories, and the full-text query (nil without one).
type selection struct {
	cond  string // each condition starting with " AND ", the site's last
	args  []any
	query *Query
	// site is the site filter in lower case ("" for none); cond ends with
	// its condition, of one argument, which base leaves out.
	site string
	// base is cond without the site's condition, of args[:len(args)-1].
	base string
}

// compile turns f into a selection: what both Stories (the export) and
// StoryPage (the API) select. A Query that does not parse is an error
// wrapping ErrBadQuery.
func (s *db) compile(f export.Filter) (selection, error) {
	where, args := publishedFilter(f.Since, f.Until)
	if f.Lang != "" {
		where = append(where, `lower(lang) = ?`)
		args = append(args, strings.ToLower(f.Lang))
	}
	sel := selection{args: args}
	for _, w := range where {
		sel.cond += " AND " + w
	}
	sel.base = sel.cond
	if f.Site != "" {
		// story_sites holds each copy's site in lower case and its host
		// (migration 0008's triggers keep it); a page without a query
		// walks it instead (see pageIDs).
		sel.site = strings.ToLower(f.Site)
		sel.cond += ` AND stories.id IN (SELECT ss.story_id FROM story_sites ss WHERE ss.site = ?)`
		sel.args = append(sel.args, sel.site)
	}
	if strings.TrimSpace(f.Query) != "" {
		q, err := ParseQuery(f.Query)
		if err != nil {
			return sel, err
		}
		sel.query = &q
	}
	return sel, nil
}

// pageIDs returns the IDs, after after and in ID order, of up to limit
// stories sel selects. With a site and no full-text query, the site's list
// of stories drives. With a full-text query on SQLite the index drives:
// FTS5 walks its matches in ID order, joined to their stories for the
// other conditions, so that a page of a common word stops at the limit and
// a rare word reads its few matches. PostgreSQL's GIN index has no order:
// see pgPageIDs.
func (s *db) pageIDs(ctx context.Context, r run, sel selection, after int64, limit int) ([]int64, error) {
	q := `SELECT id FROM stories WHERE id > ?` + sel.cond + ` ORDER BY id LIMIT ?`
	args := append(append([]any{after}, sel.args...), limit)
	switch {
	case sel.query == nil && sel.site != "":
		// The site's stories in ID order, an index range from the cursor,
		// joined to their stories for the other conditions (SQLite's CROSS
		// JOIN keeps that order of the loops).
		join := `CROSS JOIN`
		if s.d.postgres {
			join = `JOIN`
		}
		q = `SELECT stories.id FROM story_sites ss ` + join + ` stories ON stories.id = ss.story_id
			WHERE ss.site = ? AND ss.story_id > ?` + sel.base + ` ORDER BY ss.story_id LIMIT ?`
		args = append(append([]any{sel.site, after}, sel.args[:len(sel.args)-1]...), limit)
	case sel.query != nil && s.d.postgres:
		return s.pgPageIDs(ctx, r, *sel.query, sel.cond, sel.args, after, limit)
	case sel.query != nil:
		// CROSS JOIN keeps the index the outer loop.
		q = `SELECT stories.id FROM story_fts CROSS JOIN stories ON stories.id = story_fts.rowid
			WHERE story_fts MATCH ? AND story_fts.rowid > ?` + sel.cond + ` ORDER BY story_fts.rowid LIMIT ?`
		args = append([]any{sel.query.fts5()}, args...)
	}
	return r.ids(ctx, q, args...)
}

// page returns the stories, with their copies, of up to limit (at most
// storiesBatch) IDs after after that sel selects, in ID order.
func (s *db) page(ctx context.Context, r run, sel selection, after int64, limit int) ([]wirecrawl.Story, error) {
	ids, err := s.pageIDs(ctx, r, sel, after, min(limit, storiesBatch))
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.storyBatch(ctx, r, ` AND id IN (`+placeholders(len(ids))+`)`, args, after)
}

// StoryPage implements Browser.
func (s *db) StoryPage(ctx context.Context, f export.Filter, after int64, limit int) ([]wirecrawl.Story, error) {
	if limit <= 0 {
		return nil, nil
	}
	sel, err := s.compile(f)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	// The limit bounds the stories read (copies are read for those only).
	batch, err := s.page(ctx, run{s: s, tx: tx, read: true}, sel, after, min(limit, MaxStoryPage))
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	if batch == nil {
		batch = []wirecrawl.Story{}
	}
	return batch, nil
}

// StoryByID implements Browser.
func (s *db) StoryByID(ctx context.Context, id int64) (wirecrawl.Story, bool, error) {
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return wirecrawl.Story{}, false, fmt.Errorf("store: story %d: %w", id, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	batch, err := s.storyBatch(ctx, r, ` AND id = ?`, []any{id}, id-1)
	if err != nil {
		return wirecrawl.Story{}, false, fmt.Errorf("store: story %d: %w", id, err)
	}
	if len(batch) == 0 {
		return wirecrawl.Story{}, false, nil
	}
	return batch[0], true, nil
}
