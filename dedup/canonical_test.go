package dedup

import "testing"

func TestKeepsCanonical(t *testing.T) {
	for _, c := range []struct {
		d            Decision
		words, canon int
		want         bool
		why          string
	}{
		{Decision{Canonical: false}, 900, 10, false, "dedup did not make it canonical"},
		{Decision{Canonical: true}, 10, 900, true, "no merge: Decide's verdict stands"},
		{Decision{Canonical: true, Merge: []int64{2}}, 500, 400, true, "more complete than the merged canonical"},
		{Decision{Canonical: true, Merge: []int64{2}}, 400, 400, false, "a tie keeps the canonical in place"},
		{Decision{Canonical: true, Merge: []int64{2}}, 300, 400, false, "the merged story brought a longer canonical"},
	} {
		if got := KeepsCanonical(c.d, c.words, c.canon); got != c.want {
			t.Errorf("%s: KeepsCanonical(%+v, %d, %d) = %v", c.why, c.d, c.words, c.canon, got)
		}
	}
}
