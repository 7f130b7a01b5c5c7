package dedup

import "time"

// Action is what dedup decided for a document.
type Action string

// The possible actions.
const (
	// ActionNew: no stored story matches; store the document as a new story.
	ActionNew Action = "new"
	// ActionCopy: the document is another version of story StoryID.
	ActionCopy Action = "copy"
	// ActionUnchanged: this URL is already stored with the same text.
	ActionUnchanged Action = "unchanged"
)

// Decision is dedup's verdict on one document, with what the store needs to
// record it and to explain it later.
type Decision struct {
	Action Action
	// StoryID is the matched story for ActionCopy and ActionUnchanged.
	StoryID int64
	// Canonical is true when the document becomes its story's canonical
	// version: always for a new story, and for a copy that is a more complete
	// update of the current canonical.
	Canonical bool
	// Similarity to the canonical text, 0..1 (1 for a new story).
	Similarity float64
	// Distance is the simhash Hamming distance to the matched canonical.
	Distance int
	// Containment is the share of the smaller text's shingles found in the larger.
	Containment float64
	// Reason explains the decision in words, for `wirecrawl why` and exports.
	Reason string
	// Simhash is the document's body fingerprint.
	Simhash uint64
	// ContentHash is the hash of the normalised body, for exact copies.
	ContentHash uint64
	// Keys are the index keys to store for this document under its story, so
	// that later documents find it through Index.Lookup.
	Keys []uint64
	// Words is the length of the normalised body in words; the store records
	// it as the story's Candidate.Length when this version is canonical.
	Words int
	// WindowStart is the start of the dedup window this decision used:
	// stories first seen before it were not candidates, and never will be
	// again, so the store may drop their index keys. Zero without a window.
	WindowStart time.Time
	// Merge lists other stories (ids, ascending) that this document also
	// verified against: versions of one story that arrived before anything
	// linked them. The store should merge them into StoryID (their copies
	// and keys move to it; the most complete canonical wins), so that the
	// final clusters do not depend on arrival order. Always empty with
	// dedup.no_merge (off by default).
	Merge []int64
}
