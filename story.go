package wirecrawl

import "time"

// Story is one piece of journalism: a canonical version and every URL where it appeared.
type Story struct {
	ID int64 `json:"id"`
	// URL is the canonical version's URL.
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Byline    string    `json:"byline,omitempty"`
	Published time.Time `json:"published,omitempty"`
	Site      string    `json:"site,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	Text      string    `json:"text"`
	// FirstPublisher is the site of the earliest copy seen (by published time, then fetch time).
	FirstPublisher string `json:"first_publisher,omitempty"`
	// FirstSeen is when the story was first stored.
	FirstSeen time.Time `json:"first_seen"`
	// Updated is when the canonical version last changed.
	Updated time.Time `json:"updated"`
	// Copies lists every URL of the story, the canonical one included.
	Copies []Copy `json:"copies,omitempty"`
}

// Copy is one URL where a story appeared.
type Copy struct {
	URL       string    `json:"url"`
	Site      string    `json:"site,omitempty"`
	Title     string    `json:"title,omitempty"`
	Byline    string    `json:"byline,omitempty"`
	Published time.Time `json:"published,omitempty"`
	FetchedAt time.Time `json:"fetched_at"`
	// Similarity to the canonical text, 0..1 (1 for the canonical itself).
	Similarity float64 `json:"similarity"`
	// Reason says why it was merged ("canonical", "exact", "simhash distance 4, containment 0.93").
	Reason string `json:"reason,omitempty"`
	// Text is the copy's own body, kept only when dedup.keep_copy_text is on.
	Text string `json:"text,omitempty"`
}
