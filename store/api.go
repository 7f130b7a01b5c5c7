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

// filterCond is export.Filter as SQL conditions on stories, each starting
// with " AND ": what both Stories (the export) and StoryPage (the API)
// select. A Query that does not parse is an error wrapping ErrBadQuery.
func (s *db) filterCond(f export.Filter) (string, []any, error) {
	where, args := publishedFilter(f.Since, f.Until)
	if f.Lang != "" {
		where = append(where, `lower(lang) = ?`)
		args = append(args, strings.ToLower(f.Lang))
	}
	if f.Site != "" {
		where = append(where, `EXISTS (SELECT 1 FROM copies c WHERE c.story_id = stories.id AND (lower(c.site) = ? OR c.host = ?))`)
		args = append(args, strings.ToLower(f.Site), strings.ToLower(f.Site))
	}
	if strings.TrimSpace(f.Query) != "" {
		q, err := ParseQuery(f.Query)
		if err != nil {
			return "", nil, err
		}
		cond, arg := s.matchCond(q)
		where = append(where, cond)
		args = append(args, arg)
	}
	var cond strings.Builder
	for _, w := range where {
		cond.WriteString(" AND ")
		cond.WriteString(w)
	}
	return cond.String(), args, nil
}

// StoryPage implements Browser.
func (s *db) StoryPage(ctx context.Context, f export.Filter, after int64, limit int) ([]wirecrawl.Story, error) {
	if limit <= 0 {
		return nil, nil
	}
	limit = min(limit, MaxStoryPage)
	cond, args, err := s.filterCond(f)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	// The limit bounds the stories read (copies are read for those only):
	// the page ends at the limit-th matching ID after the cursor.
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	var last int64
	qargs := append([]any{after}, args...)
	qargs = append(qargs, limit)
	err = r.queryRow(ctx, `SELECT coalesce(max(id), 0) FROM (SELECT id FROM stories WHERE id > ?`+cond+` ORDER BY id LIMIT ?) page`, qargs...).Scan(&last)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
	}
	if last == 0 {
		return []wirecrawl.Story{}, nil
	}
	batch, err := s.storyBatch(ctx, r, cond+` AND id <= ?`, append(args, last), after)
	if err != nil {
		return nil, fmt.Errorf("store: story page: %w", err)
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
