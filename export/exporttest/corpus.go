// Package exporttest provides Corpus, a deterministic, generated export.Source
// for tests and benchmarks of package export and its callers. It holds no
// stories in memory: story i is computed when asked for, so large corpora
// cost no memory and benchmarks measure the exporter, not the source.
package exporttest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
)

// Sites is the number of distinct sites the corpus's copies spread over.
const Sites = 5

// Base is the publication time of story 1; story i is published i hours later.
var Base = time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)

// Corpus is a generated export.Source of N stories with IDs 1..N.
//
// Story i has 1 + i%4 copies on distinct sites (site (i+j)%Sites for copy j;
// copy 0 is the canonical), language "en", "de" or unknown by i%3, a
// published time Base+i h except every 7th story (unknown), and text with
// markup-like and non-ASCII characters. Copies j>0 of even stories keep their
// own text. The raw response of copy j of story i is stored unless
// (i+j)%6 == 5, or NoRaw is set.
type Corpus struct {
	// N is the number of stories.
	N int
	// Paragraphs is the number of paragraphs per story text (default 6).
	Paragraphs int
	// NoRaw makes Raw report no stored response for every URL.
	NoRaw bool
}

// SiteName is the name of site s; its host is SiteHost(s).
func SiteName(s int) string { return fmt.Sprintf("Site %d", s) }

// SiteHost is the host of site s.
func SiteHost(s int) string { return fmt.Sprintf("site%d.example", s) }

// Lang is the language of story i ("" for unknown).
func Lang(i int) string { return [...]string{"en", "de", ""}[i%3] }

// NumCopies is the number of copies of story i.
func NumCopies(i int) int { return 1 + i%4 }

// HasRaw says whether copy j of story i has a stored raw response (NoRaw aside).
func HasRaw(i, j int) bool { return (i+j)%6 != 5 }

// CopyURL is the URL of copy j of story i.
func CopyURL(i, j int) string {
	return fmt.Sprintf("https://%s/news/%d-%d.html?ref=feed&x=%d", SiteHost((i+j)%Sites), i, j, j)
}

// Published is story i's publication time (zero when unknown).
func Published(i int) time.Time {
	if i%7 == 0 {
		return time.Time{}
	}
	return Base.Add(time.Duration(i) * time.Hour)
}

// FirstSeen is when story i was first stored.
func FirstSeen(i int) time.Time { return Base.Add(time.Duration(i)*time.Hour + 17*time.Minute) }

// Text is the canonical text of story i.
func (c *Corpus) Text(i int) string {
	n := c.Paragraphs
	if n <= 0 {
		n = 6
	}
	var b strings.Builder
	for p := 0; p < n; p++ {
		if p > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "Story %d, paragraph %d: officials said <b>\"quotes\" & ampersands</b> à Zürich — naïve café, %s.", i, p,
			strings.Repeat("lorem ipsum dolor sit amet ", 4+(i+p)%5))
	}
	return b.String()
}

// CopyText is copy j's own kept text ("" when not kept).
func (c *Corpus) CopyText(i, j int) string {
	if j == 0 || i%2 != 0 {
		return ""
	}
	return fmt.Sprintf("Copy %d of story %d, as printed by %s.\n\n%s", j, i, SiteName((i+j)%Sites), c.Text(i))
}

// Story builds story i (1 <= i <= N).
func (c *Corpus) Story(i int) wirecrawl.Story {
	s := wirecrawl.Story{
		ID:             int64(i),
		URL:            CopyURL(i, 0),
		Title:          fmt.Sprintf("Headline %d: \"storm\" <hits> coast", i),
		Byline:         fmt.Sprintf("By Reporter %d", i%13),
		Published:      Published(i),
		Site:           SiteName(i % Sites),
		Lang:           Lang(i),
		Text:           c.Text(i),
		FirstPublisher: SiteName(i % Sites),
		FirstSeen:      FirstSeen(i),
		Updated:        FirstSeen(i).Add(time.Duration(i%3) * time.Hour),
	}
	for j := 0; j < NumCopies(i); j++ {
		cp := wirecrawl.Copy{
			URL:        CopyURL(i, j),
			Site:       SiteName((i + j) % Sites),
			Title:      s.Title,
			Byline:     s.Byline,
			Published:  s.Published,
			FetchedAt:  FirstSeen(i).Add(time.Duration(j) * time.Minute),
			Similarity: 1 - float64(j)/10,
			Reason:     "canonical",
			Text:       c.CopyText(i, j),
		}
		if j > 0 {
			cp.Title = fmt.Sprintf("%s (%d)", s.Title, j)
			cp.Reason = fmt.Sprintf("simhash distance %d, containment 0.9%d", j, j)
		}
		s.Copies = append(s.Copies, cp)
	}
	return s
}

