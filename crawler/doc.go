// Package crawler finds article URLs in seeds (feeds, sitemaps, home pages) and
// fetches pages politely: robots.txt, per-host delay and concurrency, retries
// with backoff, conditional GET, size and time limits. It hands fetched bodies
// to its caller and keeps its durable state (frontier, seen URLs, validators,
// host state) behind the State interface that the store implements.
// It does not clean, deduplicate or store articles.
package crawler
