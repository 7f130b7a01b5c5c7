package cleaner

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.txt from the current output")

// goldenOutput is what a golden file holds for one page: the article text,
// or "ERROR: <sentinel>" when Clean refuses the page.
func goldenOutput(t *testing.T, body []byte) string {
	t.Helper()
	doc, err := New(Config{}).Clean(body, "https://news.example/story", "")
	switch {
	case errors.Is(err, ErrNoContent):
		return "ERROR: ErrNoContent\n"
	case errors.Is(err, ErrNotHTML):
		return "ERROR: ErrNotHTML\n"
	case err != nil:
		t.Fatalf("Clean: %v", err)
	}
	if got := strings.Join(doc.Paragraphs, "\n\n"); got != doc.Text {
		t.Errorf("Text is not its Paragraphs joined by a blank line")
	}
	return doc.Text + "\n"
}

func TestGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no golden pages: %v", err)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenOutput(t, body)
			golden := strings.TrimSuffix(page, ".html") + ".golden.txt"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s\n--- got:\n%s\n--- want:\n%s", golden, got, want)
			}
		})
	}
}

// TestSeedArticleIsExactlyTheArticle checks the rebuilt seed page against
// the article text taken from the seed's browser rendering itself: the
// standfirst and the body paragraphs, nothing else.
func TestSeedArticleIsExactlyTheArticle(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("..", "..", "shared", "seed", "000_9554c8a1b54dd9b6.txt"))
	if err != nil {
		t.Skipf("seed article not found beside the repo: %v", err)
	}
	lines := strings.Split(string(seed), "\n")
	var want []string
	in := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "Moscow wants NATO to pledge") {
			in = true
		}
		if in && l != "" {
			want = append(want, l)
		}
		if strings.HasSuffix(l, "known as the Donbas.") {
			break
		}
	}
	body, err := os.ReadFile(filepath.Join("testdata", "seed_article.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := New(Config{}).Clean(body, "https://www.euronews.com/2021/12/18/moscow-demands-nato-pulls-back", "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Text != strings.Join(want, "\n\n") {
		t.Errorf("seed article text differs from the seed's article:\n%s", doc.Text)
	}
	for _, junk := range []string{"Copyright", "Share this", "Copy to clipboard", "Copied", "You might also like", "By Daniel", "cookies", "newsletter", "Advertisement"} {
		if strings.Contains(doc.Text, junk) {
			t.Errorf("boilerplate %q left in the text", junk)
		}
	}
	if doc.Title != "Moscow demands NATO pulls back as fears of Russia invading Ukraine rise" {
		t.Errorf("Title = %q", doc.Title)
	}
	if doc.Byline != "By Daniel Bellamy with AP" {
		t.Errorf("Byline = %q", doc.Byline)
	}
	if want := time.Date(2021, 12, 18, 13, 21, 0, 0, time.UTC); !doc.Published.Equal(want) {
		t.Errorf("Published = %v, want %v", doc.Published, want)
	}
	if doc.Lang != "en" || doc.Site != "euronews" {
		t.Errorf("Lang, Site = %q, %q", doc.Lang, doc.Site)
	}
	if doc.CanonicalURL != "https://www.euronews.com/2021/12/18/moscow-demands-nato-pulls-back" {
		t.Errorf("CanonicalURL = %q", doc.CanonicalURL)
	}
	if !strings.HasPrefix(doc.Description, "Moscow wants NATO") {
		t.Errorf("Description = %q", doc.Description)
	}
}

func TestMetadata(t *testing.T) {
	tests := []struct {
		page                      string
		title, byline, lang, site string
		published                 time.Time
	}{
		{"byline.html", "Storm knocks out power to thousands", "By SAM CARTER, Associated Press", "en", "news.example",
			time.Date(2019, 11, 19, 20, 45, 0, 0, time.UTC)},
		{"cookie_banner.html", "Neue Bibliothek öffnet im Frühjahr", "Erika Muster", "de", "Stadtanzeiger", time.Time{}},
		{"windows1252.html", "Le café du port rouvre ses portes", "", "fr", "news.example", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.page))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := New(Config{}).Clean(body, "https://www.news.example/a/1", "")
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.title || doc.Byline != tt.byline || doc.Lang != tt.lang || doc.Site != tt.site {
				t.Errorf("title, byline, lang, site = %q, %q, %q, %q; want %q, %q, %q, %q",
					doc.Title, doc.Byline, doc.Lang, doc.Site, tt.title, tt.byline, tt.lang, tt.site)
			}
			if !doc.Published.Equal(tt.published) {
				t.Errorf("Published = %v, want %v", doc.Published, tt.published)
			}
			if doc.CanonicalURL != "https://www.news.example/a/1" {
				t.Errorf("CanonicalURL = %q, want the page URL when the page names none", doc.CanonicalURL)
			}
		})
	}
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

// TestConcurrentClean runs one Cleaner from many goroutines and checks that
// each result equals the sequential one.
func TestConcurrentClean(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	c := New(Config{})
	want := map[string]string{}
	bodies := map[string][]byte{}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		bodies[p] = b
		doc, _ := c.Clean(b, "https://news.example/x", "")
		want[p] = doc.Text
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(pages)*8)
	for i := 0; i < 8; i++ {
		for _, p := range pages {
			wg.Add(1)
			go func() {
				defer wg.Done()
				doc, _ := c.Clean(bodies[p], "https://news.example/x", "")
				if doc.Text != want[p] {
					errs <- p
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for p := range errs {
		t.Errorf("%s: concurrent result differs from the sequential one", p)
	}
}
