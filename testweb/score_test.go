package testweb

import (
	"math"
	"testing"
)

func TestScoreClusters(t *testing.T) {
	w, err := Generate(Options{Seed: 51, Stories: 80})
	if err != nil {
		t.Fatal(err)
	}
	truth := w.Truth()
	perfect := map[string]string{}
	singletons := map[string]string{}
	one := map[string]string{}
	for _, p := range truth {
		perfect[p.URL] = "c" + p.StoryID
		singletons[p.URL] = p.URL
		one[p.URL] = "all"
	}
	s := w.ScoreClusters(perfect)
	if s.PairF1 != 1 || s.BCubedF1 != 1 || s.Missing != 0 || s.Pages != len(truth) {
		t.Errorf("perfect clustering scored %+v", s)
	}
	s = w.ScoreClusters(singletons)
	if s.PairPrecision != 1 || s.PairRecall != 0 || s.BCubedPrecision != 1 || s.BCubedRecall >= 1 {
		t.Errorf("singletons scored %+v", s)
	}
	s = w.ScoreClusters(one)
	if s.PairRecall != 1 || s.PairPrecision >= 0.2 || s.BCubedRecall != 1 {
		t.Errorf("one cluster scored %+v", s)
	}
	// merging two different stories costs precision by a known amount
	var a, b []string
	other := ""
	for _, p := range truth {
		switch {
		case p.StoryID == truth[0].StoryID:
			a = append(a, p.URL)
		case other == "" || p.StoryID == other:
			other = p.StoryID
			b = append(b, p.URL)
		}
	}
	merged := map[string]string{}
	for k, v := range perfect {
		merged[k] = v
	}
	for _, u := range b {
		merged[u] = perfect[a[0]]
	}
	s = w.ScoreClusters(merged)
	tp := s.TruePairs
	wrong := len(a) * len(b)
	want := float64(tp) / float64(tp+wrong)
	if math.Abs(s.PairPrecision-want) > 1e-9 || s.PairRecall != 1 {
		t.Errorf("merging %d and %d pages: precision %.4f, want %.4f", len(a), len(b), s.PairPrecision, want)
	}
	// an unknown URL and a missing one are counted, not scored
	delete(merged, truth[len(truth)-1].URL)
	merged["http://elsewhere.test/x"] = "z"
	s = w.ScoreClusters(merged)
	if s.Missing != 1 || s.Unknown != 1 {
		t.Errorf("missing %d unknown %d, want 1 and 1", s.Missing, s.Unknown)
	}
}
