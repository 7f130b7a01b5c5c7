package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
)

// Hit is one story a search found.
type Hit struct {
	// Story is the story with its copies, canonical first.
	Story wirecrawl.Story
	// Rank is the story's relevance, higher first: SQLite's bm25 (negated)
	// or PostgreSQL's ts_rank, comparable within one search only. Title
	// words weigh most, then copies' headlines, then the text.
	Rank float64
	// Snippet is some 40 words of the text around the first matching word,
	// matching words in **bold**, cuts marked with "…"; the start of the
	// text when only the title or a headline matched.
	Snippet string
}

// Searcher ranks stories by relevance to a full-text query. Both backends
// implement it; a Store from Open can be asserted to it.
type Searcher interface {
	// Search returns up to limit stories matching f (f.Query is required),
	// most relevant first (ties in ID order), skipping the first offset;
	// of a query matching more than RankWindow stories, the newest
	// RankWindow are ranked.
	// limit is capped at MaxStoryPage. A query that does not parse is an
	// error wrapping ErrBadQuery.
	Search(ctx context.Context, f export.Filter, offset, limit int) ([]Hit, error)
}

var _ Searcher = (*db)(nil)

// Ranking weights of the title, text and headlines (SQLite's bm25 takes
// them per column; PostgreSQL's ts_rank weighs A, B, D by its defaults
// 1.0, 0.4, 0.1).
const bm25Weights = "10.0, 1.0, 4.0"

// RankWindow is how many of a query's matches Search ranks at most: the
// newest (highest IDs) that pass the filter. Ranking reads every ranked
// story's index entry, so a word in most of a large store's stories would
// cost seconds; news search favours recent stories anyway. A query with
// fewer matches ranks them all.
const RankWindow = 2000

// window is the store's rank window: RankWindow unless a test set another.
func (s *db) window() int {
	if s.rankWindow > 0 {
		return s.rankWindow
	}
	return RankWindow
}

// ftsFrom is the FROM and WHERE of the stories matching an FTS5
// expression (bound first) and cond, on SQLite, the index driving; stories
// are joined only for a cond to test. FTS5 takes rowid ranges and order
// from its doclists.
func ftsFrom(cond string) string {
	if cond == "" {
		return ` FROM story_fts WHERE story_fts MATCH ?`
	}
	return ` FROM story_fts CROSS JOIN stories ON stories.id = story_fts.rowid WHERE story_fts MATCH ?` + cond
}

// rankWindowStart returns, on SQLite, the lowest ID among the newest
// window() stories matching q and cond (0 when fewer match: rank them all).
func (s *db) rankWindowStart(ctx context.Context, r run, q Query, cond string, args []any) (int64, error) {
	var matches int
	if err := r.queryRow(ctx, `SELECT count(*) FROM (SELECT 1`+ftsFrom(cond)+` LIMIT ?) AS m`,
		append(append([]any{q.fts5()}, args...), s.window())...).Scan(&matches); err != nil {
		return 0, err
	}
	if matches < s.window() {
		return 0, nil
	}
	var start int64
	err := r.queryRow(ctx, `SELECT story_fts.rowid`+ftsFrom(cond)+` ORDER BY story_fts.rowid DESC LIMIT 1 OFFSET ?`,
		append(append([]any{q.fts5()}, args...), s.window()-1)...).Scan(&start)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return start, err
}

// rankQuery is, on SQLite, the query listing (id, score) of the stories
// matching the FTS5 expression and cond, best first, with LIMIT and OFFSET
// to bind; bounded adds a lowest ID to bind after cond's arguments.
func rankQuery(cond string, bounded bool) string {
	where := ftsFrom(cond)
	if bounded {
		where += ` AND story_fts.rowid >= ?`
	}
	return `SELECT story_fts.rowid, -bm25(story_fts, ` + bm25Weights + `) AS score` + where +
		` ORDER BY score DESC, story_fts.rowid LIMIT ? OFFSET ?`
}

