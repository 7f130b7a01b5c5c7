package dedup

import (
	"fmt"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// TestQualityCrowdedWeb runs dedup on 2k-page simulated webs with the
// cases whose harm grows with the number of stories (testweb's Crowded):
// briefs of two to four sentences, outlets' standing paragraphs in every
// article, follow-ups of follow-ups. It asserts that no two true stories
// share a cluster and the F1 floor. Before the rules of body.go, a brief
// that opened with another story's lede (or with a sentence from its
// second paragraph) and shared one stock sentence or an outlet's standing
// paragraphs verified as its copy (containment >= 0.55 with the same
// opening): these seeds merged different stories (pairwise P 0.9984,
// 0.9991, 0.9996).
func TestQualityCrowdedWeb(t *testing.T) {
	for _, seed := range []int64{3, 4, 6} {
		opts := testweb.Options{Seed: seed, Outlets: 40, Stories: 400, Crowded: true}
		pages := webPages(t, opts)
		name := fmt.Sprintf("crowded testweb (seed %d)", seed)
		d := New(Config{})
		pred, decs := cluster(t, d, pages, shuffled(len(pages), 1))
		s := score(pred, truthOf(pages))
		t.Logf("%s: %v", name, s)
		if s.p < 1 || s.f1 < 0.98 {
			explain(t, d, pages, pred, decs)
			t.Errorf("%s: pairwise P %.4f F1 %.4f, want no merged stories and F1 >= 0.98", name, s.p, s.f1)
		}
	}
}

// TestBriefSharingALede: a brief that opens with a longer story's lede and
// has one sentence of its own is not that story; a trimmed copy of the
// story that keeps its lede and second paragraph is.
func TestBriefSharingALede(t *testing.T) {
	d := New(Config{})
	lede := "The city council voted on Tuesday to close the old harbour bridge to heavy traffic for at least two years while engineers repair its corroded supports."
	story := lede + "\n\nThe bridge carries about 14,000 vehicles a day, and trucks will be sent along the ring road, which officials said could add twenty minutes to deliveries.\n\n" +
		"Shop owners near the bridge said they feared losing customers during the works and asked the council for help with their rents.\n\n" +
		"The repairs are expected to cost 38 million, most of it from a regional transport fund, according to a report presented to the council.\n\n" +
		"Work is due to begin in the spring after a public consultation on the detours."
	brief := lede + "\n\nA spokeswoman for the mayor declined to comment on Wednesday evening."
	if m := d.Compare(brief, story); m.Verified {
		t.Errorf("brief with the story's lede and a sentence of its own verified: %s", m.Why)
	}
	trimmed := lede + "\n\nThe bridge carries about 14,000 vehicles a day, and trucks will be sent along the ring road, which officials said could add twenty minutes to deliveries."
	if m := d.Compare(trimmed, story); !m.Verified {
		t.Errorf("trimmed copy keeping the lede and the second paragraph did not verify: %s", m.Why)
	}
}
