package pipeline

// Scores measure a clustering of URLs into stories against the truth.
type Scores struct {
	// Pairwise precision, recall and F1 over the pairs of URLs put in one story.
	Precision, Recall, F1 float64
	// BCubed precision, recall and F1 (averaged over URLs).
	BPrecision, BRecall, BF1 float64
	// Pairs counts true duplicate pairs; Found counts predicted pairs.
	Pairs, Found int
}

// Score compares got (URL -> story) with truth (URL -> story) over the URLs in
// truth; a URL missing from got counts as a story of its own.
func Score[T, G comparable](truth map[string]T, got map[string]G) Scores {
	type cell struct {
		t T
		g G
	}
	byTruth := map[T]int{}
	byGot := map[G]int{}
	both := map[cell]int{}
	missing := 0
	for u, t := range truth {
		byTruth[t]++
		g, ok := got[u]
		if !ok {
			missing++
			continue
		}
		byGot[g]++
		both[cell{t, g}]++
	}
	pairs := func(n int) int { return n * (n - 1) / 2 }
	var s Scores
	tp := 0
	for _, n := range both {
		tp += pairs(n)
	}
	for _, n := range byTruth {
		s.Pairs += pairs(n)
	}
	for _, n := range byGot {
		s.Found += pairs(n)
	}
	s.Precision, s.Recall = ratio(tp, s.Found), ratio(tp, s.Pairs)
	s.F1 = harmonic(s.Precision, s.Recall)

	// B-cubed: for each URL, the share of its predicted cluster that is truly
	// its story (precision) and the share of its story found in its cluster.
	var bp, br float64
	for c, n := range both {
		bp += float64(n) * float64(n) / float64(byGot[c.g])
		br += float64(n) * float64(n) / float64(byTruth[c.t])
	}
	// A missing URL is a singleton: precision 1, recall 1/|story|.
	for u, t := range truth {
		if _, ok := got[u]; !ok {
			bp++
			br += 1 / float64(byTruth[t])
		}
	}
	if n := float64(len(truth)); n > 0 {
		s.BPrecision, s.BRecall = bp/n, br/n
	}
	s.BF1 = harmonic(s.BPrecision, s.BRecall)
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
