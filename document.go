// Package wirecrawl holds the types shared by every stage of the pipeline.
// The stages themselves live in sub-packages (crawler, cleaner, dedup, store,
// export); only package pipeline knows all of them.
package wirecrawl

import "time"

// Document is one article page after cleaning: the single type that flows from
// the cleaner through dedup into the store.
type Document struct {
	// URL is the address the page was fetched from (after redirects).
	URL string `json:"url"`
	// CanonicalURL is the page's own rel=canonical / og:url, or URL when absent.
	CanonicalURL string `json:"canonical_url,omitempty"`
	// Site is the outlet's name (og:site_name, JSON-LD publisher) or its host.
	Site string `json:"site,omitempty"`
	// Title is the article headline.
	Title string `json:"title,omitempty"`
	// Byline is the author line as published ("By X with AP").
	Byline string `json:"byline,omitempty"`
	// Published is the publication time; zero when unknown.
	Published time.Time `json:"published,omitempty"`
	// Lang is the BCP 47 language tag of the text ("en", "de"), empty when unknown.
	Lang string `json:"lang,omitempty"`
	// Text is the article body: paragraphs separated by one blank line.
	Text string `json:"text"`
	// Paragraphs is Text split into its paragraphs.
	Paragraphs []string `json:"-"`
	// Description is the standfirst or meta description, when the page has one.
	Description string `json:"description,omitempty"`
	// FetchedAt is when the page was fetched; zero for local files.
	FetchedAt time.Time `json:"fetched_at,omitempty"`
	// RawHTML is the fetched body, kept only when the store asks for it (WARC export).
	RawHTML []byte `json:"-"`
	// Meta holds further metadata found on the page (keywords, section, image, ...).
	Meta map[string]string `json:"meta,omitempty"`
}
