package export

import (
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// Record is one exported story: a JSONL line and a Parquet row have exactly
// these fields. Unknown times are null.
type Record struct {
	// ID is the story's stable id in the store.
	ID int64 `json:"id" parquet:"id"`
	// URL is the canonical version's URL.
	URL string `json:"url" parquet:"url"`
	// Title is the canonical headline.
	Title string `json:"title" parquet:"title"`
	// Byline is the canonical author line.
	Byline string `json:"byline" parquet:"byline"`
	// Published is the canonical version's publication time.
	Published *time.Time `json:"published" parquet:"published,optional,timestamp(microsecond)"`
	// Site is the canonical version's site.
	Site string `json:"site" parquet:"site"`
	// Lang is the BCP 47 language tag ("" when unknown).
	Lang string `json:"lang" parquet:"lang"`
	// Text is the canonical clean text, paragraphs separated by a blank line.
	Text string `json:"text" parquet:"text"`
	// FirstPublisher is the site of the earliest copy.
	FirstPublisher string `json:"first_publisher" parquet:"first_publisher"`
	// FirstSeen is when the story was first stored.
	FirstSeen *time.Time `json:"first_seen" parquet:"first_seen,optional,timestamp(microsecond)"`
	// Updated is when the canonical version last changed.
	Updated *time.Time `json:"updated" parquet:"updated,optional,timestamp(microsecond)"`
	// NCopies is len(Copies).
	NCopies int32 `json:"n_copies" parquet:"n_copies"`
	// Copies lists every URL of the story, the canonical one included.
	Copies []CopyRecord `json:"copies" parquet:"copies,list"`
}

// CopyRecord is one URL of an exported story.
type CopyRecord struct {
	// URL is where the copy was fetched.
	URL string `json:"url" parquet:"url"`
	// Site is the copy's outlet.
	Site string `json:"site" parquet:"site"`
	// Title is the copy's own headline.
	Title string `json:"title" parquet:"title"`
	// Byline is the copy's own author line.
	Byline string `json:"byline" parquet:"byline"`
	// Published is the copy's publication time.
	Published *time.Time `json:"published" parquet:"published,optional,timestamp(microsecond)"`
	// FetchedAt is when the copy was fetched.
	FetchedAt *time.Time `json:"fetched_at" parquet:"fetched_at,optional,timestamp(microsecond)"`
	// Similarity to the canonical text, 0..1 (1 for the canonical).
	Similarity float64 `json:"similarity" parquet:"similarity"`
	// Reason says why the copy was merged.
	Reason string `json:"reason" parquet:"reason"`
	// Text is the copy's own stored text: set only when exporting with
	// Options.Copies and the text was kept (dedup.keep_copy_text).
	Text *string `json:"text,omitempty" parquet:"text,optional"`
}

// NewRecord converts a story to its exported form; withCopyText adds each
// copy's own stored text.
func NewRecord(s *wirecrawl.Story, withCopyText bool) Record {
	r := Record{
		ID:             s.ID,
		URL:            s.URL,
		Title:          s.Title,
		Byline:         s.Byline,
		Published:      timePtr(s.Published),
		Site:           s.Site,
		Lang:           s.Lang,
		Text:           s.Text,
		FirstPublisher: s.FirstPublisher,
		FirstSeen:      timePtr(s.FirstSeen),
		Updated:        timePtr(s.Updated),
		NCopies:        int32(len(s.Copies)),
		Copies:         make([]CopyRecord, len(s.Copies)),
	}
	for i := range s.Copies {
		c := &s.Copies[i]
		r.Copies[i] = CopyRecord{
			URL:        c.URL,
			Site:       c.Site,
			Title:      c.Title,
			Byline:     c.Byline,
			Published:  timePtr(c.Published),
			FetchedAt:  timePtr(c.FetchedAt),
			Similarity: c.Similarity,
			Reason:     c.Reason,
		}
		if withCopyText && c.Text != "" {
			r.Copies[i].Text = &c.Text
		}
	}
	return r
}

// timePtr is nil for the zero time, else the time in UTC.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
