// Package store persists wirecrawl's state: stories and their copies (with
// earlier canonical versions), the dedup key index, the crawl frontier, feed
// validators and schedules, the robots.txt cache, per-host politeness, the
// fetch log and, with raw_html, raw responses. Store implements
// frontier.State, dedup.Index and export.Source; storetest is the conformance
// suite both backends pass.
//
// Open picks the backend from the DSN: a file path or sqlite:PATH opens
// SQLite (modernc.org/sqlite, pure Go, so CGO_ENABLED=0 builds work);
// postgres://... opens PostgreSQL (pgx; ?search_path=SCHEMA selects a
// schema). Versioned migrations (migrations/<backend>/NNNN_*.sql) are
// embedded and applied on open in one transaction under a lock, so processes
// opening a store at once are safe.
//
// Concurrency. SQLite runs in WAL mode with a 30 s busy timeout; each
// process writes through one connection whose transactions begin IMMEDIATE,
// so writers (in any process) take turns and readers never block them.
// PostgreSQL serves fleets: Lease hands out work with FOR UPDATE SKIP LOCKED
// and takes over expired leases; multi-row writes lock frontier rows in URL
// order. SavePage runs dedup's decision and the write of its result in one
// transaction under a store-wide dedup lock (SQLite's write lock;
// pg_advisory_xact_lock), so two copies of one story arriving at once form
// one story, and a crash leaves a page either wholly stored or not at all.
// Stories and StoryOf read one snapshot. RunLock is a flock on a sidecar
// file PATH.lock-NAME (SQLite) or a session advisory lock (PostgreSQL); the
// kernel or the server releases it when the process dies.
//
// Every stored URL is in exactly one story: a URL that dedup later assigns
// elsewhere moves, a story left without copies is deleted, and one whose
// canonical URL left keeps its text and points at its closest remaining copy.
//
// Merges. A page whose Decision.Merge lists other stories (versions of one
// story that arrived before anything linked them) merges them into its story
// in the same transaction, as dedup.MemoryIndex.Add does: their copies,
// index keys and earlier versions move over, the surviving story's first
// publisher and first_seen cover both, the longest canonical (by dedup's word
// count) wins and the losing one is kept as an earlier version, and the
// merged story is deleted. A canonical copy replaces the merged canonical
// only when it is longer still. Merged story IDs are not kept: a URL or key
// of a merged story reads back under the survivor. "Longest" is
// dedup.MoreComplete, the rule dedup itself applies.
//
// The dedup index: dedup_keys (key, story) and dedup_stories, one row per
// story with its canonical's simhash, content hash, length and times, kept
// equal to the stories row by triggers (migration 0004). Nominate reads at
// most key_limit+1 stories per key (the newest) and their dedup_stories rows,
// never a text; Texts reads the few texts dedup still needs. A new story
// decided with a dedup window prunes, now and then, the index entries of
// stories first seen before the window (they stay stored and exported).
//
// Encoding: times are Unix nanoseconds (0 for unknown); uint64 fingerprints
// and keys are stored bit-cast to int64. SQLite statements are prepared once
// per connection and reused.
//
// The package decides nothing about duplicates (dedup does), fetches
// nothing, and formats no exports.
package store
