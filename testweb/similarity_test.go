package testweb

import (
	"sort"
	"strings"
	"testing"
	"unicode"
)

// shingles returns the set of 4-word shingles of a text (words are runs of
// letters and digits, lower-cased).
func shingles(s string) map[uint64]bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := map[uint64]bool{}
	for i := 0; i+4 <= len(words); i++ {
		out[hashString(strings.Join(words[i:i+4], " "))] = true
	}
	return out
}

// TestHardNegativesStayApart measures how alike pages are, by 4-word
// shingle containment: pages of one story must be much closer to each other
// than pages of different stories, follow-ups included.
func TestHardNegativesStayApart(t *testing.T) {
	w, err := Generate(Options{Seed: 31})
	if err != nil {
		t.Fatal(err)
	}
	truth := w.Truth()
	sh := make([]map[uint64]bool, len(truth))
	for i, p := range truth {
		sh[i] = shingles(p.Body)
	}
	// pairs are found through an inverted index: pairs that share no
	// shingle have containment 0 and are left out
	idx := map[uint64][]int32{}
	for i := range truth {
		for x := range sh[i] {
			idx[x] = append(idx[x], int32(i))
		}
	}
	var same, follow, other, otherNonEn []float64
	for i := range truth {
		cnt := map[int32]int{}
		for x := range sh[i] {
			for _, j := range idx[x] {
				if int(j) > i {
					cnt[j]++
				}
			}
		}
		for j := i + 1; j < len(truth); j++ {
			if truth[j].StoryID == truth[i].StoryID {
				if _, ok := cnt[int32(j)]; !ok {
					cnt[int32(j)] = 0
				}
			}
		}
		for j32, n := range cnt {
			j := int(j32)
			a, b := truth[i], truth[j]
			c := float64(n) / float64(max(1, min(len(sh[i]), len(sh[j]))))
			switch {
			case a.StoryID == b.StoryID:
				same = append(same, c)
			case a.Related == b.StoryID || b.Related == a.StoryID || (a.Related != "" && a.Related == b.Related):
				// a follow-up and the story it follows, or two follow-ups of one story
				follow = append(follow, c)
			case a.Lang != "en":
				otherNonEn = append(otherNonEn, c)
			default:
				other = append(other, c)
			}
		}
	}
	q := func(s []float64, f float64) float64 {
		sort.Float64s(s)
		if len(s) == 0 {
			return 0
		}
		return s[min(len(s)-1, int(f*float64(len(s))))]
	}
	t.Logf("same story: %d pairs, min %.2f p05 %.2f median %.2f", len(same), q(same, 0), q(same, 0.05), q(same, 0.5))
	t.Logf("follow-up vs followed: %d pairs, median %.2f p95 %.2f max %.2f", len(follow), q(follow, 0.5), q(follow, 0.95), q(follow, 1))
	t.Logf("different stories sharing any shingle: %d pairs, p99.9 %.2f max %.2f", len(other), q(other, 0.999), q(other, 1))
	t.Logf("different non-English stories: %d pairs, max %.2f", len(otherNonEn), q(otherNonEn, 1))
	if m := q(other, 1); m > 0.4 {
		t.Errorf("two unrelated stories share %.2f of their shingles", m)
	}
	if m := q(otherNonEn, 1); m > 0.5 {
		t.Errorf("two unrelated non-English stories share %.2f of their shingles", m)
	}
	if m := q(follow, 1); m > 0.7 {
		t.Errorf("a follow-up shares %.2f of its shingles with the story it follows", m)
	}
	if m := q(same, 0.05); m < 0.6 {
		t.Errorf("5%% of same-story pairs share less than %.2f of their shingles", m)
	}
}

// BenchmarkSimilarity20k measures, on a 20k-page web, how much text
// unrelated stories share (follow-ups and the story they follow left out):
// the 99.9th percentile and the maximum 4-word-shingle containment over
// story pairs that share any shingle, and how many pairs exceed 0.3.
func BenchmarkSimilarity20k(b *testing.B) {
	for b.Loop() {
		w, err := Generate(bench20k)
		if err != nil {
			b.Fatal(err)
		}
		var texts []Page
		for _, p := range w.Truth() {
			if p.Kind == KindOriginal || p.Kind == KindStaff || p.Kind == KindFollowup {
				texts = append(texts, p)
			}
		}
		idx := map[uint64][]int32{}
		sh := make([]map[uint64]bool, len(texts))
		for i, p := range texts {
			sh[i] = shingles(p.Body)
			for s := range sh[i] {
				idx[s] = append(idx[s], int32(i))
			}
		}
		var cs []float64
		over := 0
		for i, p := range texts {
			cnt := map[int32]int{}
			for s := range sh[i] {
				for _, j := range idx[s] {
					if int(j) > i {
						cnt[j]++
					}
				}
			}
			for j, n := range cnt {
				q := texts[j]
				if q.Related == p.StoryID || p.Related == q.StoryID || (p.Related != "" && p.Related == q.Related) {
					continue
				}
				c := float64(n) / float64(min(len(sh[i]), len(sh[j])))
				cs = append(cs, c)
				if c > 0.3 {
					over++
				}
			}
		}
		sort.Float64s(cs)
		b.ReportMetric(float64(len(texts)), "stories")
		b.ReportMetric(cs[len(cs)*999/1000], "p99.9")
		b.ReportMetric(cs[len(cs)-1], "max")
		b.ReportMetric(float64(over), "pairs>0.3")
	}
}
