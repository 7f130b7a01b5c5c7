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
	// ContentHash is the hash of the canonical's normalised text (its
	// Decision.ContentHash): dedup's fingerprint cache is keyed by it, so a
	// cached story's text need not be read.
	ContentHash uint64
	// Text is the story's canonical body text, used to verify the match.
	// Nominate leaves it empty; Texts reads it.
	Text string
	// Length is the canonical text's length in words.
	Length int
	// Published is the canonical version's publication time (zero when
	// unknown), for the "latest" canonical policy.
	Published time.Time
	// FirstSeen is when the story was first stored (zero when unknown).
	FirstSeen time.Time
	// Matched is how many of the query's keys the story has (Nominate).
	Matched int
}

// Query asks Nominate for the stories sharing keys.
type Query struct {
	Keys []uint64
	// KeyLimit: a key that more than KeyLimit stories share nominates none
	// of them (a stop key: boilerplate, a formulaic lede); 0 for no limit.
	// The index need not read more than KeyLimit+1 stories of any key.
	KeyLimit int
	// Since: only stories first seen at or after Since are nominated (zero
	// for no limit).
	Since time.Time
}

// Nomination is what Nominate found.
type Nomination struct {
	// Candidates are the nominated stories, each once, without their text,
	// ordered by story id.
	Candidates []Candidate
	// StopKeys is how many of the query's keys were shared by more than
	// KeyLimit stories, and so nominated nothing.
	StopKeys int
}

// Index is dedup's view of the stored stories. The store implements it inside
// the transaction that will store the decided page; MemoryIndex implements it
// in memory. Keys are opaque to the index: dedup computes them (band keys of
// the simhash tables, the exact-content hash) and the index only matches them.
type Index interface {
	// Lookup returns the stories that have at least one of keys, each once,
	// with their text.
	Lookup(ctx context.Context, keys []uint64) ([]Candidate, error)
	// Nominate returns the stories sharing q's keys with what the index
	// keeps per story (fingerprint, length, times, keys matched) but not
	// their text: its cost must not grow with the texts' size, nor with
	// the number of stories a stop key is shared by.
	Nominate(ctx context.Context, q Query) (Nomination, error)
	// Texts returns the canonical texts of the stories ids, by story id;
	// a story that no longer exists is left out.
	Texts(ctx context.Context, ids []int64) (map[int64]string, error)
	// StoredURL reports the story that url is already stored under and the
	// content hash recorded for it; ok is false for a URL never stored.
	StoredURL(ctx context.Context, url string) (storyID int64, contentHash uint64, ok bool, err error)
}
