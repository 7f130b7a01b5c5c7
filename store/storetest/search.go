package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
)

// searchIDs returns the IDs Search finds for query (with the rest of f),
// in rank order.
func searchIDs(t *testing.T, s store.Store, f export.Filter, query string) []int64 {
	t.Helper()
	f.Query = query
	hits, err := s.(store.Searcher).Search(context.Background(), f, 0, 100)
	if err != nil {
		t.Fatalf("search %q: %v", query, err)
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Story.ID
		if i > 0 && h.Rank > hits[i-1].Rank {
			t.Fatalf("search %q: hit %d ranks %v above hit %d's %v", query, i, h.Rank, i-1, hits[i-1].Rank)
		}
	}
	return ids
}

// filterIDs returns the IDs Stories (the export) and StoryPage (the API)
// select for f, checking that they agree, in ID order.
func filterIDs(t *testing.T, s store.Store, f export.Filter) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	if err := s.Stories(ctx, f, func(st wirecrawl.Story) error { ids = append(ids, st.ID); return nil }); err != nil {
		t.Fatalf("stories %+v: %v", f, err)
	}
	paged := PagedIDs(t, s, f, 2)
	if !slices.Equal(ids, paged) {
		t.Fatalf("filter %+v: Stories %v, StoryPage %v", f, ids, paged)
	}
	return ids
}

func sorted(ids ...int64) []int64 {
	slices.Sort(ids)
	return ids
}

