package store

import (
	"context"
	"fmt"
	"strconv"
)

// PostgreSQL's full-text plans. The GIN index finds a query's matches
// without reading their documents, but in no useful order: to list them
// in ID order the executor collects and sorts them all (a bitmap scan,
// ~1 µs a match; a phrase's candidates must be re-read, ~15 µs each). The
// other way is to walk the stories in ID order and test each document,
// ~4 µs a story: the planner prices that test as one operator call, but it
// reads the story's TOASTed tsvector (some 3 kB compressed). Its row
// estimates are good, its choice is not: a word in 0.6 % of 100,000
// stories sent it walking 8,000 of them for a page of 50 (50 ms), two
// words in 3 % walked 60,000 for the rank window (0.8 s); and it cannot
// be led to AND the GIN index with an ID range (for a wide range it walks
// the range instead). So the store chooses: it walks a short stretch of
// stories where the walk would go (after the cursor for a page, the
// newest for the rank window), which measures how densely the query
// matches there, d; the walk then costs need/d stories, the bitmap scan
// d×N matches (N stories) per word, and the cheaper one runs. A page the stretch
// filled is done; a query that matched none of it takes the bitmap scan.
// The rank window is one subquery and only its stories are ranked.

// Plans for tests: which way a PostgreSQL search goes.
const (
	planAuto   = iota // chosen as above
	planWalk          // walk the stories in ID order
	planBitmap        // collect every match through the GIN index and sort
)

// pgStretch is how many stories a search walks first.
const pgStretch = 256

// Relative costs of the plans: a story walked, a match the bitmap scan
// collects per word of the query (each word's list of stories is read
// whole, and is at least as long as the matches), a phrase's candidate it
// re-reads (measured at 100,000 stories: 4 µs, 1 µs, 15 µs).
const (
	costWalk    = 4.0
	costBitmap  = 1.0
	costRecheck = 15.0
)

// pgFrom is the FROM and WHERE of the stories matching q and cond, on
// PostgreSQL; stories are joined for cond only.
func pgFrom(q Query, cond string) string {
	from := ` FROM story_search`
	if cond != "" {
		from += ` JOIN stories ON stories.id = story_search.story_id`
	}
	return from + ` WHERE story_search.doc @@ ` + q.tsqueryLiteral() + cond
}

// stretch is the store's pgStretch: a test may set another.
func (s *db) stretch() int {
	if s.searchStretch > 0 {
		return s.searchStretch
	}
	return pgStretch
}

// pgStretchFrom is the FROM and WHERE of the stories matching q and cond
// among stretch() stories: after an ID to bind first, or (desc) the
// newest.
func (s *db) pgStretchFrom(q Query, cond string, desc bool) string {
	near := `WHERE id > ? ORDER BY id`
	if desc {
		near = `ORDER BY id DESC`
	}
	return ` FROM (SELECT id FROM stories ` + near + ` LIMIT ` + strconv.Itoa(s.stretch()) + `) AS n
		JOIN story_search ON story_search.story_id = n.id JOIN stories ON stories.id = n.id
		WHERE story_search.doc @@ ` + q.tsqueryLiteral() + cond
}

// newestID is a scalar subquery: the highest story ID (0 in an empty
// store). The walk's measurement carries it, to spare a round trip (on a
// busy machine each one waits for a core).
const newestID = `(SELECT coalesce(max(id), 0) FROM stories)`

// walks says whether walking finds need matches of q more cheaply than a
// bitmap scan over stories stories would, where found of stretch() walked
// stories matched.
func (s *db) walks(q Query, found, need int, stories int64) bool {
	switch s.searchPlan {
	case planWalk:
		return true
	case planBitmap:
		return false
	}
	if found == 0 {
		return false
	}
	d := float64(found) / float64(s.stretch())
	perMatch := costBitmap * float64(q.words())
	if q.lossy() {
		perMatch = costRecheck
	}
	return float64(need)/d*costWalk < d*float64(stories)*perMatch
}

// lossy says whether the GIN index only narrows q down, every candidate
// re-read to check it: a phrase's words must also be next to each other.
func (q Query) lossy() bool {
	for _, t := range q.terms {
		if len(t.words) > 1 {
			return true
		}
	}
	return false
}

// words counts the words and prefixes q looks up, excluded ones too.
func (q Query) words() int {
	n := 0
	for _, t := range q.terms {
		n += len(t.words)
	}
	return n
}

// pgPageIDs returns the IDs of up to limit stories after after matching q
// and cond, in ID order: a stretch walked, then the rest of the page by the
// cheaper plan.
func (s *db) pgPageIDs(ctx context.Context, r run, q Query, cond string, args []any, after int64, limit int) ([]int64, error) {
	found, newest := 0, int64(0)
	if s.searchPlan == planAuto {
		var ids []int64
		err := r.each(ctx, `SELECT n.id, `+newestID+s.pgStretchFrom(q, cond, false)+` ORDER BY n.id LIMIT ?`,
			append(append([]any{after}, args...), limit), func(sc scanner) error {
				var id int64
				if err := sc.Scan(&id, &newest); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			})
		if err != nil || len(ids) == limit {
			return ids, err
		}
		found = len(ids)
	}
	order := `story_search.story_id + 0`
	if s.walks(q, found, limit, newest-after) {
		order = `story_search.story_id`
	}
	return r.ids(ctx, `SELECT story_search.story_id`+pgFrom(q, cond)+` AND story_search.story_id > ? ORDER BY `+order+` LIMIT ?`,
		append(append([]any{}, args...), after, limit)...)
}

// pgRankQuery is the query listing (id, score) of the newest window
// stories matching q and cond, best first, with cond's arguments, LIMIT
// and OFFSET to bind; walk chooses the plan that finds them.
func (s *db) pgRankQuery(q Query, cond string, walk bool) string {
	order := `story_search.story_id DESC`
	if !walk {
		order = `story_search.story_id + 0 DESC`
	}
	return `SELECT m.story_id, ts_rank(m.doc, ` + q.tsqueryLiteral() + `) AS score FROM (
		SELECT story_search.story_id, story_search.doc` + pgFrom(q, cond) + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(s.window()) + `
	) AS m ORDER BY score DESC, m.story_id LIMIT ? OFFSET ?`
}

// pgRankHits returns up to limit hits, after offset, of the newest
// window() stories matching q and cond, best first, found by the cheaper
// plan after a stretch of the newest stories.
func (s *db) pgRankHits(ctx context.Context, r run, q Query, cond string, args []any, limit, offset int) ([]Hit, error) {
	var (
		found  int
		newest int64
	)
	if s.searchPlan == planAuto {
		err := r.queryRow(ctx, `SELECT `+newestID+`, count(*)`+s.pgStretchFrom(q, cond, true), args...).Scan(&newest, &found)
		if err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
	}
	walk := s.walks(q, found, s.window(), newest)
	return s.rank(ctx, r, s.pgRankQuery(q, cond, walk), append(append([]any{}, args...), limit, offset))
}

// ids runs a query listing IDs and returns them.
func (r run) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := r.each(ctx, query, args, func(sc scanner) error {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// each runs a query in r and calls fn for every row.
func (r run) each(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
