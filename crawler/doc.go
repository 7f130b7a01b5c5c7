// Package crawler finds article URLs in seeds (feeds, sitemaps, home pages)
// and fetches them politely, handing each fetched article page to a Handler.
//
// A pass (Crawl over the seeds, or Ingest over given URLs) polls the feeds
// and sitemaps that are due, enqueues the articles they list, and fetches the
// frontier under robots.txt, a per-host delay and concurrency that hold
// across processes, size and time limits, and a retry policy. Every attempt
// is recorded with an error class (frontier's Class constants). Cancelling the
// context stops a pass without losing work: the next one resumes.
//
// The crawler keeps its durable state (frontier, seen URLs, feed validators,
// robots.txt cache, host politeness) behind frontier.State, which the store
// implements; frontier.MemoryState is an in-memory State. HTTP goes through
// colly v2 (in fetch.go only), feeds through gofeed (in parse.go only).
//
// It does not clean, deduplicate or store articles, and it does not decode
// charsets: the raw bytes and the Content-Type header go to the Handler.
//
// README.md beside the code says how each part works and which file does it.
package crawler