// Match reports whether story s passes f, with the semantics of export.Filter:
// Since <= published time (first seen when unknown) < Until;
// Site matches any copy's site name or host; Lang matches exactly.
func Match(s *wirecrawl.Story, f export.Filter) bool {
	t := s.Published
	if t.IsZero() {
		t = s.FirstSeen
	}
	if !f.Since.IsZero() && t.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !t.Before(f.Until) {
		return false
	}
	if f.Lang != "" && s.Lang != f.Lang {
		return false
	}
	if f.Site == "" {
		return true
	}
	for _, cp := range s.Copies {
		if strings.EqualFold(cp.Site, f.Site) {
			return true
		}
		if u, err := url.Parse(cp.URL); err == nil && strings.EqualFold(u.Hostname(), f.Site) {
			return true
		}
	}
	return false
}

// Stories implements export.Source. Full-text queries belong to the store's
// search index, which the corpus does not model: a filter with a Query is an
// error here rather than silently matching every story.
func (c *Corpus) Stories(ctx context.Context, f export.Filter, fn func(wirecrawl.Story) error) error {
	if f.Query != "" {
		return fmt.Errorf("exporttest: full-text query %q is not supported by the synthetic corpus", f.Query)
	}
	for i := 1; i <= c.N; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := c.Story(i)
		if !Match(&s, f) {
			continue
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}

// Body is the stored raw HTML of copy j of story i.
func (c *Corpus) Body(i, j int) []byte {
	return []byte(fmt.Sprintf("<!doctype html><html lang=%q><head><meta charset=utf-8><title>Headline %d</title></head>"+
		"<body><article><h1>Headline %d (%d)</h1><p>%s</p></article></body></html>\n", Lang(i), i, i, j,
		strings.ReplaceAll(c.Text(i), "\n\n", "</p><p>")))
}

// Raw implements export.Source.
func (c *Corpus) Raw(ctx context.Context, rawURL string) (export.Raw, bool, error) {
	if err := ctx.Err(); err != nil {
		return export.Raw{}, false, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return export.Raw{}, false, fmt.Errorf("exporttest: %w", err)
	}
	var i, j int
	name := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/news/"), ".html")
	a, b, ok := strings.Cut(name, "-")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			j, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || i < 1 || i > c.N || j < 0 || j >= NumCopies(i) || CopyURL(i, j) != rawURL {
		return export.Raw{}, false, nil
	}
	if c.NoRaw || !HasRaw(i, j) {
		return export.Raw{}, false, nil
	}
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Encoding", "gzip") // the body is stored decoded: export must drop this
	h.Set("Content-Length", "1")      // and recompute this
	h.Set("Last-Modified", FirstSeen(i).Format(http.TimeFormat))
	h.Add("Set-Cookie", "a=1")
	h.Add("Set-Cookie", "b=2")
	return export.Raw{
		URL:       rawURL,
		Status:    http.StatusOK,
		Header:    h,
		Body:      c.Body(i, j),
		FetchedAt: FirstSeen(i).Add(time.Duration(j) * time.Minute),
	}, true, nil
}

// Want holds the counts an export of the corpus under a filter must report.
type Want struct {
	// Stories and Copies are the numbers of stories and of their URLs.
	Stories, Copies int64
	// WithRaw is the number of copies with a stored raw response.
	WithRaw int64
	// URLs maps every URL to its story's ID.
	URLs map[string]int64
}

// Expect computes what an export of the corpus under f must contain. It
// panics on a filter with a Query, which the corpus cannot evaluate.
func (c *Corpus) Expect(f export.Filter) Want { return c.ExpectFirstSeen(f, time.Time{}) }

// ExpectFirstSeen is Expect for a copy of the corpus whose stories were all
// first seen at firstSeen (as when loaded into a real store at that time);
// zero keeps the corpus's own FirstSeen times.
func (c *Corpus) ExpectFirstSeen(f export.Filter, firstSeen time.Time) Want {
	if f.Query != "" {
		panic("exporttest: Expect cannot evaluate a full-text query")
	}
	w := Want{URLs: map[string]int64{}}
	for i := 1; i <= c.N; i++ {
		s := c.Story(i)
		if !firstSeen.IsZero() {
			s.FirstSeen = firstSeen
		}
		if !Match(&s, f) {
			continue
		}
		w.Stories++
		for j := range s.Copies {
			w.Copies++
			w.URLs[s.Copies[j].URL] = s.ID
			if !c.NoRaw && HasRaw(i, j) {
				w.WithRaw++
			}
		}
	}
	return w
}
