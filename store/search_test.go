package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// oldSchema creates, through db, the schema an older wirecrawl left: the
// migrations before version 0006 (full-text search), recorded as applied,
// with two stories in it (IDs 1 and 2); the first has a copy under its own
// headline.
func oldSchema(t *testing.T, db *sql.DB, backend string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", backend, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations of %s: %v", backend, err)
	}
	slices.Sort(files)
	stmts := []string{`CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`}
	for _, f := range files {
		name := filepath.Base(f)
		v, err := strconv.Atoi(name[:4])
		if err != nil {
			t.Fatalf("migration %s: %v", name, err)
		}
		if v >= 6 {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(b), `INSERT INTO schema_migrations VALUES (`+strconv.Itoa(v)+`, '`+name+`', 1)`)
	}
	stmts = append(stmts,
		`INSERT INTO stories (url, title, text, site, first_seen, updated)
			VALUES ('https://a.example/1', 'Storm hits coast', 'Heavy rain fell on the harbour overnight.', 'A', 1, 1)`,
		`INSERT INTO stories (url, title, text, site, first_seen, updated)
			VALUES ('https://b.example/2', 'Council budget', 'The council passed the budget.', 'B', 2, 2)`,
		`INSERT INTO copies (story_id, url, site, title, stored_at) VALUES ((SELECT id FROM stories WHERE url = 'https://a.example/1'), 'https://a.example/1', 'A', 'Storm hits coast', 1)`,
		`INSERT INTO copies (story_id, url, site, title, stored_at) VALUES ((SELECT id FROM stories WHERE url = 'https://a.example/1'), 'https://c.example/1', 'C', 'Lighthouse keeper rescued', 1)`,
		`INSERT INTO copies (story_id, url, site, title, stored_at) VALUES ((SELECT id FROM stories WHERE url = 'https://b.example/2'), 'https://b.example/2', 'B', 'Council budget', 2)`,
	)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("old schema: %.60s: %v", q, err)
		}
	}
}

// TestSearchMigratesOldDatabase: a database made before full-text search
// is migrated when opened, its stories (titles, texts, copies' headlines)
// indexed and their copies' sites listed for the site filter, and stories
// written after the migration are indexed too.
func TestSearchMigratesOldDatabase(t *testing.T) {
	for _, be := range []struct {
		name, driver string
		dsn          func(t *testing.T) (open, raw string)
	}{
		{"sqlite", "sqlite", func(t *testing.T) (string, string) {
			p := filepath.Join(t.TempDir(), "old.db")
			return "sqlite:" + p, p
		}},
		{"postgres", "pgx", func(t *testing.T) (string, string) { d := postgresDSN(t); return d, d }},
	} {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			dsn, raw := be.dsn(t)
			db, err := sql.Open(be.driver, raw)
			if err != nil {
				t.Fatal(err)
			}
			oldSchema(t, db, be.name)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(ctx, dsn, store.Config{})
			if err != nil {
				t.Fatalf("open old database: %v", err)
			}
			defer s.Close()
			find := func(q string) []int64 {
				t.Helper()
				hits, err := s.(store.Searcher).Search(ctx, export.Filter{Query: q}, 0, 10)
				if err != nil {
					t.Fatalf("search %q: %v", q, err)
				}
				var ids []int64
				for _, h := range hits {
					ids = append(ids, h.Story.ID)
				}
				return ids
			}
			for q, want := range map[string][]int64{
				"storm": {1}, "harbour": {1}, "lighthouse": {1}, "council budget": {2}, `"hits coast"`: {1}, "coast -lighthouse": nil,
			} {
				if got := find(q); !slices.Equal(got, want) {
					t.Errorf("after migration, %q: %v, want %v", q, got, want)
				}
			}
			// The site filter's relation is filled from the copies.
			for site, want := range map[string][]int64{"c": {1}, "A": {1}, "b": {2}, "x": nil} {
				var got []int64
				if err := s.Stories(ctx, export.Filter{Site: site}, func(st wirecrawl.Story) error { got = append(got, st.ID); return nil }); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("after migration, site %q: %v, want %v", site, got, want)
				}
			}
			// Writes after the migration are indexed by its triggers.
			p := storetest.NewPage("https://d.example/3", "D", "A lighthouse museum opens in the harbour town.", time.Time{}, 77)
			p.Doc.Title = "Museum opens"
			id, _, err := s.SavePage(ctx, storetest.LookupDecide(p))
			if err != nil {
				t.Fatal(err)
			}
			if got := find("museum"); !slices.Equal(got, []int64{id}) {
				t.Errorf("story saved after migration, museum: %v, want [%d]", got, id)
			}
			if got := find("lighthouse"); len(got) != 2 {
				t.Errorf("lighthouse: %v, want both stories", got)
			}
		})
	}
}

