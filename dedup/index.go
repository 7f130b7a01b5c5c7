package dedup

import (
	"context"
	"time"
)

// Candidate is a stored story that shares at least one fingerprint key with
// the document being decided.
type Candidate struct {
	StoryID int64
	// Simhash is the fingerprint of the story's canonical text.
	Simhash uint64
	// Text is the story's canonical body text, used to verify the match.
	Text string
	// Length is the canonical text's length in words.
	Length int
	// Published is the canonical version's publication time (zero when
	// unknown), for the "latest" canonical policy.
	Published time.Time
}

// Index is dedup's view of the stored stories. The store implements it inside
// the transaction that will store the decided page; MemoryIndex implements it
// in memory. Keys are opaque to the index: dedup computes them (band keys of
// the simhash tables, the exact-content hash) and the index only matches them.
type Index interface {
	// Lookup returns the stories that have at least one of keys, each once.
	Lookup(ctx context.Context, keys []uint64) ([]Candidate, error)
	// StoredURL reports the story that url is already stored under and the
	// content hash recorded for it; ok is false for a URL never stored.
	StoredURL(ctx context.Context, url string) (storyID int64, contentHash uint64, ok bool, err error)
}
