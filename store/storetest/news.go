package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/store"
)

// News generates synthetic news stories, deterministically: a vocabulary
// of common news words and many rarer invented ones drawn Zipf-like, 2,000
// topics with their own words, stock phrases ("the prime minister said"),
// wire datelines, and copies on other sites, some under their own
// headlines. Story i is the same for every News.
type News struct {
	vocab  []string
	topics [][]string
}

// NewsSites is the number of sites News spreads stories and copies over.
const NewsSites = 40

// newsCommon are frequent news words; the first are the most frequent.
var newsCommon = strings.Fields(`the said government minister police officials year people president week
	new would told country state city court election party health company market report percent talks
	national security public water storm energy prices workers school budget council hospital army border
	climate trade bank leaders rescue flood fire strike vote law judge ministry spokesperson statement
	coast guard harbour bridge airport railway village farmers students teachers doctors nurses patients`)

// newsPhrases are stock phrases many stories share.
var newsPhrases = []string{"the prime minister said", "according to a statement released late on monday",
	"officials said on tuesday", "the interior ministry said", "a spokesperson said in an emailed statement",
	"the central bank raised interest rates", "the coast guard said"}

// NewNews builds the generator.
func NewNews() *News {
	r := rand.New(rand.NewPCG(7, 7))
	syll := strings.Fields("ba ker lo min sta ri ton ve dal mor pe san tri gul hen os ca lin dre wu fan zi ro bel")
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		return b.String()
	}
	g := &News{vocab: append([]string(nil), newsCommon...)}
	for range 20000 {
		g.vocab = append(g.vocab, word(2+r.IntN(2)))
	}
	for range 2000 {
		t := make([]string, 30)
		for i := range t {
			t[i] = word(3 + r.IntN(2))
		}
		g.topics = append(g.topics, t)
	}
	return g
}

// NewsStory is one generated story.
type NewsStory struct {
	Title, Text, Site, Lang, URL string
	Published                    time.Time
	// Copies are the story's pages, the canonical first.
	Copies []NewsCopy
}

// NewsCopy is one page of a generated story.
type NewsCopy struct {
	URL, Host, Site, Title string
}

func (g *News) sentence(r *rand.Rand, topic []string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		if r.IntN(10) < 3 {
			ws[i] = topic[r.IntN(len(topic))]
		} else {
			ws[i] = g.vocab[int(float64(len(g.vocab))*r.Float64()*r.Float64()*r.Float64())]
		}
	}
	if r.IntN(6) == 0 {
		ws = append(ws, newsPhrases[r.IntN(len(newsPhrases))])
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// Story returns story i (i >= 1): about 300 words in 5 to 8 paragraphs,
// 1 + i%4 copies on distinct sites, every other copy under its own headline.
func (g *News) Story(i int) NewsStory {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	topic := g.topics[r.IntN(len(g.topics))]
	paras := []string{[]string{"WASHINGTON", "LONDON", "PARIS", "NAIROBI", "TOKYO"}[r.IntN(5)] + " (AP) — " + g.sentence(r, topic, 20)}
	for range 4 + r.IntN(4) {
		var ss []string
		for range 1 + r.IntN(3) {
			ss = append(ss, g.sentence(r, topic, 10+r.IntN(12)))
		}
		paras = append(paras, strings.Join(ss, " "))
	}
	site := i % NewsSites
	s := NewsStory{
		Title:     strings.TrimSuffix(g.sentence(r, topic, 6+r.IntN(5)), "."),
		Text:      strings.Join(paras, "\n\n"),
		Site:      fmt.Sprintf("Site %d", site),
		Lang:      []string{"en", "en", "de", "id"}[i%4],
		Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Minute),
	}
	for j := range 1 + i%4 {
		sj := (site + 7*j) % NewsSites
		c := NewsCopy{Host: fmt.Sprintf("site%d.example", sj), Site: fmt.Sprintf("Site %d", sj), Title: s.Title}
		c.URL = fmt.Sprintf("https://%s/news/%d-%d.html", c.Host, i, j)
		if j%2 == 1 {
			c.Title = strings.TrimSuffix(g.sentence(r, topic, 6+r.IntN(4)), ".")
		}
		s.Copies = append(s.Copies, c)
	}
	s.URL = s.Copies[0].URL
	return s
}

// FillNews creates the store at dsn (if new) and inserts stories 1..n of
// g with their copies, straight into its tables in large transactions:
// the rows SavePage writes for a new story and its copies, without dedup
// keys or frontier jobs. The store's triggers keep its other tables (the
// full-text index among them) as SavePage would. For benchmarks of reads
// on large stores; a million stories take minutes, not hours.
func FillNews(tb testing.TB, dsn string, g *News, n int) {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Config{})
	if err != nil {
		tb.Fatalf("fill news: %v", err)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	driver, source, pg := "sqlite", strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)", false
	if strings.HasPrefix(dsn, "postgres") {
		driver, source, pg = "pgx", dsn, true
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		tb.Fatalf("fill news: %v", err)
	}
	defer db.Close()
	q := func(s string) string {
		if !pg {
			return s
		}
		var b strings.Builder
		for n := 1; ; n++ {
			i := strings.IndexByte(s, '?')
			if i < 0 {
				return b.String() + s
			}
			b.WriteString(s[:i] + "$" + strconv.Itoa(n))
			s = s[i+1:]
		}
	}
	const batch = 500
	for from := 1; from <= n; from += batch {
		if err := fillNewsBatch(ctx, db, q, g, from, min(n, from+batch-1)); err != nil {
			tb.Fatalf("fill news: %v", err)
		}
	}
	analyze := "ANALYZE"
	if pg {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := db.ExecContext(ctx, analyze); err != nil {
		tb.Fatalf("fill news: %v", err)
	}
}

// fillNewsBatch inserts stories from..to in one transaction.
func fillNewsBatch(ctx context.Context, db *sql.DB, q func(string) string, g *News, from, to int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // committed below
	for i := from; i <= to; i++ {
		s := g.Story(i)
		pub := s.Published.UnixNano()
		var id int64
		err := tx.QueryRowContext(ctx, q(`INSERT INTO stories (url, title, byline, published, site, lang, text, simhash,
			content_hash, words, first_publisher, first_seen, updated) VALUES (?, ?, 'By Staff', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			s.URL, s.Title, pub, s.Site, s.Lang, s.Text, int64(i), int64(i), len(strings.Fields(s.Text)), s.Site, pub, pub).Scan(&id)
		if err != nil {
			return fmt.Errorf("story %d: %w", i, err)
		}
		for j, c := range s.Copies {
			reason, sim := "new story", 1.0
			if j > 0 {
				reason, sim = "simhash distance 3, containment 0.97", 0.93
			}
			at := pub + int64(j)*int64(time.Minute)
			_, err := tx.ExecContext(ctx, q(`INSERT INTO copies (story_id, url, host, canonical_url, site, title, byline, published,
				fetched_at, lang, similarity, reason, simhash, content_hash, stored_at) VALUES (?, ?, ?, ?, ?, ?, 'By Staff', ?, ?, ?, ?, ?, ?, ?, ?)`),
				id, c.URL, c.Host, c.URL, c.Site, c.Title, at, at, s.Lang, sim, reason, int64(i), int64(i<<4|j), at)
			if err != nil {
				return fmt.Errorf("story %d copy %d: %w", i, j, err)
			}
		}
	}
	return tx.Commit()
}
