package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// statsDB builds a small store: two stories (one with a copy on another
// site), a frontier and a fetch log with errors.
func statsDB(t *testing.T) string {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "wirecrawl.db")
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	pages := []struct {
		url, site, text, lang string
		key                   uint64
	}{
		{"https://a.example/1", "Alpha News", "wire story one", "en", 1},
		{"https://b.example/1", "Beta Post", "wire story one, edited", "en", 1},
		{"https://b.example/2", "Beta Post", "eine andere Geschichte", "de", 2},
	}
	for i, p := range pages {
		pg := storetest.NewPage(p.url, p.site, p.text, t0.Add(time.Duration(i)*time.Hour), p.key)
		pg.Doc.Lang = p.lang
		pg.Decision.ContentHash = uint64(100 + i)
		if _, _, err := s.SavePage(ctx, storetest.LookupDecide(pg)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Enqueue(ctx, []frontier.Job{{URL: "https://c.example/x"}, {URL: "https://c.example/y"}}); err != nil {
		t.Fatal(err)
	}
	recs := []frontier.FetchRecord{
		{URL: "https://a.example/1", Status: 200},
		{URL: "https://c.example/z", ErrClass: "timeout", Error: "context deadline\nexceeded"},
		{URL: "https://c.example/w", Status: 503, ErrClass: "http_5xx", Error: "503 Service Unavailable"},
		{URL: "https://c.example/v", ErrClass: "timeout", Error: "context deadline exceeded"},
	}
	for i, r := range recs {
		r.At = t0.Add(time.Duration(i) * time.Minute)
		if err := s.LogFetch(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
}

func runStats(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"stats"}, args...), strings.NewReader(""), &stdout, &stderr, nil)
	return code, stdout.String(), stderr.String()
}

func TestStatsText(t *testing.T) {
	dsn := statsDB(t)
	code, out, errOut := runStats(t, "--db", dsn)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fields := func(prefix string) []string {
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), prefix) {
				return strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), prefix))
			}
		}
		t.Fatalf("no line %q in:\n%s", prefix, out)
		return nil
	}
	checks := []struct{ prefix, want string }{
		{"stories", "2"},
		{"copies", "3"},
		{"duplicates merged", "1"},
		{"frontier", "queued 2, leased 0, done 3, failed 0"},
		{"Beta Post", "2 2 1"},
		{"Alpha News", "1 1 1"},
		{"de", "1"},
		{"timeout", "2 context deadline exceeded"},
		{"http_5xx", "1 503 Service Unavailable"},
	}
	for _, c := range checks {
		if got := strings.Join(fields(c.prefix), " "); got != c.want {
			t.Errorf("%s: got %q, want %q", c.prefix, got, c.want)
		}
	}
	if !strings.Contains(out, "recent fetches: latest 4 of 4 logged, 2026-03-01T12:00:00Z to 2026-03-01T12:03:00Z: 1 ok, 3 failed") {
		t.Errorf("recent fetches line missing:\n%s", out)
	}
	// Sites are listed most copies first; --top 1 keeps one.
	if strings.Index(out, "Beta Post") > strings.Index(out, "Alpha News") {
		t.Errorf("sites not ordered by copies:\n%s", out)
	}
	_, out, _ = runStats(t, "--db", dsn, "--top", "1")
	if strings.Contains(out, "Alpha News") || !strings.Contains(out, "... 1 more") {
		t.Errorf("--top 1:\n%s", out)
	}
}

func TestStatsJSON(t *testing.T) {
	dsn := statsDB(t)
	code, out, errOut := runStats(t, "--db", dsn, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var st store.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
	if st.Stories != 2 || st.Copies != 3 || st.Duplicates != 1 || st.Frontier["queued"] != 2 || st.Fetches.Total != 4 ||
		len(st.Fetches.Errors) != 2 || st.Fetches.Errors[0].Class != "timeout" || st.Fetches.Errors[0].Count != 2 ||
		len(st.Sites) != 2 || len(st.Langs) != 2 {
		t.Fatalf("stats JSON: %+v", st)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"stories", "copies", "duplicates_merged", "sites", "langs", "frontier", "recent_fetches"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
}

func TestStatsErrors(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runStats(t, "--db", filepath.Join(dir, "missing.db")); code != 1 || !strings.Contains(errOut, "wirecrawl: stats: no database") {
		t.Errorf("missing db: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("stats created a database")
	}
	if code, _, _ := runStats(t, "--db", filepath.Join(dir, "x.db"), "extra"); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
	if code, _, _ := runStats(t, "--db", filepath.Join(dir, "x.db"), "--top", "-1"); code != 2 {
		t.Errorf("--top -1: exit %d, want 2", code)
	}
	// An empty database has nothing to report but still answers.
	s, err := store.Open(context.Background(), filepath.Join(dir, "x.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errOut := runStats(t, "--db", filepath.Join(dir, "x.db"))
	if code != 0 || !strings.Contains(out, "recent fetches: none logged") {
		t.Errorf("empty db: exit %d, %q %q", code, out, errOut)
	}
}