// checkSites checks the site filter against the stories' copies after a
// write (what): for each site name and host of the test, in any case,
// Stories and StoryPage select the stories with a copy whose site, in
// lower case, or host is that name in lower case.
func checkSites(t *testing.T, s store.Store, what string) {
	t.Helper()
	want := map[string][]int64{}
	if err := s.Stories(context.Background(), export.Filter{}, func(st wirecrawl.Story) error {
		seen := map[string]bool{}
		for _, c := range st.Copies {
			for _, name := range []string{strings.ToLower(c.Site), frontier.HostOf(c.URL)} {
				if !seen[name] {
					seen[name] = true
					want[name] = append(want[name], st.ID)
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "B", "c", "d", "E", "f", "A.example", "b.example", "c.example", "d.example", "e.example", "f.example", "g"} {
		if got := filterIDs(t, s, export.Filter{Site: name}); !slices.Equal(got, want[strings.ToLower(name)]) {
			t.Errorf("%s: site %q selects %v, its copies say %v", what, name, got, want[strings.ToLower(name)])
		}
	}
}

// testSearch: the full-text index follows every write of a story or copy
// (new stories, copies with their own headlines, canonical replacement,
// merges, moved and removed copies) in the same transaction, and Search,
// Stories and StoryPage apply the query syntax alike on both backends.
func testSearch(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	titled := func(p store.Page, title string) store.Page { p.Doc.Title = title; return p }
	storm := save(t, s, titled(page("https://a.example/storm", "A", "Heavy rain fell on the coast guard station overnight.", t0, newDecision(1)),
		"Storm hits the coast"))
	rain := save(t, s, titled(page("https://b.example/rain", "B", "A storm was forecast; the guard of the coast stayed home.", t0.Add(time.Hour), newDecision(2)),
		"Rain expected"))
	budget := save(t, s, titled(page("https://c.example/budget", "C", "The council passed the budget after a long debate.", t0.Add(2*time.Hour), newDecision(3)),
		"Council budget"))
	// A copy of the budget story under its own headline: the headline is found.
	save(t, s, titled(page("https://d.example/budget", "D", "The council passed the budget.", t0, copyDecision(budget, false, 3)),
		"Lawmakers approve spending plan"))

	for _, tc := range []struct {
		query string
		want  []int64 // in rank order
	}{
		{"storm", []int64{storm, rain}}, // in the title ranks above in the text
		{"STORM Coast", []int64{storm, rain}},
		{`"coast guard"`, []int64{storm}},
		{`"guard coast"`, nil},
		{"storm -forecast", []int64{storm}},
		{"spending", []int64{budget}},
		{"budg*", []int64{budget}},
		{"coast-guard", []int64{storm}}, // punctuation makes a phrase
		{"guard's", nil},                // quotes in a query are no SQL's business
		{"debate lawmakers", []int64{budget}},
		{"tornado", nil},
	} {
		if got := searchIDs(t, s, export.Filter{}, tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("search %q: %v, want %v", tc.query, got, tc.want)
		}
		if got, want := filterIDs(t, s, export.Filter{Query: tc.query}), sorted(tc.want...); !slices.Equal(got, want) {
			t.Errorf("filter %q: %v, want %v", tc.query, got, want)
		}
	}
	// The query combines with the other filters.
	if got := searchIDs(t, s, export.Filter{Site: "B"}, "storm"); !slices.Equal(got, []int64{rain}) {
		t.Errorf("storm on site B: %v", got)
	}
	if got := filterIDs(t, s, export.Filter{Query: "coast", Since: t0.Add(time.Hour)}); !slices.Equal(got, []int64{rain}) {
		t.Errorf("coast since t0+1h: %v", got)
	}
	// Snippets come from the text, with the matching words marked.
	hits, err := s.(store.Searcher).Search(ctx, export.Filter{Query: "guard"}, 0, 10)
	must(t, err)
	if len(hits) != 2 || !strings.Contains(hits[0].Snippet, "**guard**") || len(hits[0].Story.Copies) == 0 {
		t.Fatalf("hits for guard: %+v", hits)
	}
	// Offset and limit page through the ranking.
	hits, err = s.(store.Searcher).Search(ctx, export.Filter{Query: "storm"}, 1, 1)
	must(t, err)
	if len(hits) != 1 || hits[0].Story.ID != rain {
		t.Fatalf("second hit for storm: %+v", hits)
	}

	checkSites(t, s, "new stories and a copy")
	testSearchFollowsWrites(t, s, storm, rain, budget)
	testBadQueries(t, s)
}

// testSearchFollowsWrites: after the stories of testSearch, the index and
// the site filter follow canonical replacement, merges, moved and removed
// copies.
func testSearchFollowsWrites(t *testing.T, s store.Store, storm, rain, budget int64) {
	titled := func(p store.Page, title string) store.Page { p.Doc.Title = title; return p }
	// A longer version becomes canonical: its words are found, the old
	// canonical's no longer (unless a copy's headline still holds them).
	save(t, s, titled(page("https://e.example/storm", "E", "Hurricane winds battered the harbour and the coast guard station for hours.",
		t0, copyDecision(storm, true, 1)), "Hurricane batters harbour"))
	if got := searchIDs(t, s, export.Filter{}, "hurricane"); !slices.Equal(got, []int64{storm}) {
		t.Errorf("after canonical replacement, hurricane: %v", got)
	}
	if got := searchIDs(t, s, export.Filter{}, "overnight"); len(got) != 0 {
		t.Errorf("after canonical replacement, the old text's overnight: %v", got)
	}
	if got := searchIDs(t, s, export.Filter{}, `"storm hits"`); !slices.Equal(got, []int64{storm}) {
		t.Errorf("the old canonical's title as a copy's headline: %v", got)
	}
	checkSites(t, s, "after canonical replacement")

	// Rain merges into the storm story: its words are found there only.
	bridge := titled(page("https://f.example/both", "F", "Heavy rain and hurricane winds on the coast.", t0, copyDecision(storm, false, 1, 2)),
		"Weather roundup")
	bridge.Decision.Merge = []int64{rain}
	save(t, s, bridge)
	if got := searchIDs(t, s, export.Filter{}, `"rain expected"`); !slices.Equal(got, []int64{storm}) {
		t.Errorf("after merge, the merged story's title: %v", got)
	}
	if got := searchIDs(t, s, export.Filter{}, "roundup"); !slices.Equal(got, []int64{storm}) {
		t.Errorf("after merge, the bridge's headline: %v", got)
	}
	checkSites(t, s, "after merge")

	// The budget copy becomes a new story of its own: its headline leaves
	// the budget story with it.
	moved := titled(page("https://d.example/budget", "D", "Lawmakers approve a spending plan for schools.", t0, newDecision(9)),
		"Lawmakers approve spending plan")
	own := save(t, s, moved)
	if got := searchIDs(t, s, export.Filter{}, "spending"); !slices.Equal(got, []int64{own}) || own == budget {
		t.Errorf("after the copy moved to story %d, spending: %v", own, got)
	}
	checkSites(t, s, "after a copy moved to a story of its own")
	// Its only copy gone, a story leaves the index.
	save(t, s, titled(page("https://c.example/budget", "C", "Storm news instead.", t0, copyDecision(storm, false, 1)), "Storm news"))
	if got := searchIDs(t, s, export.Filter{}, "council"); len(got) != 0 {
		t.Errorf("after the budget story lost its only copy, council: %v", got)
	}
	checkSites(t, s, "after a story's only copy moved")
}

// testBadQueries: bad syntax is ErrBadQuery from every entry point, never
// an SQL error.
func testBadQueries(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, q := range []string{`"coast guard`, "-storm", "*", "a*", "storm OR rain", "(storm)", "-", "!!!"} {
		_, err := s.(store.Searcher).Search(ctx, export.Filter{Query: q}, 0, 10)
		if !errors.Is(err, store.ErrBadQuery) {
			t.Errorf("search %q: %v, want ErrBadQuery", q, err)
		}
		err = s.Stories(ctx, export.Filter{Query: q}, func(wirecrawl.Story) error { return nil })
		if !errors.Is(err, store.ErrBadQuery) {
			t.Errorf("stories %q: %v, want ErrBadQuery", q, err)
		}
		_, err = s.(store.Browser).StoryPage(ctx, export.Filter{Query: q}, 0, 10)
		if !errors.Is(err, store.ErrBadQuery) {
			t.Errorf("story page %q: %v, want ErrBadQuery", q, err)
		}
	}
}

// PagedIDs returns the IDs of every story StoryPage (the API) selects for
// f, read page by page, size stories at a time, following the cursor.
func PagedIDs(t testing.TB, s store.Store, f export.Filter, size int) []int64 {
	t.Helper()
	var ids []int64
	for after := int64(0); ; {
		page, err := s.(store.Browser).StoryPage(context.Background(), f, after, size)
		if err != nil {
			t.Fatalf("story page %+v: %v", f, err)
		}
		if len(page) == 0 {
			return ids
		}
		for _, st := range page {
			ids = append(ids, st.ID)
		}
		after = page[len(page)-1].ID
	}
}
