package testweb

// Score is how well a clustering of article URLs matches the truth's
// stories. Pairwise: over pairs of URLs, a pair is positive when both are in
// one story. B-cubed: per URL, the share of its cluster that is its story
// (precision) and of its story that is its cluster (recall), averaged.
type Score struct {
	Pages                                   int // truth URLs scored (present in the assignment)
	Missing                                 int // truth URLs absent from the assignment
	Unknown                                 int // assigned URLs that are no truth URL
	PairPrecision, PairRecall, PairF1       float64
	BCubedPrecision, BCubedRecall, BCubedF1 float64
	TruePairs, PredictedPairs, CorrectPairs int
}

// ScoreClusters scores a clustering: assign maps each URL (as served, or an
// alias) to a cluster label. Only URLs of the current Truth count; URLs
// missing from assign are counted in Missing and left out of the measures.
func (w *Web) ScoreClusters(assign map[string]string) Score {
	var s Score
	type item struct{ story, cluster string }
	var items []item
	seen := map[string]bool{}
	for u, c := range assign {
		p, ok := w.TruthFor(u)
		if !ok {
			s.Unknown++
			continue
		}
		if seen[p.URL] {
			continue // an alias of a URL already scored
		}
		seen[p.URL] = true
		items = append(items, item{p.StoryID, c})
	}
	for _, p := range w.Truth() {
		if !seen[p.URL] {
			s.Missing++
		}
	}
	s.Pages = len(items)
	byStory := map[string]int{}
	byCluster := map[string]int{}
	both := map[[2]string]int{}
	for _, it := range items {
		byStory[it.story]++
		byCluster[it.cluster]++
		both[[2]string{it.story, it.cluster}]++
	}
	pairs := func(n int) int { return n * (n - 1) / 2 }
	for _, n := range byStory {
		s.TruePairs += pairs(n)
	}
	for _, n := range byCluster {
		s.PredictedPairs += pairs(n)
	}
	for _, n := range both {
		s.CorrectPairs += pairs(n)
	}
	s.PairPrecision = ratio(s.CorrectPairs, s.PredictedPairs)
	s.PairRecall = ratio(s.CorrectPairs, s.TruePairs)
	s.PairF1 = f1(s.PairPrecision, s.PairRecall)
	for _, it := range items {
		n := float64(both[[2]string{it.story, it.cluster}])
		s.BCubedPrecision += n / float64(byCluster[it.cluster])
		s.BCubedRecall += n / float64(byStory[it.story])
	}
	if len(items) > 0 {
		s.BCubedPrecision /= float64(len(items))
		s.BCubedRecall /= float64(len(items))
	}
	s.BCubedF1 = f1(s.BCubedPrecision, s.BCubedRecall)
	return s
}

// ratio is a/b, or 1 when b is 0 (nothing claimed, nothing wrong).
func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
