package exporttest

import (
	"context"
	"fmt"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
)

// Load saves every copy of every story of c into st page by page, as the
// pipeline would: copy 0 as a new story, the others as copies of it, each
// with its raw response when the corpus has one (kept if st was opened with
// store.Config.RawHTML) and its own text (kept with KeepCopyText).
func Load(ctx context.Context, st store.Store, c *Corpus) error {
	for i := 1; i <= c.N; i++ {
		s := c.Story(i)
		var storyID int64
		for j, cp := range s.Copies {
			doc := wirecrawl.Document{
				URL: cp.URL, Site: cp.Site, Title: cp.Title, Byline: cp.Byline, Published: cp.Published,
				Lang: s.Lang, Text: cp.Text, FetchedAt: cp.FetchedAt,
			}
			if doc.Text == "" {
				doc.Text = s.Text
			}
			d := dedup.Decision{Action: dedup.ActionNew, Canonical: true, Similarity: 1, Reason: cp.Reason,
				Simhash: uint64(i), ContentHash: uint64(i<<8 | j), Keys: []uint64{uint64(i)}}
			if j > 0 {
				d = dedup.Decision{Action: dedup.ActionCopy, StoryID: storyID, Similarity: cp.Similarity, Reason: cp.Reason,
					Simhash: uint64(i), ContentHash: uint64(i<<8 | j)}
			}
			page := store.Page{Doc: doc, Decision: d}
			raw, ok, err := c.Raw(ctx, cp.URL)
			if err != nil {
				return err
			}
			if ok {
				page.Raw = &raw
			}
			id, _, err := st.SavePage(ctx, func(context.Context, dedup.Index) (store.Page, error) { return page, nil })
			if err != nil {
				return fmt.Errorf("exporttest: save story %d copy %d: %w", i, j, err)
			}
			if j == 0 {
				storyID = id
			} else if id != storyID {
				return fmt.Errorf("exporttest: copy %d of story %d stored under story %d, want %d", j, i, id, storyID)
			}
		}
	}
	return nil
}
