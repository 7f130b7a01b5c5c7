package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// The dataset card names the seeds, configuration and version of the
// crawls that made the data, as recorded at crawl time, not those
// configured when exporting: a second crawl with the same settings counts
// as a run of the same entry, a crawl with other settings and an ingest are
// entries of their own, and a DSN's password is not recorded.
func TestCardRecordsTheCrawls(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 5, Stories: 12, Outlets: 2})
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	seedFile := filepath.Join(dir, "seeds.txt")
	if err := os.WriteFile(seedFile, []byte(strings.Join(web.Seeds(), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(crawlEnv(web, db), "WIRECRAWL_SEEDS="+seedFile)
	for i, args := range [][]string{
		{"crawl"},
		{"crawl", "--force"},
		{"crawl", "--set", "crawler.user_agent=other-bot/2.0 (+https://example.org/bot)"},
		{"ingest", web.Truth()[0].URL},
	} {
		if code, out, errOut := runCLI(t, env, args...); code != 0 {
			t.Fatalf("run %d %v: exit %d\n%s\n%s", i, args, code, out, errOut)
		}
	}
	// The export runs with other seeds: the card must still name the crawls'.
	out := filepath.Join(dir, "x.jsonl")
	exportEnv := append(crawlEnv(web, db), "WIRECRAWL_SEEDS=http://127.0.0.1:1/other-feed.xml")
	if code, _, errOut := runCLI(t, exportEnv, "export", "--out", out); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	card := readCard(t, out+".card.json")
	if len(card.Crawls) != 3 {
		t.Fatalf("card lists %d crawls, want 3 (two configurations of crawl, one ingest): %+v", len(card.Crawls), card.Crawls)
	}
	first, other, ingest := card.Crawls[0], card.Crawls[1], card.Crawls[2]
	if first.Command != "crawl" || first.Runs != 2 || len(first.Seeds) != 1 || first.Seeds[0].Source != seedFile || len(first.Seeds[0].SHA256) != 64 {
		t.Errorf("first crawl entry: %+v", first)
	}
	if first.Version != version || first.Version == "dev" || len(first.ConfigSHA256) != 64 || !first.LastRun.After(first.FirstRun) {
		t.Errorf("first crawl entry: version %q, sha %q, runs %s..%s", first.Version, first.ConfigSHA256, first.FirstRun, first.LastRun)
	}
	var cfg map[string]any
	if err := json.Unmarshal(other.Config, &cfg); err != nil || other.Runs != 1 ||
		cfg["crawler.user_agent"] != "other-bot/2.0 (+https://example.org/bot)" || cfg["crawler.lease_ttl"] != "2s" {
		t.Errorf("second configuration: runs %d, config %v, %v", other.Runs, cfg, err)
	}
	if other.ConfigSHA256 == first.ConfigSHA256 {
		t.Error("two configurations, one hash")
	}
	if ingest.Command != "ingest" || len(ingest.Seeds) != 1 || ingest.Seeds[0].Source != web.Truth()[0].URL {
		t.Errorf("ingest entry: %+v", ingest)
	}
	md := card.Markdown()
	if !strings.Contains(md, "## Crawls that made the data") || !strings.Contains(md, seedFile) {
		t.Errorf("Markdown card lacks the crawls:\n%s", md)
	}
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://crawler:s3cret@db.example:5432/wc?sslmode=disable": "postgres://crawler:REDACTED@db.example:5432/wc?sslmode=disable",
		"postgres://db.example/wc?user=crawler&password=s3cret":        "postgres://db.example/wc?password=REDACTED&user=crawler",
		"wirecrawl.db":          "wirecrawl.db",
		"sqlite:/srv/w.db":      "sqlite:/srv/w.db",
		"postgres://crawler@db": "postgres://crawler@db",
	} {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
