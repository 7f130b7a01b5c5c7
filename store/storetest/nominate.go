package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
)

// testNominate: Nominate returns each story sharing a key once with the
// number of keys it matched and its fingerprint data but no text; a key
// shared by more than KeyLimit stories nominates nothing and is counted;
// Since leaves out stories first seen before it; Texts reads the texts; the
// per-story data follows a canonical replacement and a merge.
func testNominate(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	s := fresh(t, newDSN, store.Config{})
	// key 1000 is shared by every story (boilerplate); key 10+i is story i's
	// own; keys 500 and 501 are shared by stories 0 and 1.
	var ids []int64
	for i := range 6 {
		keys := []uint64{1000, uint64(10 + i)}
		if i < 2 {
			keys = append(keys, 500, 501)
		}
		d := newDecision(keys...)
		d.Words = 10 + i
		ids = append(ids, save(t, s, page(fmt.Sprintf("https://a.example/%d", i), "A", fmt.Sprintf("text %d", i), t0, d)))
	}
	nom, err := s.Nominate(ctx, dedup.Query{Keys: []uint64{1000, 500, 501, 12, 99}, KeyLimit: 4})
	must(t, err)
	if nom.StopKeys != 1 || len(nom.Candidates) != 3 {
		t.Fatalf("nominate with key limit 4: %d stop keys, candidates %+v; want 1 stop key (1000) and stories 0, 1, 2", nom.StopKeys, nom.Candidates)
	}
	want := []struct {
		id      int64
		matched int
	}{{ids[0], 2}, {ids[1], 2}, {ids[2], 1}}
	for i, c := range nom.Candidates {
		if c.StoryID != want[i].id || c.Matched != want[i].matched || c.Text != "" ||
			c.Simhash != 1000^0xabcdef || c.Length != 10+i || c.ContentHash == 0 || c.FirstSeen.IsZero() {
			t.Fatalf("candidate %d: %+v, want story %d matching %d keys, no text, its fingerprint data", i, c, want[i].id, want[i].matched)
		}
	}
	// no limit: the shared key nominates all six
	nom, err = s.Nominate(ctx, dedup.Query{Keys: []uint64{1000}})
	must(t, err)
	if nom.StopKeys != 0 || len(nom.Candidates) != 6 {
		t.Fatalf("nominate without limit: %+v", nom)
	}
	// every story was first seen before now: a window starting later leaves all out
	nom, err = s.Nominate(ctx, dedup.Query{Keys: []uint64{1000}, Since: time.Now().Add(time.Hour)})
	must(t, err)
	if len(nom.Candidates) != 0 {
		t.Fatalf("nominate since a later time: %+v", nom.Candidates)
	}
	nom, err = s.Nominate(ctx, dedup.Query{Keys: []uint64{1000}, Since: time.Now().Add(-time.Hour)})
	must(t, err)
	if len(nom.Candidates) != 6 {
		t.Fatalf("nominate since an hour ago: %d candidates, want 6", len(nom.Candidates))
	}
	texts, err := s.Texts(ctx, []int64{ids[1], ids[3], 99999})
	must(t, err)
	if len(texts) != 2 || texts[ids[1]] != "text 1" || texts[ids[3]] != "text 3" {
		t.Fatalf("texts: %v", texts)
	}
	// A more complete copy of story 2 becomes its canonical: Nominate
	// reports the new fingerprint and length.
	cd := copyDecision(ids[2], true, 12, 77)
	cd.Words = 40
	save(t, s, page("https://b.example/2", "B", "a longer text of story 2", t0, cd))
	nom, err = s.Nominate(ctx, dedup.Query{Keys: []uint64{77}})
	must(t, err)
	if len(nom.Candidates) != 1 || nom.Candidates[0].StoryID != ids[2] || nom.Candidates[0].Length != 40 ||
		nom.Candidates[0].Simhash != cd.Simhash || nom.Candidates[0].ContentHash != cd.ContentHash {
		t.Fatalf("after a canonical replacement: %+v, want length 40 and the copy's fingerprint", nom.Candidates)
	}
	// A page verified against stories 0 and 1 merges 1 into 0: story 1 is
	// no longer nominated, its keys lead to story 0.
	md := copyDecision(ids[0], false, 500, 88)
	md.Merge = []int64{ids[1]}
	save(t, s, page("https://c.example/m", "C", "merging copy", t0, md))
	nom, err = s.Nominate(ctx, dedup.Query{Keys: []uint64{11, 500, 501}})
	must(t, err)
	if len(nom.Candidates) != 1 || nom.Candidates[0].StoryID != ids[0] || nom.Candidates[0].Matched != 3 {
		t.Fatalf("after a merge: %+v, want story %d alone matching 3 keys", nom.Candidates, ids[0])
	}
	if texts, _ := s.Texts(ctx, []int64{ids[1]}); len(texts) != 0 {
		t.Fatalf("text of a merged story: %v", texts)
	}
}
