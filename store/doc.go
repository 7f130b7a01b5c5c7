// Package store persists stories, copies, the crawl frontier and the crawler's
// state in SQLite (embedded, the default) or PostgreSQL (for fleets of crawler
// processes), chosen by DSN. Both backends pass one conformance suite.
package store
