package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// searchLines decodes the JSON lines of `search --json`.
func searchLines(t *testing.T, out string) []searchHit {
	t.Helper()
	var hits []searchHit
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var h searchHit
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("search --json line %q: %v", sc.Text(), err)
		}
		hits = append(hits, h)
	}
	return hits
}

// TestSearchCommand: after a crawl of the simulated web, searching for a
// page's headline as a phrase finds the story that page is in first (text
// and JSON), export --query exports it, and a bad query exits 2 with the
// parser's message.
func TestSearchCommand(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 5, Stories: 20})
	db := filepath.Join(t.TempDir(), "w.db")
	env := crawlEnv(web, db)
	if code, out, errOut := runCLI(t, env, "crawl"); code != 0 {
		t.Fatalf("crawl exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	st, err := store.Open(context.Background(), db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checked := 0
	for _, p := range web.Truth() {
		if p.Kind != testweb.KindOriginal || p.Disallowed || len(strings.Fields(p.Title)) < 3 {
			continue
		}
		story, _, ok, err := st.StoryOf(context.Background(), p.URL)
		if err != nil || !ok {
			continue // not stored (a fault, or not linked from a feed)
		}
		phrase := `"` + p.Title + `"`
		code, out, errOut := runCLI(t, env, "search", "--json", phrase)
		if code != 0 {
			t.Fatalf("search %s: exit %d: %s", phrase, code, errOut)
		}
		hits := searchLines(t, out)
		if len(hits) == 0 || hits[0].ID != story.ID || hits[0].NCopies != len(story.Copies) {
			t.Fatalf("search %s: %+v, want story %d with %d copies first", phrase, hits, story.ID, len(story.Copies))
		}
		code, out, errOut = runCLI(t, env, "search", phrase)
		want := strconv.FormatInt(story.ID, 10) + "  "
		if code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(strings.SplitN(out, "\n", 2)[0], oneLine(story.Title)) {
			t.Fatalf("search %s: exit %d, out %q, err %q; want a first line for story %d %q", phrase, code, out, errOut, story.ID, story.Title)
		}
		code, out, errOut = runCLI(t, env, "export", "--query", phrase)
		if code != 0 {
			t.Fatalf("export --query %s: exit %d: %s", phrase, code, errOut)
		}
		found := false
		for _, rec := range jsonlLines(t, strings.NewReader(out)) {
			found = found || rec.ID == story.ID
		}
		if !found {
			t.Fatalf("export --query %s: story %d missing", phrase, story.ID)
		}
		if checked++; checked == 3 {
			break
		}
	}
	if checked == 0 {
		t.Fatal("no original page of the simulated web was stored")
	}
	code, out, errOut := runCLI(t, env, "search", `"unclosed phrase`)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "unclosed quote") {
		t.Errorf("bad query: exit %d, out %q, err %q; want exit 2 saying unclosed quote", code, out, errOut)
	}
	for _, leak := range []string{"fts5", "sqlite", "SQL", "syntax error"} {
		if strings.Contains(errOut, leak) {
			t.Errorf("bad query's message shows the store's %q: %s", leak, errOut)
		}
	}
}

// TestSearchCommandOptions: --limit, the other filters, no match, a missing
// database, bad flags, and the dataset card of export --query.
func TestSearchCommandOptions(t *testing.T) {
	c := &exporttest.Corpus{N: 30, Paragraphs: 2}
	dsn := exportDB(t, c)
	search := func(args ...string) (int, string, string) {
		return runCLI(t, nil, append([]string{"search", "--db", dsn}, args...)...)
	}
	// Every story's title says storm: --limit bounds the list.
	code, out, errOut := search("--json", "--limit", "7", "storm")
	if hits := searchLines(t, out); code != 0 || len(hits) != 7 {
		t.Fatalf("--limit 7: exit %d, %d hits, err %q", code, len(hits), errOut)
	}
	// Story 12 alone has the number 12 in its title and text; several words
	// of the query (and a second argument) must all match.
	code, out, _ = search("--json", `"headline 12"`, "storm")
	if hits := searchLines(t, out); code != 0 || len(hits) != 1 || hits[0].ID != 12 || hits[0].NCopies != exporttest.NumCopies(12) ||
		!strings.Contains(hits[0].Snippet, "**12**") {
		t.Fatalf("headline 12: exit %d, %s", code, out)
	}
	// The filters: German stories on one site.
	code, out, _ = search("--json", "--lang", "de", "--site", exporttest.SiteHost(2), "storm")
	for _, h := range searchLines(t, out) {
		if h.ID%3 != 1 {
			t.Errorf("--lang de: story %d is not German", h.ID)
		}
	}
	if code != 0 || len(searchLines(t, out)) == 0 {
		t.Fatalf("--lang de --site: exit %d, %q", code, out)
	}
	code, out, errOut = search("tornado")
	if code != 0 || out != "" || !strings.Contains(errOut, "no stories match tornado") {
		t.Errorf("no match: exit %d, out %q, err %q", code, out, errOut)
	}
	for _, args := range [][]string{{"--limit", "0", "storm"}, {"-storm"}, {"storm", "OR", "rain"}, {"--since", "soon", "storm"}, {}} {
		if code, _, errOut := search(args...); code != exitUsage {
			t.Errorf("search %q: exit %d (%s), want 2", args, code, errOut)
		}
	}
	missing := filepath.Join(t.TempDir(), "typo.db")
	if code, _, errOut := runCLI(t, nil, "search", "--db", missing, "storm"); code == 0 || !strings.Contains(errOut, "no database") {
		t.Errorf("missing database: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("search created %s", missing)
	}
	// export --query records the query in the dataset card.
	out2 := filepath.Join(t.TempDir(), "storm.jsonl")
	if code, _, errOut := runExportCmd(t, dsn, "--query", `"headline 12"`, "--out", out2); code != 0 {
		t.Fatalf("export --query: exit %d: %s", code, errOut)
	}
	f, err := os.Open(out2)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if recs := jsonlLines(t, f); len(recs) != 1 || recs[0].ID != 12 {
		t.Errorf("export --query: %d records", len(recs))
	}
	if card := readCard(t, export.CardPath(out2)); card.Filter.Query != `"headline 12"` || card.Counts.Stories != 1 {
		t.Errorf("card: filter %+v, %d stories", card.Filter, card.Counts.Stories)
	}
	if code, _, errOut := runExportCmd(t, dsn, "--query", "a*"); code != exitUsage || !strings.Contains(errOut, "at least 3 letters") {
		t.Errorf("export --query a*: exit %d, %s", code, errOut)
	}
}