// Search implements Searcher.
func (s *db) Search(ctx context.Context, f export.Filter, offset, limit int) ([]Hit, error) {
	if limit <= 0 {
		return nil, nil
	}
	limit, offset = min(limit, MaxStoryPage), max(offset, 0)
	if strings.TrimSpace(f.Query) == "" {
		return nil, fmt.Errorf("store: search: %w: no words to search for", ErrBadQuery)
	}
	sel, err := s.compile(f)
	if err != nil {
		return nil, err
	}
	q, cond, args := *sel.query, sel.cond, sel.args
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	hits, err := s.rankHits(ctx, r, q, cond, args, limit, offset)
	if err != nil || len(hits) == 0 {
		return hits, err
	}
	ids := make([]any, len(hits))
	for i, h := range hits {
		ids[i] = h.Story.ID
	}
	batch, err := s.storyBatch(ctx, r, ` AND id IN (`+placeholders(len(ids))+`)`, ids, 0)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	byID := make(map[int64]*wirecrawl.Story, len(batch))
	for i := range batch {
		byID[batch[i].ID] = &batch[i]
	}
	out := hits[:0]
	for _, h := range hits {
		if st, ok := byID[h.Story.ID]; ok {
			h.Story = *st
			h.Snippet = Snippet(st.Text, q, snippetWords)
			out = append(out, h)
		}
	}
	return out, nil
}

// rankHits returns up to limit hits, after offset, of the newest
// window() stories matching q and cond, best first, with their IDs and
// ranks. SQLite finds the window's start, then ranks from there;
// PostgreSQL ranks a window subquery (see search_postgres.go).
func (s *db) rankHits(ctx context.Context, r run, q Query, cond string, args []any, limit, offset int) ([]Hit, error) {
	if s.d.postgres {
		return s.pgRankHits(ctx, r, q, cond, args, limit, offset)
	}
	start, err := s.rankWindowStart(ctx, r, q, cond, args)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	qargs := append([]any{q.fts5()}, args...)
	if start > 0 {
		qargs = append(qargs, start)
	}
	return s.rank(ctx, r, rankQuery(cond, start > 0), append(qargs, limit, offset))
}

// rank runs a query listing (id, score) and returns the hits with their IDs
// and ranks.
func (s *db) rank(ctx context.Context, r run, query string, args []any) ([]Hit, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	hits := []Hit{}
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.Story.ID, &h.Rank); err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return hits, nil
}

// snippetWords is how many words a Hit's snippet shows.
const snippetWords = 40

// Snippet returns about n words of text around the first word matching q
// (from the start when none does), matching words in **bold**, runs of
// white space as one space, and "…" where the text was cut. Words match as
// the index matches them: ignoring case and diacritics.
func Snippet(text string, q Query, n int) string {
	words := wordSpans(text)
	if len(words) == 0 || n <= 0 {
		return ""
	}
	first := slices.IndexFunc(words, func(w [2]int) bool { return q.matchesWord(fold(text[w[0]:w[1]])) })
	from := max(0, first-n/4)
	to := min(len(words), from+n)
	from = max(0, to-n)
	match := make([]bool, len(words))
	for i := from; i < to; i++ {
		match[i] = q.matchesWord(fold(text[words[i][0]:words[i][1]]))
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	} else {
		b.WriteString(strings.TrimLeftFunc(collapseSpace(text[:words[0][0]]), unicode.IsSpace))
	}
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(collapseSpace(text[words[i-1][1]:words[i][0]]))
		}
		w := text[words[i][0]:words[i][1]]
		if match[i] {
			b.WriteString("**" + w + "**")
		} else {
			b.WriteString(w)
		}
	}
	if to < len(words) {
		b.WriteString(" …")
	} else {
		b.WriteString(strings.TrimRightFunc(collapseSpace(text[words[to-1][1]:]), unicode.IsSpace))
	}
	return b.String()
}

// collapseSpace replaces each run of white space in s with one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// wordSpans returns the byte ranges of the words of text, as isWordRune
// delimits them.
func wordSpans(text string) [][2]int {
	var (
		spans [][2]int
		start = -1
	)
	for i, r := range text {
		in := isWordRune(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(text)})
	}
	return spans
}

// matchesWord says whether the folded word w is one of q's words (or
// starts with one of its prefixes), excluded terms aside.
func (q Query) matchesWord(w string) bool {
	for _, t := range q.terms {
		if t.not {
			continue
		}
		for _, qw := range t.words {
			fw := fold(qw)
			if w == fw || t.prefix && strings.HasPrefix(w, fw) {
				return true
			}
		}
	}
	return false
}

// fold is w in lower case without diacritics.
func fold(w string) string {
	w = strings.ToLower(w)
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	// A transformer keeps state: one per call.
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), w)
	if err != nil {
		return w
	}
	return out
}
