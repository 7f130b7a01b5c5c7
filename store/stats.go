package store

import (
	"context"
	"fmt"
)

// Stats counts what the store holds; see Store.
func (s *db) Stats(ctx context.Context) (Stats, error) {
	st := Stats{
		Frontier: map[string]int64{stateQueued: 0, stateLeased: 0, stateDone: 0, stateFailed: 0},
		// Empty lists, not null, in JSON.
		Sites: []SiteCount{}, Langs: []LangCount{}, Fetches: FetchStats{Errors: []ErrorCount{}},
	}
	// Fetch-log records still waiting in this handle count too.
	if err := s.flushLog(ctx); err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	// Stories and copies are the sums of langStats' and siteStats' groups:
	// counted again on their own, copies took a parallel scan of their
	// index (0.2 s at 100,000 stories on a busy PostgreSQL).
	counts := []struct {
		dst   *int64
		query string
	}{
		{&st.Versions, `SELECT count(*) FROM story_versions`},
		{&st.Feeds, `SELECT count(*) FROM feeds`},
		{&st.RawPages, `SELECT count(*) FROM raw_pages`},
		{&st.Fetches.Logged, `SELECT count(*) FROM fetch_log`},
	}
	for _, c := range counts {
		if err := s.r.QueryRowContext(ctx, c.query).Scan(c.dst); err != nil {
			return Stats{}, fmt.Errorf("store: stats: %w", err)
		}
	}
	for _, part := range []func(context.Context, *Stats) error{s.siteStats, s.langStats, s.frontierStats, s.fetchStats} {
		if err := part(ctx, &st); err != nil {
			return Stats{}, err
		}
	}
	for _, c := range st.Sites {
		st.Copies += c.Copies
	}
	for _, l := range st.Langs {
		st.Stories += l.Stories
	}
	st.Duplicates = st.Copies - st.Stories
	return st, nil
}

// siteStats counts stories, copies and first publications per site.
func (s *db) siteStats(ctx context.Context, st *Stats) error {
	err := s.each(ctx, `SELECT site, count(DISTINCT story_id), count(*) FROM copies GROUP BY site ORDER BY count(*) DESC, site`,
		nil, func(sc scanner) error {
			var c SiteCount
			if err := sc.Scan(&c.Site, &c.Stories, &c.Copies); err != nil {
				return err
			}
			st.Sites = append(st.Sites, c)
			return nil
		})
	if err != nil {
		return err
	}
	first := map[string]int64{}
	err = s.each(ctx, `SELECT first_publisher, count(*) FROM stories GROUP BY first_publisher`, nil, func(sc scanner) error {
		var (
			site string
			n    int64
		)
		if err := sc.Scan(&site, &n); err != nil {
			return err
		}
		first[site] = n
		return nil
	})
	if err != nil {
		return err
	}
	for i := range st.Sites {
		st.Sites[i].First = first[st.Sites[i].Site]
	}
	return nil
}

// langStats counts stories per language.
func (s *db) langStats(ctx context.Context, st *Stats) error {
	return s.each(ctx, `SELECT lang, count(*) FROM stories GROUP BY lang ORDER BY count(*) DESC, lang`, nil, func(sc scanner) error {
		var l LangCount
		if err := sc.Scan(&l.Lang, &l.Stories); err != nil {
			return err
		}
		st.Langs = append(st.Langs, l)
		return nil
	})
}

// frontierStats counts frontier URLs per state.
func (s *db) frontierStats(ctx context.Context, st *Stats) error {
	return s.each(ctx, `SELECT state, count(*) FROM frontier GROUP BY state`, nil, func(sc scanner) error {
		var (
			state string
			n     int64
		)
		if err := sc.Scan(&state, &n); err != nil {
			return err
		}
		st.Frontier[state] = n
		return nil
	})
}

// fetchStats sums up the latest RecentFetches fetch-log entries, by
// insertion order: how many, the time they span, the errors by class.
func (s *db) fetchStats(ctx context.Context, st *Stats) error {
	recent := `SELECT err_class, error, at, id FROM fetch_log ORDER BY id DESC LIMIT ?`
	var from, to int64
	byClass := map[string]int{}
	err := s.each(ctx, recent, []any{RecentFetches}, func(sc scanner) error {
		var (
			class, msg string
			at, id     int64
		)
		if err := sc.Scan(&class, &msg, &at, &id); err != nil {
			return err
		}
		st.Fetches.Total++
		if to == 0 || at > to {
			to = at
		}
		if from == 0 || at < from {
			from = at
		}
		if class == "" {
			st.Fetches.OK++
			return nil
		}
		i, ok := byClass[class]
		if !ok {
			i = len(st.Fetches.Errors)
			byClass[class] = i
			st.Fetches.Errors = append(st.Fetches.Errors, ErrorCount{Class: class, Example: msg})
		}
		st.Fetches.Errors[i].Count++
		return nil
	})
	if err != nil {
		return err
	}
	st.Fetches.From, st.Fetches.To = fromNanos(from), fromNanos(to)
	sortErrors(st.Fetches.Errors)
	return nil
}

// sortErrors orders error classes by count, most first, then by name.
func sortErrors(es []ErrorCount) {
	for i := 1; i < len(es); i++ {
		for k := i; k > 0 && (es[k].Count > es[k-1].Count || es[k].Count == es[k-1].Count && es[k].Class < es[k-1].Class); k-- {
			es[k], es[k-1] = es[k-1], es[k]
		}
	}
}

// scanner is a row being read.
type scanner interface{ Scan(dest ...any) error }

// each runs a read query and calls fn for every row.
func (s *db) each(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	rows, err := s.in(nil).query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("store: stats: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: stats: %w", err)
	}
	return nil
}
