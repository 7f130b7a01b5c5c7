package export

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// Format is an export file format.
type Format string

// The export formats.
const (
	// JSONL writes one JSON object per story and line.
	JSONL Format = "jsonl"
	// Parquet writes one row per story, copies as a nested list.
	Parquet Format = "parquet"
	// WARC writes WARC 1.1 records: the stored raw HTTP exchanges of every copy
	// and its clean text as a conversion record.
	WARC Format = "warc"
)

// Compression is an outer compression applied to an export stream.
type Compression string

// The compressions.
const (
	// None writes the format as is.
	None Compression = ""
	// Gzip compresses JSONL as one gzip stream, and WARC record by record
	// (one gzip member per record, as .warc.gz readers expect).
	Gzip Compression = "gzip"
	// Zstd compresses JSONL as one zstd stream (JSONL only).
	Zstd Compression = "zstd"
)

// Options configure one export. The zero value writes uncompressed JSONL of
// every story.
type Options struct {
	// Format is the file format; "" means JSONL.
	Format Format
	// Compression is the outer compression (see Compression); None by default.
	Compression Compression
	// Filter selects the stories.
	Filter Filter
	// Copies adds each copy's own stored text (kept when dedup.keep_copy_text
	// is on) to its entry in JSONL and Parquet. Copies themselves (URL, site,
	// title, times, similarity) are always exported.
	Copies bool
	// OnStory, when set, is called after each story is written with the
	// number of stories written so far (for a progress bar). It runs on the
	// writing goroutine and must be quick.
	OnStory func(stories int64)
	// Software names the writer in WARC warcinfo records and Parquet metadata,
	// e.g. "wirecrawl/1.2.0"; "wirecrawl" by default.
	Software string
	// UserAgent goes into the reconstructed WARC request records; none when empty.
	UserAgent string
	// WARCFilename is the WARC-Filename of the warcinfo record; optional.
	WARCFilename string
	// RowGroupRows caps a Parquet row group's rows; 0 means DefaultRowGroupRows.
	// Row groups are also cut at about RowGroupBytes of text, so memory stays
	// bounded however long the stories are.
	RowGroupRows int
	// Now returns the current time (for warcinfo); time.Now by default.
	Now func() time.Time
}

// DefaultRowGroupRows is the Parquet row-group size used when
// Options.RowGroupRows is zero.
const DefaultRowGroupRows = 8192

// RowGroupBytes is the approximate amount of story and copy text after which
// a Parquet row group is cut, bounding the writer's memory.
const RowGroupBytes = 32 << 20

// Counts describe what an export wrote; they go into the dataset card.
type Counts struct {
	// Stories is the number of stories written.
	Stories int64 `json:"stories"`
	// Copies is the number of URLs (copies, the canonical included) of those stories.
	Copies int64 `json:"copies"`
	// DuplicatesMerged is Copies - Stories: URLs folded into another's story.
	DuplicatesMerged int64 `json:"duplicates_merged"`
	// Sites counts per site (the copy's site name, or its host when unknown).
	Sites map[string]SiteCount `json:"sites"`
	// Languages counts stories per language ("und" when unknown).
	Languages map[string]int64 `json:"languages"`
	// WARCResponses is the number of copies written as request/response/
	// conversion triples (WARC only).
	WARCResponses int64 `json:"warc_responses,omitempty"`
	// WARCRecords is the number of WARC records written, warcinfo included (WARC only).
	WARCRecords int64 `json:"warc_records,omitempty"`
	// CopiesWithoutRaw counts copies that had no stored raw response and so
	// are missing from a WARC export (turn on store.raw_html when crawling).
	CopiesWithoutRaw int64 `json:"copies_without_raw,omitempty"`
	// WARCSkipped counts copies whose stored response has no absolute
	// http(s) URL, so no request record can be made; they are left out.
	WARCSkipped int64 `json:"warc_skipped,omitempty"`
	// CopyTexts counts copies exported with their own stored text (Options.Copies).
	CopyTexts int64 `json:"copy_texts,omitempty"`
}

// SiteCount is a per-site tally.
type SiteCount struct {
	// Stories is the number of stories with at least one copy on the site.
	Stories int64 `json:"stories"`
	// Copies is the number of the site's URLs.
	Copies int64 `json:"copies"`
}

// UnknownLang is the language key of stories whose language is unknown.
const UnknownLang = "und"

