package dedup

// The same opening is one piece of evidence, not two. Two different stories
// can open with one sentence: a formulaic lede, a lede an outlet reuses for
// a brief, a wire's lede rewritten into a second story. On a long text the
// lede weighs little in containment; on a brief of two or three sentences
// it is most of the text, and "containment >= 0.55 with the same opening"
// then holds for a brief and any story that opens like it. So the rules
// that take the same opening as evidence also ask the texts to agree
// outside their openings (Match.Rest): a copy of a brief carries its other
// sentences too, a different story with the same lede does not.

// minRest is the containment outside the openings that the rules with the
// same opening ask for.
const minRest = 0.4

// briefWords: a text shorter than this (a brief) is one lede and a few
// sentences, so sharing its opening with a longer text says little: with
// containment below StrongContainment it verifies only when both texts
// open alike (Match.Mutual), not when one text's lede is a sentence
// further down the other.
const briefWords = 120

// mergeWords: a document shorter than this merges no stories (see
// mergeable). Measured: 40 kept the order-independence bound on the
// generated corpus (60 and 80 moved 3 of 600 pages) and its held-out
// recall (0.9108 -> 0.9103; 80 gave 0.8996).
const mergeWords = 40

// minRestShingles: when the smaller text has fewer shingles than this
// outside the openings, it is all opening (a one-paragraph text), and
// bodyContainment reports 1: the opening is all there is to compare.
const minRestShingles = 8

// bodyContainment is the share of the smaller text's shingles outside
// both openings that the other text has, outside both openings too.
func bodyContainment(a, b *fingerprint) float64 {
	ra := len(a.sh32) - intersect32(a.sh32, unionSorted(a.op32, b.op32))
	rb := len(b.sh32) - intersect32(b.sh32, unionSorted(a.op32, b.op32))
	small := min(ra, rb)
	if small < minRestShingles {
		return 1
	}
	return float64(intersectExcept(a.sh32, b.sh32, a.op32, b.op32)) / float64(small)
}

// unionSorted merges two sorted unique slices into a new sorted unique one.
func unionSorted(a, b []uint32) []uint32 {
	out := make([]uint32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// ledeBelow reports whether the opening of the text with fewer shingles is
// found in the other text (at LedeContainment's usual 0.8) but not in its
// head: a copy keeps its lede near the top, or rewrites it so that it is
// found nowhere; a text whose lede is the other's closing paragraph is a
// different story that repeats it as background (a follow-up, or a brief
// built from the other's sentences), however much of it the other holds.
func ledeBelow(a, b *fingerprint) bool {
	s, o := a, b
	if len(b.sh32) < len(a.sh32) {
		s, o = b, a
	}
	if len(s.op32) == 0 || o.head == nil {
		return false
	}
	found := float64(intersect32(s.op32, o.sh32)) / float64(len(s.op32))
	inHead := float64(intersectHead(s.op32, o.sh32, o.head)) / float64(len(s.op32))
	return found >= ledeBelowShare && inHead < ledeBelowShare
}

// ledeBelowShare is the share of an opening that counts as found.
const ledeBelowShare = 0.8

// mergeable returns the stories a document of fingerprint fp may merge
// (see verified.strong): none when fp is shorter than mergeWords. Merging
// is transitive, and a brief (a lede and a stock sentence) can be contained in
// several different stories that share that lede and sentence: it then
// joined them all, each with all its copies. A brief still joins the story
// it matches best; longer versions link stories that arrived apart.
func mergeable(fp *fingerprint, strong []int64) []int64 {
	if fp.words < mergeWords {
		return nil
	}
	return strong
}
