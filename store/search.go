package store

import (
	"context"
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
	// most relevant first (ties in ID order), skipping the first offset.
	// limit is capped at MaxStoryPage. A query that does not parse is an
	// error wrapping ErrBadQuery.
	Search(ctx context.Context, f export.Filter, offset, limit int) ([]Hit, error)
}

var _ Searcher = (*db)(nil)

// Ranking weights of the title, text and headlines (SQLite's bm25 takes
// them per column; PostgreSQL's ts_rank weighs A, B, D by its defaults
// 1.0, 0.4, 0.1).
const bm25Weights = "10.0, 1.0, 4.0"

// matchCond is the condition on stories that keeps those matching q, and
// its argument.
func (s *db) matchCond(q Query) (string, any) {
	if s.d.postgres {
		return `stories.id IN (SELECT story_id FROM story_search WHERE doc @@ to_tsquery('simple', ?))`, q.tsquery()
	}
	return `stories.id IN (SELECT rowid FROM story_fts WHERE story_fts MATCH ?)`, q.fts5()
}

// rankQuery is the query listing (id, score) of the stories matching the
// search argument and cond, best first, with LIMIT and OFFSET to bind.
func (s *db) rankQuery(cond string) string {
	if s.d.postgres {
		return `SELECT stories.id, ts_rank(story_search.doc, tsq.q) AS score
			FROM story_search JOIN stories ON stories.id = story_search.story_id CROSS JOIN to_tsquery('simple', ?) AS tsq(q)
			WHERE story_search.doc @@ tsq.q` + cond + ` ORDER BY score DESC, stories.id LIMIT ? OFFSET ?`
	}
	return `SELECT stories.id, -bm25(story_fts, ` + bm25Weights + `) AS score
		FROM story_fts JOIN stories ON stories.id = story_fts.rowid
		WHERE story_fts MATCH ?` + cond + ` ORDER BY score DESC, stories.id LIMIT ? OFFSET ?`
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
	q, err := ParseQuery(f.Query)
	if err != nil {
		return nil, err
	}
	f.Query = ""
	cond, args, err := s.filterCond(f)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	arg := q.fts5()
	if s.d.postgres {
		arg = q.tsquery()
	}
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	qargs := append(append([]any{arg}, args...), limit, offset)
	rows, err := r.query(ctx, s.rankQuery(cond), qargs...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	var hits []Hit
	ids := []any{}
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.Story.ID, &h.Rank); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: search: %w", err)
		}
		hits = append(hits, h)
		ids = append(ids, h.Story.ID)
	}
	err = errors.Join(rows.Err(), rows.Close())
	if err != nil || len(hits) == 0 {
		if err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		return []Hit{}, nil
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
