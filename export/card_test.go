package export_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

func testCard(t *testing.T) export.Card {
	t.Helper()
	c := &exporttest.Corpus{N: 40}
	_, counts := runExport(t, c, export.Options{Format: export.WARC})
	return export.Card{
		File: "corpus.warc.gz", Created: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Version: "1.2.3",
		Format: export.WARC, Compression: export.Gzip, ConfigSHA256: strings.Repeat("ab", 32),
		Seeds:  []export.Seed{{Source: "seeds/feeds.txt", SHA256: strings.Repeat("cd", 32)}, {Source: "https://example.org/rss"}},
		Filter: export.NewCardFilter(export.Filter{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("", 3600)), Lang: "en", Query: `storm -"coast guard"`}),
		Counts: counts,
	}
}

func TestWriteCardJSON(t *testing.T) {
	card := testCard(t)
	path := filepath.Join(t.TempDir(), export.CardPath("corpus.warc.gz"))
	if filepath.Base(path) != "corpus.warc.gz.card.json" {
		t.Fatalf("CardPath: %s", path)
	}
	if err := export.WriteCard(path, card); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got export.Card
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Counts.Stories != card.Counts.Stories || got.Counts.DuplicatesMerged != card.Counts.DuplicatesMerged ||
		len(got.Counts.Sites) != len(card.Counts.Sites) || got.Filter.Since != "2026-10-31T23:00:00Z" || got.Filter.Lang != "en" || got.Filter.Query != `storm -"coast guard"` ||
		got.Counts.WARCResponses != card.Counts.WARCResponses || !got.Created.Equal(card.Created) {
		t.Fatalf("card read back: %+v", got)
	}
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	for _, k := range []string{"created", "wirecrawl_version", "seeds", "config_sha256", "filter", "counts"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("card has no %q", k)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left next to the card: %v", entries)
	}
}

func TestWriteCardMarkdown(t *testing.T) {
	card := testCard(t)
	card.Counts.Sites["Pipe | Times"] = export.SiteCount{Stories: 1, Copies: 1000}
	path := filepath.Join(t.TempDir(), "card.md")
	if err := export.WriteCard(path, card); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"# Dataset card: corpus.warc.gz",
		"- Format: warc, gzip",
		"- Filter: since 2026-10-31T23:00:00Z, lang en, query storm -\"coast guard\"",
		"| stories | copies (URLs) | duplicates merged |",
		"| Pipe \\| Times | 1 | 1000 |", // most copies first, pipe escaped
		"- `seeds/feeds.txt` (sha256 `" + strings.Repeat("cd", 32) + "`)",
		"- `https://example.org/rss`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown card lacks %q:\n%s", want, md)
		}
	}
	counts := card.Counts
	if !strings.Contains(md, "| "+itoa(counts.Stories)+" | "+itoa(counts.Copies)+" | "+itoa(counts.DuplicatesMerged)+" |") {
		t.Errorf("markdown card lacks the counts row:\n%s", md)
	}
	sites := strings.Index(md, "## Sites")
	if first := strings.Index(md[sites:], "| Pipe"); first < 0 || first > strings.Index(md[sites:], "| Site 0") {
		t.Errorf("sites not ordered by copies:\n%s", md[sites:])
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSeedRefsAndConfigHash(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "feeds.txt")
	if err := os.WriteFile(seed, []byte("https://example.org/feed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("https://example.org/feed\n"))
	refs := export.SeedRefs([]string{seed, "https://example.org/rss", filepath.Join(dir, "missing.txt")})
	if len(refs) != 3 || refs[0].SHA256 != hex.EncodeToString(sum[:]) || refs[1].SHA256 != "" || refs[2].SHA256 != "" {
		t.Fatalf("SeedRefs = %+v", refs)
	}

	type cfg struct {
		DB    string
		Seeds []string
		Delay time.Duration
	}
	a, err := export.HashConfig(cfg{DB: "x.db", Seeds: []string{"a"}, Delay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := export.HashConfig(cfg{DB: "x.db", Seeds: []string{"a"}, Delay: time.Second})
	other, _ := export.HashConfig(cfg{DB: "x.db", Seeds: []string{"a"}, Delay: 2 * time.Second})
	if len(a) != 64 || a != again || a == other {
		t.Fatalf("HashConfig: %s, %s, %s", a, again, other)
	}
}