// TestSearchRankWindow: a query matching more stories than the rank window
// ranks the newest of those that pass the filter; the rest are not hits.
func TestSearchRankWindow(t *testing.T) {
	for _, be := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}} {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, be.dsn(t), store.Config{})
			store.SetRankWindow(s, 3)
			var ids []int64
			for i := range 8 {
				// The oldest stories say storm most often: the most relevant.
				text := strings.Repeat("storm ", 8-i) + "over the coast " + strings.Repeat("calm ", i)
				p := storetest.NewPage("https://a.example/"+strconv.Itoa(i), "Site "+strconv.Itoa(i%2), text, time.Time{}, uint64(100+i))
				id, _, err := s.SavePage(ctx, storetest.LookupDecide(p))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			search := func(f export.Filter) []int64 {
				t.Helper()
				hits, err := s.(store.Searcher).Search(ctx, f, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, h := range hits {
					got = append(got, h.Story.ID)
				}
				return got
			}
			if got, want := search(export.Filter{Query: "storm"}), []int64{ids[5], ids[6], ids[7]}; !slices.Equal(got, want) {
				t.Errorf("storm, window 3: %v, want the newest three by relevance %v", got, want)
			}
			// The window counts the stories that pass the filter.
			if got, want := search(export.Filter{Query: "storm", Site: "Site 0"}), []int64{ids[2], ids[4], ids[6]}; !slices.Equal(got, want) {
				t.Errorf("storm on site 0, window 3: %v, want %v", got, want)
			}
			if got, want := search(export.Filter{Query: "storm calm"}), []int64{ids[5], ids[6], ids[7]}; !slices.Equal(got, want) {
				t.Errorf("storm calm: %v, want %v", got, want)
			}
		})
	}
}

// TestSearchPlansAgree: PostgreSQL's full-text plans (walking the stories
// in ID order, or collecting every match through the GIN index; chosen by
// how densely a query matches) select the same stories and rank them
// alike, and select what SQLite's FTS5 does, for pages of the API and the
// export and for the rank window, with and without other filters.
func TestSearchPlansAgree(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fill := func(s store.Store) []int64 {
		store.SetRankWindow(s, 4)
		var ids []int64
		for i := range 30 {
			var words []string
			if i%3 == 0 {
				words = append(words, "storm")
			}
			if i%2 == 0 {
				words = append(words, "the coast")
			}
			if i%4 == 0 {
				words = append(words, "coast guard station")
			}
			if i%5 == 0 {
				words = append(words, "stormy weather")
			}
			if i < 3 || i == 28 {
				// Among the newest stories, but most matches are old.
				words = append(words, "late")
			}
			text := strings.Join(append(words, "news of day", strconv.Itoa(i)), " ")
			p := storetest.NewPage("https://s"+strconv.Itoa(i%3)+".example/"+strconv.Itoa(i), "Site "+strconv.Itoa(i%3), text,
				t0.Add(time.Duration(i)*time.Hour), uint64(1000+i))
			id, _, err := s.SavePage(ctx, storetest.LookupDecide(p))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	type result struct{ ranked, window, paged []int64 }
	run := func(s store.Store, f export.Filter) result {
		t.Helper()
		var r result
		hits, err := s.(store.Searcher).Search(ctx, f, 0, 10)
		if err != nil {
			t.Fatalf("search %+v: %v", f, err)
		}
		for _, h := range hits {
			r.ranked = append(r.ranked, h.Story.ID)
		}
		r.window = slices.Sorted(slices.Values(r.ranked))
		r.paged = storetest.PagedIDs(t, s, f, 2)
		return r
	}
	lite := storetest.Open(t, sqliteDSN(t), store.Config{})
	liteIDs := fill(lite)
	pg := storetest.Open(t, postgresDSN(t), store.Config{})
	if pgIDs := fill(pg); !slices.Equal(pgIDs, liteIDs) {
		t.Fatalf("story IDs: SQLite %v, PostgreSQL %v", liteIDs, pgIDs)
	}
	filters := []export.Filter{{}, {Site: "site 1"}, {Site: "s2.example"}, {Since: t0.Add(10 * time.Hour)}, {Until: t0.Add(20 * time.Hour), Site: "Site 0"}}
	for _, query := range []string{"storm", "coast", `"coast guard"`, "storm*", "storm coast", "coast -storm", "weather", "late", "nothing"} {
		for _, f := range filters {
			f.Query = query
			want := run(lite, f)
			var walked result
			for _, plan := range []struct {
				name    string
				stretch int
			}{{"walk", 0}, {"bitmap", 0}, {"", 0}, {"", 4}} {
				// The chosen plans measure density over 4 stories too: then
				// pages and the rank window take bounded bitmap scans.
				store.SetSearchPlan(pg, plan.name, plan.stretch)
				got := run(pg, f)
				if !slices.Equal(got.window, want.window) || !slices.Equal(got.paged, want.paged) {
					t.Errorf("%+v, plan %+v: PostgreSQL ranks %v and pages %v; SQLite %v and %v", f, plan, got.window, got.paged, want.window, want.paged)
				}
				if plan.name == "walk" {
					walked = got
				} else if !slices.Equal(got.ranked, walked.ranked) {
					t.Errorf("%+v: ranked %v by plan %+v, %v by the walk", f, got.ranked, plan, walked.ranked)
				}
			}
			if query == "storm" && len(f.Site) == 0 && f.Since.IsZero() && len(want.paged) != 10 {
				t.Errorf("storm: %d stories, want 10 (the test's stories changed?)", len(want.paged))
			}
		}
	}
}
