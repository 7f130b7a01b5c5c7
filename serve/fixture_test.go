package serve_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
)

// storedCopy is one page of a story to store: its document and, for a
// copy, how dedup matched it.
type storedCopy struct {
	doc        wirecrawl.Document
	similarity float64
	reason     string
}

// storeStory stores pages[0] as a new story and the others as its copies,
// and returns the story's id. salt keeps fingerprints apart between stories.
func storeStory(t testing.TB, st store.Store, salt uint64, pages ...storedCopy) int64 {
	t.Helper()
	var id int64
	for j, p := range pages {
		d := dedup.Decision{Action: dedup.ActionNew, Canonical: true, Similarity: 1, Reason: "canonical",
			Simhash: salt, ContentHash: salt<<16 | uint64(j), Keys: []uint64{salt}}
		if j > 0 {
			d = dedup.Decision{Action: dedup.ActionCopy, StoryID: id, Similarity: p.similarity, Reason: p.reason,
				Simhash: salt, ContentHash: salt<<16 | uint64(j)}
		}
		page := store.Page{Doc: p.doc, Decision: d}
		got, _, err := st.SavePage(context.Background(), func(context.Context, dedup.Index) (store.Page, error) { return page, nil })
		if err != nil {
			t.Fatal(err)
		}
		if j == 0 {
			id = got
		}
	}
	return id
}

// wireOutlets are the outlets that run the wire story.
var wireOutlets = []string{"Harbor Herald", "Valley Times", "Coastal Courier", "Metro Daily", "Northern Ledger",
	"Bay Gazette", "The Morning Post", "City Wire", "Riverside Record", "Evening Standard-Telegraph"}

// wireOutlet is the name of the outlet of copy k (1-based).
func wireOutlet(k int) string {
	if k <= len(wireOutlets) {
		return wireOutlets[k-1]
	}
	return fmt.Sprintf("Outlet %d", k)
}

const wireText = `A powerful storm slammed into the northern coast on Tuesday, cutting power to more than 200,000 homes and forcing the closure of two ports. Wind gusts reached 140 kilometres per hour near the harbour town of Marlow, the national weather service said.

Emergency crews worked through the night to clear fallen trees from the main coastal highway. "We have never seen water this high on the quay," said harbour master Elena Voss. Schools in three districts will stay closed on Wednesday.

The storm is expected to weaken as it moves inland on Thursday. Forecasters warned of further flooding along the river valleys.`

// wireStory is a wire story as n outlets ran it after Associated Wire
// published it: each copy adds, removes or edits sentences in its own way
// (by k%4) and appears some minutes to hours later.
func wireStory(n int) []storedCopy {
	at := time.Date(2026, 11, 24, 6, 10, 0, 0, time.UTC)
	pages := []storedCopy{{doc: wirecrawl.Document{
		URL: "https://associated-wire.example/2026/11/24/storm-northern-coast", Site: "Associated Wire",
		Title: "Storm slams northern coast, 200,000 without power", Byline: "By Anna Berg",
		Published: at, FetchedAt: at.Add(4 * time.Minute), Lang: "en", Text: wireText,
	}}}
	for k := 1; k <= n; k++ {
		name := wireOutlet(k)
		text, title, byline := wireText, "Storm slams northern coast, 200,000 without power", "By Anna Berg, Associated Wire"
		switch k % 4 {
		case 1:
			text = strings.Replace(text, "the national weather service said.",
				"the national weather service said. In "+name+"'s own district, volunteers opened two shelters at local schools.", 1)
			title = "Storm cuts power to 200,000 homes on the coast"
		case 2:
			text = strings.Replace(text, "more than 200,000 homes", "about 210,000 homes and businesses", 1)
			title = "Northern coast storm: ports shut, 210,000 lose power"
		case 3:
			text = strings.Replace(text, " Forecasters warned of further flooding along the river valleys.", "", 1)
			text = strings.Replace(text, `," said harbour master Elena Voss.`, `," harbour master Elena Voss told reporters.`, 1)
			byline = "Staff and wire reports"
		case 0:
			text = strings.Replace(text, "on Tuesday,", "late on Tuesday,", 1) + "\n\n" + name + " staff contributed to this report."
		}
		pages = append(pages, storedCopy{
			doc: wirecrawl.Document{
				URL:  fmt.Sprintf("https://%s.example/news/storm-%d", strings.ToLower(strings.NewReplacer(" ", "-", "'", "").Replace(name)), k),
				Site: name, Title: title, Byline: byline, Lang: "en", Text: text,
				Published: at.Add(time.Duration(k)*23*time.Minute + time.Duration(k%3)*time.Hour),
				FetchedAt: at.Add(time.Duration(k)*30*time.Minute + time.Duration(k%3)*time.Hour),
			},
			similarity: 0.97 - 0.03*float64(k%4),
			reason:     fmt.Sprintf("simhash distance %d, containment 0.9%d", 1+k%4, 8-k%4),
		})
	}
	return pages
}
