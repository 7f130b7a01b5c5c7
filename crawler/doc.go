// Package crawler finds article URLs in seeds (feeds, sitemaps, home pages) and
// fetches pages politely, through colly v2 collectors: robots.txt, per-host delay and concurrency, retries
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
// Discovery is followed MaxDiscoveryDepth levels deep from a seed (the depth
// is kept in the frontier), so a server cannot extend a chain of sitemap
// indexes or feed links for ever. Feed and sitemap parsing shares an 8 MiB
// budget of body bytes per process (gofeed needs about twelve bytes of heap
// per byte of feed). A pass ends when no job is leased and none is due
// within MaxRetryWait: a job due tomorrow does not keep it waiting.
//
// Ingest handles its input URLs at once, then runs a pass scoped to what
// they led to: the feeds and sitemaps found through them, the articles
// these list (an article an earlier run left queued is due at once, its
// attempts reset), AMP canonicals, and the retries of these. It leases with
// State.LeaseURLs over the URLs of its scope not concluded yet, so the rest
// of a shared frontier (an earlier crawl's queue) is left to the next
// crawl; it ends when every URL of its scope is done, failed, a duplicate or
// left for a later run (or, when some are leased elsewhere, after LeaseTTL
// without a lease).
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
// robots.txt is obeyed by default (Config.IgnoreRobots turns it off): checked
// by the crawler before each request and redirect hop (colly's own robots.txt
// support is off, see Fetching with colly), cached in State for RobotsTTL; a
// 4xx robots.txt allows all; one over 500 KiB is read up to its last whole
// line within that size (Google's rule); a 5xx or unreachable one disallows the host for
// ten minutes (RFC 9309), during which its URLs are retried later (class
// robots_unavailable), not failed. Crawl-delay, when larger than
// Config.Delay, becomes the host's delay. Before each request (and each
// redirect hop) with a delay above zero a slot is claimed with
// State.ReserveHost, which spaces request
// starts on a host by the delay across goroutines and processes; after the
// answer the host's next slot is pushed to at least now+delay, so the delay
// holds as the server measures it even when a request left late. Within a
// process at most PerHostParallelism requests run per host: jobs are leased
// in batches (refilled below half of four per worker), wait in per-host
// queues and go to a worker only when their host has a free slot; a job
// frees its slot when its request is answered, so the host's next page is
// fetched while this one is cleaned and stored. Article jobs of a host get
// NotBefore times spaced by its delay when enqueued (by a microsecond from
// the pass's start when the delay is 0), so leases interleave hosts instead
// of bringing one host's whole sitemap first; feeds and sitemaps found in a
// pass are due from its start, ahead of the articles. The semaphores are
// shared by all Crawlers of a process, so within a process the delay holds
// as the server measures it. Across processes (a fleet on one PostgreSQL
// store), with PerHostParallelism 1 and a delay above zero, each request
// also holds its host in State (State.HoldHost): no other process sends the
// host a request until the answer has come and the delay has passed after
// it (State.ReleaseHost). A hold lasts twice the delay, at least 2 s, and is
// renewed while its request runs, so a crashed process blocks a host for
// that long at most. With PerHostParallelism above 1 the limit is per
// process, and across processes only request starts are spaced, by the
// delay plus a margin (a twentieth, 5 to 50 ms).
//
// # Failures
//
// Every attempt is logged with State.LogFetch and a class (timeout, reset,
// connect, dns, tls, http_4xx, http_429, http_5xx, too_large, not_html,
// robots, robots_unavailable, redirect_loop, too_many_redirects,
// private_address, bad_feed, decode, process, no_article, ...); a failure
// decided after the exchange (a feed that does not parse, a page with no
// article) gets a record of its own. 429 and 503 are retried after their Retry-After (a
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
// on again (Summary.Duplicates). A canonical naming the site's home page (a
// common CMS misconfiguration) is ignored. A redirect to a URL that is done
// makes the job a duplicate; to one that failed for good, fails it with that
// class (State.FailedClass). A 304 is "not modified" only when asked for
// with validators; otherwise it is an http_other failure. An AMP page sends
// the crawler to its canonical article. Cross-site canonicals (syndicated
// copies) are left to the dedup stage.
//
// Cancelling ctx stops a pass: jobs in hand are released (State.Postpone,
// due now, no attempt counted) and jobs of a killed process are taken over
// when their lease expires (LeaseTTL; the pass renews the leases it holds
// every third of it, so it can be short), or at once by a run that knows
// their owner dead (the command's run lock, store.ReleaseLeases), so nothing
// is lost; the Handler marks a job done in its own transaction, so nothing
// is stored twice.
//
// A pass ends in bounded time: a request that timed out is retried after
// TimeoutRetryDelay, in a later run; MaxHostTimeouts timeouts in a row leave
// the host's other jobs for later too (State.Postpone); MaxPassDuration cuts
// the pass, giving its jobs back. An error for which State.Unusable holds
// (a corrupt or unreachable store) ends the pass at once, failing no job.
//
// # Fetching with colly
//
// Every HTTP request goes through a github.com/gocolly/colly/v2 (v2.3.0)
// collector. newFetcher builds one base collector, with Collector.Init rather
// than NewCollector so that COLLY_* environment variables cannot change it.
// Each fetch clones it (the clones share its http.Client), sets the clone's
// Context to the fetch's context (the caller's cancellation plus
// Config.Timeout; colly puts it on the http.Request, so it bounds connects,
// redirect waits and body reads) carrying the fetch's state, registers
// OnRequest and OnResponseHeaders, and calls Request("GET", url, ...). colly
// builds the request (User-Agent from the collector), follows redirects
// through its http.Client with the crawler's redirect handler, runs the
// callbacks and returns the errors. No colly type leaves fetch.go. Under the
// collector, fetchTransport wraps the http.Transport whose dialer refuses
// private addresses (Proxy nil: a proxy would hide the address check).
//
// colly features deliberately off:
//   - robots.txt (IgnoreRobotsTxt). colly fetches robots.txt with no
//     politeness and no size limit, keeps it in memory per collector
//     forever, ignores Crawl-delay and fails the request when robots.txt is
//     unreachable. The crawler checks robots.txt itself before each fetch and
//     each redirect hop, with the parsed file cached in State, which also
//     gives the host its Crawl-delay (see Politeness).
//   - LimitRule. Per-host delay and parallelism must hold across collectors
//     and processes, and a rule shared by collectors can deadlock;
//     State.ReserveHost and the per-host semaphores do it, and no rule is set.
//   - The visited-URL store (AllowURLRevisit). The frontier does the
//     seen-check, durably and on normalised URLs; colly's in-memory set grows
//     with the crawl and would refuse a retry as "already visited".
//   - MaxBodySize (0). colly's limit truncates silently and is applied before
//     its gunzip, so it stops neither oversized bodies nor gzip bombs.
//     fetchTransport enforces MaxBodyBytes on the wire and after decoding,
//     as errors (too_large).
//   - The cookie jar. The http.Client given to SetClient has none: a crawler
//     keeps no sessions, and cookies would make answers depend on the order
//     of the crawl. Nor has it a timeout: the fetch's context bounds all.
//   - Charset detection (DetectCharset) and conversion, cache, proxies,
//     OnHTML/OnXML: unused.
//
// colly v2.3.0 bugs and their workarounds, each proved in colly_test.go:
//   - OnError fires for 2xx statuses >= 203 (204, 206, ...), with an error
//     that keeps only the status text. ParseHTTPErrorResponse is on, and fetch
//     takes the status in OnResponseHeaders: 304 is ErrNotModified, other
//     non-2xx an *HTTPError with status, Retry-After and URL. It aborts the
//     request there, so colly never reads an error body; fetchTransport
//     drains up to 64 KiB on close, so the connection is reused (colly's
//     abort alone would close it).
//   - Forced gunzip: colly gunzips any body whose URL ends in .xml.gz, or
//     whose Content-Type contains "gzip", so a 404 page or an HTML page at
//     sitemap.xml.gz turns into a gzip error. fetchTransport marks every
//     response Uncompressed, which turns that off; it decodes
//     Content-Encoding (gzip, br, deflate) itself, and a gzip file served as
//     such (a .xml.gz sitemap) is sniffed and gunzipped by the poller, under
//     MaxBodyBytes.
//   - Charset: colly converts a body to UTF-8 from the Content-Type charset
//     alone (never from <meta>; a lying label, such as a server default of
//     ISO-8859-1 on a UTF-8 page, gives mojibake) while the header still
//     names the old charset. fetchTransport reads a 2xx body itself into the
//     fetch's state and hands colly an empty body, so colly has nothing to
//     convert and the bytes are held once; the handler gets them raw with
//     the original header, and the cleaner decodes them (BOM, header,
//     <meta>).
//   - Redirects: colly's http.Client follows up to 10 hops with no loop
//     detection but its visited set, and copies If-None-Match and
//     If-Modified-Since to every hop. The redirect handler (set on the base
//     collector, shared by its clones through the http.Client; it finds its
//     fetch through the request's context) counts hops against MaxRedirects,
//     finds loops on normalised URLs, allows http and https only, drops the
//     validators and the Referer http.Client adds, and calls the crawler's
//     hook before each hop (host slot, robots.txt, seen-check, Retry-After).
//     An unparseable Location is ErrBadURL (fetchTransport checks it).
//   - No retries and no conditional GET: the retry policy (see Failures) and
//     the feed validators (FeedState) are the crawler's, around fetch. The
//     opposite, net/http silently resending a GET whose reused connection
//     was reset (a second request that skips the host's delay and the retry
//     policy), is prevented: fetchTransport sends each request with an empty
//     body that cannot be rewound. It does so on its own copy of the request,
//     not on colly's, where http.Client would refuse to follow a 307 or 308.
//
// What colly costs: a clone and a WHATWG URL parse (about 8 µs) per request,
// about 70 more allocations (4 KiB) per fetch (BenchmarkFetch); in CPU
// profiles of the pipeline's end-to-end benchmark, under 2% of the CPU.
//
// gofeed v1.4 parses RSS, Atom and JSON Feed, but only on bodies already
// fetched, status-checked, size-capped and sniffed here (its ParseURL has no
// conditional GET, reports HTML or 403 answers as "failed to detect feed
// type", and reads unbounded bodies); its panics are recovered as bad_feed.
// Sitemaps are parsed with encoding/xml, robots.txt with temoto/robotstxt,
// page heads with golang.org/x/net/html.
package crawler
