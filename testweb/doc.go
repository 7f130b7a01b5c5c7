// Package testweb serves a simulated news web on loopback: the offline test
// bed every crawler, cleaner, dedup and store test runs against.
//
// Generate builds the site model from a seed (no I/O, no HTML held: pages are
// rendered on request); Start also serves every outlet on its own loopback
// address (127.0.0.N, or its own port on 127.0.0.1). Truth gives the ground
// truth of every article URL (story id, kind, clean title, byline and body,
// the edits a syndicated copy carries); it is never served. Seeds gives the
// home pages, feeds and sitemaps a crawler starts from; Requests the
// server-side request log, for politeness checks.
//
// What it simulates:
//   - outlets with their own templates and boilerplate (cookie banner, nav,
//     share widgets, video embed prompts, photo credits, "You might also like",
//     newsletter box, comments prompt, ads inside the body, footer), JSON-LD
//     and OpenGraph metadata, rel=canonical and AMP versions;
//   - RSS 2.0, Atom and JSON Feed (with autodiscovery links on every page),
//     sitemap indexes, plain and gzipped sitemaps, Google News sitemaps;
//     robots.txt with Disallow, Crawl-delay and Sitemap lines; ETag and
//     Last-Modified with 304 answers; gzip when the client accepts it;
//   - wire syndication: a wire service's stories republished by other outlets
//     with the edits listed in Page.Edits, and later updates at new URLs;
//   - hard negatives: different stories in the same template, follow-ups
//     that quote the story they follow and repeat its background paragraph,
//     staff stories on one outlet only;
//   - pages in German and Indonesian, and outlets serving windows-1252 (declared
//     in the header only) and ISO-8859-1 (declared in a <meta> only);
//   - in faults mode: 429 and 503 with Retry-After, 5xx, resets, truncated
//     gzip and slow bodies on some article URLs, each for its first requests
//     only (Page.Fault, Page.FaultCount), and trap URLs (Traps).
//
// Story text is recombined from real sentences of the extraction-dev corpus
// (data/README.md gives the source and licence).
package testweb
