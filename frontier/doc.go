// Package frontier holds the contract between the crawler and the store: the
// frontier's jobs and kinds, feed validators, fetch-log records, error classes
// and the State interface the store implements for SQLite and PostgreSQL.
// MemoryState implements State in memory for tests and one-off runs.
//
// It imports nothing of the project, so the store can implement the crawler's
// state without importing the crawler (and colly, gofeed and robotstxt with it).
package frontier
