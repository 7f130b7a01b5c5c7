package testweb

import (
	"slices"
	"strings"
	"testing"
)

// TestReferenceLines: outlets that carry reference lines put them inside
// the body (never first), wires carry none, a follow-up points at the story
// it follows where its outlet has it, and different stories of one outlet
// share a related-headlines list: the hard negatives of issue 16.
func TestReferenceLines(t *testing.T) {
	w, err := Generate(Options{Seed: 16, Outlets: 20, Stories: 300})
	if err != nil {
		t.Fatal(err)
	}
	truth := w.Truth()
	titles := map[string][]string{} // story -> titles of its pages
	for _, p := range truth {
		titles[p.StoryID] = append(titles[p.StoryID], p.Title)
	}
	withRefs, followupsNaming := 0, 0
	shared := map[string]map[string]bool{} // outlet + reference -> stories carrying it
	for _, p := range truth {
		if len(p.References) == 0 {
			continue
		}
		withRefs++
		paras := strings.Split(p.Body, "\n\n")
		if w.outlets[p.OutletIndex].wire {
			t.Errorf("%s: a wire page carries references %q", p.URL, p.References)
		}
		for _, r := range p.References {
			if i := slices.Index(paras, r); i <= 0 {
				t.Errorf("%s: reference %q at paragraph %d of the body", p.URL, r, i)
			}
			k := p.Outlet + "|" + r
			if shared[k] == nil {
				shared[k] = map[string]bool{}
			}
			shared[k][p.StoryID] = true
		}
		if p.Kind == KindFollowup || p.Kind == KindCopy && p.Related != "" {
			for _, r := range p.References {
				for _, title := range titles[p.Related] {
					if strings.HasSuffix(r, title) {
						followupsNaming++
					}
				}
			}
		}
	}
	sharedByStories := 0
	for _, stories := range shared {
		if len(stories) > 1 {
			sharedByStories++
		}
	}
	t.Logf("%d of %d pages carry references; %d follow-up references name the followed story; %d reference lines shared by different stories of an outlet",
		withRefs, len(truth), followupsNaming, sharedByStories)
	if withRefs < len(truth)/5 || followupsNaming == 0 || sharedByStories == 0 {
		t.Errorf("want references on a fifth of the pages or more (%d of %d), follow-ups naming their story (%d) and lines shared by stories (%d)",
			withRefs, len(truth), followupsNaming, sharedByStories)
	}
}