func (c *Counts) add(s *wirecrawl.Story) {
	if c.Sites == nil {
		c.Sites = map[string]SiteCount{}
		c.Languages = map[string]int64{}
	}
	c.Stories++
	c.Copies += int64(len(s.Copies))
	c.DuplicatesMerged = c.Copies - c.Stories
	lang := s.Lang
	if lang == "" {
		lang = UnknownLang
	}
	c.Languages[lang]++
	for i, cp := range s.Copies {
		site := siteOf(cp.Site, cp.URL)
		sc := c.Sites[site]
		sc.Copies++
		first := true
		for _, prev := range s.Copies[:i] {
			if siteOf(prev.Site, prev.URL) == site {
				first = false
				break
			}
		}
		if first {
			sc.Stories++
		}
		c.Sites[site] = sc
	}
}

// siteOf is the site's name, or the URL's host when the name is unknown.
func siteOf(site, rawURL string) string {
	if site != "" {
		return site
	}
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return strings.ToLower(u.Hostname())
	}
	return "unknown"
}

// Write streams the stories of src selected by opts.Filter to w in
// opts.Format and returns what it wrote. Memory stays bounded by a few
// dozen stories (and, for Parquet, one row group) whatever the corpus size.
// On error, what was written to w is incomplete. w is not closed.
func Write(ctx context.Context, src Source, w io.Writer, opts Options) (Counts, error) {
	f, err := ParseFormat(string(opts.Format))
	if err != nil {
		return Counts{}, err
	}
	if opts.Software == "" {
		opts.Software = "wirecrawl"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	spec, _ := specOf(f)
	if opts.Compression != None && !slices.Contains(spec.compressions, opts.Compression) {
		return Counts{}, fmt.Errorf("export: %s takes no %s compression", f, opts.Compression)
	}
	return spec.write(ctx, src, w, opts)
}

// rawResult is a copy's stored raw response, looked up ahead of writing.
type rawResult struct {
	raw Raw
	ok  bool
}

// walkItem is one story on its way from the source to the writer.
type walkItem struct {
	story wirecrawl.Story
	raws  []rawResult // one per copy, when the walk fetches raws
}

// walkQueue is how many stories the reader may run ahead of the writer.
const walkQueue = 32

// walk calls fn for every selected story, in order, keeping the counts and
// the progress callback up to date. The source is read on its own goroutine,
// up to walkQueue stories ahead, so that reading (SQL, decoding) overlaps
// with encoding; with withRaws it also looks up each copy's raw response
// there. fn runs on the caller's goroutine. An error from fn, the source or
// ctx stops both; the reader has exited when walk returns.
func walk(ctx context.Context, src Source, opts Options, counts *Counts, withRaws bool,
	fn func(s *wirecrawl.Story, raws []rawResult) error) error {
	if counts.Sites == nil {
		counts.Sites = map[string]SiteCount{}
		counts.Languages = map[string]int64{}
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan walkItem, walkQueue)
	var srcErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(queue)
		srcErr = src.Stories(rctx, opts.Filter, func(s wirecrawl.Story) error {
			it := walkItem{story: s}
			if withRaws {
				it.raws = make([]rawResult, len(s.Copies))
				for i := range s.Copies {
					raw, ok, err := src.Raw(rctx, s.Copies[i].URL)
					if err != nil {
						return fmt.Errorf("raw response of %s: %w", s.Copies[i].URL, err)
					}
					it.raws[i] = rawResult{raw, ok}
				}
			}
			select {
			case queue <- it:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
	}()
	var err error
	for it := range queue {
		if err = ctx.Err(); err != nil {
			break
		}
		if err = fn(&it.story, it.raws); err != nil {
			err = fmt.Errorf("export: %w", err)
			break
		}
		counts.add(&it.story)
		if opts.Copies {
			for i := range it.story.Copies {
				if it.story.Copies[i].Text != "" {
					counts.CopyTexts++
				}
			}
		}
		if opts.OnStory != nil {
			opts.OnStory(counts.Stories)
		}
	}
	cancel()
	for range queue { // let the reader see the cancellation and finish
	}
	<-done
	switch {
	case err != nil:
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case srcErr != nil:
		return fmt.Errorf("export: reading stories: %w", srcErr)
	}
	return nil
}

// StoryCounter is optionally implemented by a Source that can count the
// stories a filter selects cheaply; export uses it for a progress bar's total.
type StoryCounter interface {
	// CountStories returns how many stories Stories(ctx, f, ...) would visit.
	CountStories(ctx context.Context, f Filter) (int64, error)
}

// CountStories returns the number of stories src would export under f, when
// src can tell (ok is false otherwise).
func CountStories(ctx context.Context, src Source, f Filter) (n int64, ok bool, err error) {
	c, ok := src.(StoryCounter)
	if !ok {
		return 0, false, nil
	}
	n, err = c.CountStories(ctx, f)
	if err != nil {
		return 0, false, fmt.Errorf("export: counting stories: %w", err)
	}
	return n, true, nil
}
