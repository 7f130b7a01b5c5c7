// Package store persists wirecrawl's state: stories and their copies, the
// dedup key index, the crawl frontier, feed validators and schedules, the
// robots.txt cache, per-host politeness, the fetch log and (optionally) raw
// responses. It implements crawler.State, dedup.Index and export.Source.
//
// Open picks the backend from the DSN: a file path or sqlite:PATH opens
// SQLite (modernc.org/sqlite, pure Go, so CGO_ENABLED=0 builds work);
// postgres://... opens PostgreSQL (pgx). Versioned migrations are embedded
// and applied on open, under a lock, so concurrent openers are safe.
//
// Concurrency: SQLite runs in WAL mode with a busy timeout; all writes of a
// process go through one connection whose transactions start with BEGIN
// IMMEDIATE, so two processes on one file take turns and never corrupt it.
// PostgreSQL serves many processes: Lease hands out work with FOR UPDATE
// SKIP LOCKED and takes over expired leases. SavePage runs dedup's decision
// and the write of its result in one transaction under a store-wide dedup
// lock (SQLite's write lock; pg_advisory_xact_lock), so two copies of one
// story arriving at once still form one story. RunLock is a flock on a
// sidecar file (SQLite) or a session advisory lock (PostgreSQL); both are
// released when the process dies.
//
// Encoding: times are Unix nanoseconds (0 for unknown); uint64 fingerprints
// and keys are stored bit-cast to int64.
//
// The package does not decide anything about duplicates (dedup does), fetch,
// or format exports; storetest holds the conformance suite both backends pass.
package store
