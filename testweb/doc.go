// Package testweb is a simulated news web served on loopback: the offline
// test bed that crawler, cleaner, dedup and store tests (and `wirecrawl demo`)
// run against. It does no I/O beyond its own listeners and never contacts
// other addresses.
//
// # Use
//
//	w, err := testweb.Start(ctx, testweb.Options{Seed: 1})  // or Generate, no network
//	defer w.Close()
//	w.Seeds()        // home pages, feeds, sitemaps: where a crawler starts
//	w.Truth()        // the ground truth of every article URL (never served)
//	w.Requests()     // the server-side request log
//	w.CheckPoliteness(delay) // disallowed fetches, per-host delay, Retry-After
//	w.ScoreClusters(urlToCluster) // pairwise and B-cubed P/R/F1 against the stories
//	w.SetClock(t)    // publish (or hide) pages by time, for incremental crawls
//
// Generate builds the model from the seed in well under a second for 20k
// pages and keeps a few MiB: stories are lists of sentence ids, and HTML,
// feeds and sitemaps are rendered on each request. Start listens on
// 127.0.0.2, 127.0.0.3, ... (one address per outlet, random ports; 127.0.0.1
// with its own port where such an address cannot be bound) and serves until
// ctx is done or Close. Handler(i) serves outlet i for httptest: set
// Options.BaseURLs to the servers' URLs first. Before Start, URLs use the
// placeholder bases http://outletN.test. The same seed and options give the
// same truth and the same bytes (URLs aside).
//
// # The web
//
// Outlet 0 is a wire service ("Allied Press", AP); with 8 or more outlets,
// every eighth one is a wire too. Every fifth outlet (4, 9, ...; unless it is
// a wire) is an international one that also publishes German and Indonesian staff stories.
// Each outlet has one of four templates (classic <article>; nested <div>s
// with inline "READ MORE" links and ads; a legacy table layout whose
// paragraphs are separated by <br><br>; a modern <main> with text blocks) and
// its own URL scheme, and carries boilerplate: cookie banner, navigation,
// share widgets ("Share this article" + "Comments" glued), the video embed
// prompt ("Copy/paste the article video embed link below:" "Copy to
// clipboard"), photo credits ("Copyright X/AFP or licensors"), "You might
// also like" lists, newsletter box, comments prompt, in-body ads, footer,
// JSON-LD NewsArticle and OpenGraph metadata, rel=canonical; outlets 1, 5, ...
// also serve AMP versions (/amp/...).
//
// Feeds: RSS 2.0 (one with content:encoded), Atom and JSON Feed 1.1, 50
// items each, linked from every page by <link rel="alternate">; some feeds
// link through /go/N redirects (301) or add utm_* parameters. Sitemaps: an
// index with plain children, a single gzipped sitemap, or an index with
// gzipped children (200 URLs per child), plus Google News sitemaps (the last
// 48 hours) on even outlets; they list every article that robots.txt allows.
// robots.txt disallows /private/ and /search, names the sitemaps, has a
// Crawl-delay for "*" on even outlets when Options.CrawlDelay is set, and
// groups for other agents. Every answer has an ETag (a different one when
// gzipped) and Last-Modified, and conditional requests get 304; gzip is sent
// when accepted. Home pages list 30 articles and link /archive/N (50 a page)
// and /section/NAME/ listings.
//
// # Stories and truth
//
// Story text is recombined from real sentences of the extraction-dev corpus
// (data/README.md gives the source and the MIT licence): a lead, sentences
// from the lead's source article and from others, dealt from shuffled decks
// so that different stories share little text; each story changes the
// numbers and renames the proper nouns of its English sentences (the same
// way on all its pages), since the bank has only about 2,400 English
// sentences. Kinds (Page.Kind):
//   - original: a wire story as the wire published it, with an inline
//     dateline ("LONDON (AP) — ");
//   - copy: the same story on another outlet, later, with the edits in
//     Page.Edits applied to Page.Of: headline, byline ("By X with AP",
//     "Allied Press", "From staff and wire reports", ...), trim_end,
//     wording, dateline, local_paragraph, editor_note, and charset_fold when
//     the outlet's legacy charset cannot encode some characters;
//   - update: the wire's later version at a new URL, with one or two
//     paragraphs added after the lead and a new headline; copies published
//     after it are made from it;
//   - followup: a different story (its own StoryID, Related naming the
//     first) that opens differently, quotes two sentences of the story it
//     follows and repeats its background (last) paragraph; it is syndicated
//     like any wire story;
//   - staff: a story on one outlet only (a few of them under /private/,
//     Disallowed, linked from home pages and feeds as a trap for crawlers).
//
// Page.Body is exactly what a perfect cleaner outputs: the paragraphs joined
// by a blank line (the inline dateline included; no headline, byline or
// boilerplate). TestHardNegativesStayApart measures 4-word-shingle
// containment (shared shingles over the smaller page's): at the default size
// pages of one story share 0.39 or more (median 0.99), unrelated stories at
// most 0.36, a follow-up and the story it follows up to 0.65;
// BenchmarkSimilarity20k finds unrelated stories at most 0.49 apart at 20k
// pages (253 of the pairs above 0.3).
//
// Charsets: outlets whose index is 2 modulo 5 (2, 7, ...) serve
// windows-1252 declared only in the Content-Type header; those at 3 modulo 5
// (3, 13, ...) ISO-8859-1 declared only in a <meta http-equiv> (the header
// says just text/html); wires and the others UTF-8, the international ones
// (4, 9, ...) with a byte order mark and <meta charset> but no charset in the
// header.
//
// The clock (SetClock) hides pages published after it: they answer 404 and
// are in no listing and not in Truth. Moving it forward publishes them, so
// a second crawl sees new feed items while older pages keep their ETags.
//
// # Faults mode
//
// With Options.Faults, about a quarter of the article URLs fail
// deterministically (by seed and path; Page.Fault, Page.FaultCount): 429
// with Retry-After in seconds, 503 with Retry-After as an HTTP date, 500
// then 502, a connection reset, or a gzip body cut in half, each for their
// first one or two requests, after which they answer normally; or slow
// answers (headers after SlowDelay, then the body trickled over another
// SlowDelay) every time. Counts are per URL path across all clients;
// ResetRequests re-arms them. (A Go client retries a GET that was reset on a
// reused keep-alive connection by itself, so a reset may look like success
// after two requests in the log.) The first feed of outlet 1 answers 503
// once. Trap URLs on outlet 1 (Traps, linked from its home page and an
// extra sitemap) never yield an article: a 20 MiB page, an endless body, a
// trickle of 64 bytes every 500 ms, a gzip bomb (256 MiB from 256 KiB), a
// redirect loop, a 20-hop redirect chain, a 3-hop chain to a real article, a
// PDF, random bytes labelled text/html, 410, 404, a truncated RSS feed and a
// feed URL answering HTML (both in Seeds).
//
// # Hostile web
//
// StartHostile serves a second, smaller web built to break crawlers, on
// 127.0.0.1 (a random port, or HostileOptions.Addr), with two more hosts on
// other ports and private listeners on 127.0.0.2 and [::1] that count the
// requests reaching them (PrivateHits: a crawler refusing private addresses
// makes none). Its seeds are an RSS feed and a sitemap listing every article
// case, a huge feed (50,000 items pointing at the good pages with tracking
// parameters and fragments; HugeFeeds of them), and the hostile feeds and
// sitemaps. Cases is the truth table: for each URL, stored (with the text a
// perfect cleaner gives), polled, or failed with the crawler's error class,
// whether that class is transient, and whether a page may be left for a
// later run. The main host's robots.txt starts with a byte order mark, has
// CRLF lines and disallows /private/, where a page waits that a polite
// crawler never asks for. The cases:
//   - good pages, each its own story: plain UTF-8, gzip and brotli encoded;
//     charset traps (a windows-1252 header on a UTF-8 page with <meta
//     charset=utf-8>, a utf-8 header or <meta> on a windows-1252 page, a
//     utf-16 header on a UTF-8 page, windows-1252 with no declaration,
//     UTF-16LE with a BOM, UTF-16BE declared only in the header,
//     charset=x-bogus, <meta charset> after 2 KB of comments, <meta charset>
//     after a commented-out one, XHTML declaring ISO-8859-1 or windows-1250
//     only in its XML prolog); 429 with Retry-After then the page, 503 twice then
//     the page, 429 with Retry-After: 86400 (left for a later run, not waited
//     for); two articles whose rel=canonical both name the home page; three
//     redirects to a page; a redirect adding ?utm_source to the same page; a
//     page on a host whose robots.txt answers 503 once (it may be left for a
//     later run, never failed for good) and one on a host whose robots.txt
//     is a gzip bomb (whose first lines disallow another page there, which a
//     polite crawler never asks for);
//   - failures: gzip and brotli bombs (4 GiB, a few KiB on the wire per
//     16 MiB), an endless body, a 1 GiB Content-Length, a byte every 200 ms,
//     headers then nothing, nothing at all, a reset before the headers and
//     one in the body, a body shorter than its Content-Length, 2 MiB of
//     response headers, PNG bytes as text/html, a PDF, Content-Encoding
//     x-snappy, endless 103 Early Hints, a redirect loop, 30 redirects,
//     redirects to 127.0.0.2 (also as ::ffff:127.0.0.2), to [::1], to
//     0.0.0.0, to file://, to the 410 page and to https:// on the HTTP port,
//     a 301 without Location, a 304 to an unconditional request, 404, 410,
//     429 for ever, a section page and an empty body (no article), and a
//     redirect to a closed port (left for a later run);
//   - seeds: a home page whose feed links point at the private listeners,
//     RSS cut in the middle, a feed URL answering HTML, RSS, a JSON Feed and
//     a sitemap nesting 2 million elements (14 MB), RSS linking to
//     javascript:, mailto:, data:, ftp: and file: URLs and worse, .xml.gz
//     sitemaps inflating to 1 GiB (and, gzipped twice, to 4 GiB from a few
//     KiB), and chains the server could extend for ever: sitemap indexes
//     nested 100 deep, feed URLs answering HTML whose <link rel=alternate>
//     names the next one (MaxRequests bounds what a crawler may ask).
//
// Hanging answers last HostileOptions.Stall (default 20s) and end when the
// client leaves or Close is called. `wirecrawl demo --serve-only ADDR
// --hostile` serves it.
//
// # Not simulated (yet)
//
// JavaScript-rendered pages, paywalls and login walls, cookies, HTTP/2 and
// TLS, IPv6, DNS names (hosts are IP addresses) and so DNS rebinding,
// redirects to outside addresses, robots.txt faults other than a 503 (huge
// or hanging files),
// pagination of one article over several pages, live blogs that change in
// place, corrections to a page at the same URL (a URL's content never
// changes), near-duplicate stories from different wires, translated copies,
// non-English syndication, headlines written by people (they are cut from
// the lead sentence), images, and text that reads fully coherent (sentences
// of one story come from several source articles).
package testweb
