package dedup

// MoreComplete is the "most complete wins" rule, the one definition used
// wherever two versions of a story compete for its canonical text: the
// most_complete policy in Decide, a merge of two stories (MemoryIndex and
// the store), and a page that merged stories and claims their canonical.
// words and otherWords are normalised word counts (Decision.Words,
// Candidate.Length); a tie keeps the version already in place.
func MoreComplete(words, otherWords int) bool { return words > otherWords }

// KeepsCanonical reports whether a page decided d, of words length, becomes
// its story's canonical version once the stories d.Merge lists have been
// merged into it, canonWords being the canonical's length after that
// merge. A page that merged nothing keeps Decide's verdict; one that merged
// stories was compared with one of them only, so it must also be more
// complete than the canonical the merge left.
func KeepsCanonical(d Decision, words, canonWords int) bool {
	if !d.Canonical {
		return false
	}
	return len(d.Merge) == 0 || MoreComplete(words, canonWords)
}
