package crawler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// Fetched is one fetched article page handed to the Handler.
type Fetched struct {
	// Job is the frontier job that was fetched.
	Job frontier.Job
	// URL is the normalised URL asked for (Job.URL).
	URL string
	// FinalURL is the URL after redirects, as the server gave it.
	FinalURL string
	// Status is the HTTP status (200).
	Status int
	// Header is the response header; Content-Type carries the charset, if
	// any. The body's charset is not converted: the cleaner decodes.
	Header http.Header
	// Body is the response body with Content-Encoding removed.
	Body []byte
	// FetchedAt is when the response arrived.
	FetchedAt time.Time
	// Item is what a feed or news sitemap said about this URL, nil if none.
	Item *frontier.FeedItem
}

// Handler processes one fetched article page (HTML, status 200). It returns nil
// when it stored the page; it marks the frontier job done itself (inside its
// own transaction), and the crawler's Finish afterwards is harmless. An error
// is recorded with class "process" and the job is retried or failed per the
// retry policy.
type Handler func(ctx context.Context, f Fetched) error

// Progress is told, after each finished job, how many jobs this run has
// finished and how many are still queued or leased (refreshed at most twice a
// second). It is called from the worker goroutines, concurrently, and should
// return quickly.
type Progress func(done, queued int)

// Summary counts what one Crawl or Ingest did.
type Summary struct {
	// FeedsPolled counts feed, sitemap and home-page fetches answered (200 or 304).
	FeedsPolled int
	// NotModified counts feeds and sitemaps that answered 304.
	NotModified int
	// PagesFetched counts article pages fetched with status 200.
	PagesFetched int
	// PagesStored counts pages the handler accepted.
	PagesStored int
	// Duplicates counts article URLs skipped because their canonical or final
	// URL had been handled already (URL variants, AMP pages).
	Duplicates int
	// Enqueued counts article URLs newly added to the frontier.
	Enqueued int
	// Retries counts jobs put back for another try.
	Retries int
	// Failed counts jobs failed for good (robots exclusions included).
	Failed int
	// Left counts jobs still pending when the pass ended (due later, or
	// leased by another process); for Ingest, only those its inputs led to.
	Left int
	// ErrorsByClass counts failed attempts by error class ("http_5xx",
	// "robots", "timeout", ...), retried ones included.
	ErrorsByClass map[string]int
	// ErrorExamples holds, per error class, the message of its latest
	// failure: the root cause ("lookup x: no such host", "x509: ...").
	ErrorExamples map[string]string
	// Deferred counts URLs whose request timed out, left for a later run
	// (Config.TimeoutRetryDelay) instead of retried in this pass.
	Deferred int
	// HostsGivenUp counts hosts whose requests timed out
	// Config.MaxHostTimeouts times in a row; LeftOnHosts counts the URLs
	// of theirs left for a later run.
	HostsGivenUp int
	LeftOnHosts  int
	// TimeUp says the pass ended at Config.MaxPassDuration, with work left.
	TimeUp bool
	// SeedsTried counts the seeds whose fetch this pass concluded (done,
	// retried or failed); SeedsFetched those of them that answered.
	SeedsTried   int
	SeedsFetched int
	// Duration is the wall time of the call.
	Duration time.Duration
}

// Crawler fetches seeds and article pages politely. Create it with New; its
// methods are safe for use by one Crawl or Ingest at a time per Crawler.
type Crawler struct {
	cfg   Config
	st    frontier.State
	log   *slog.Logger
	f     *fetcher
	owner string
	agent string
	hosts *hostSems    // processHosts, except in tests that play several processes
	holds atomic.Int64 // numbers the host holds taken

	progress atomic.Pointer[Progress]
	// forceRobots, during a forced Crawl, makes a robots.txt that failed
	// (cached in State) be asked for again at once, not after its wait.
	forceRobots atomic.Bool

	mu         sync.Mutex
	robots     map[string]*hostRobots
	hostDelays map[string]time.Duration
	spread     map[string]time.Time // per host: NotBefore of the next enqueued article
}

// New returns a Crawler using st for its durable state. A nil log discards.
func New(cfg Config, st frontier.State, log *slog.Logger) (*Crawler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("crawler config: %w", err)
	}
	if st == nil {
		return nil, errors.New("crawler: nil State")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	var rb [4]byte
	rand.Read(rb[:]) // crypto/rand.Read never returns an error (it crashes instead)
	return &Crawler{
		cfg:        cfg,
		st:         st,
		log:        log,
		f:          newFetcher(cfg),
		owner:      fmt.Sprintf("%s%d/%s", OwnerPrefix(), os.Getpid(), hex.EncodeToString(rb[:])),
		agent:      agentToken(cfg.UserAgent),
		hosts:      processHosts,
		robots:     make(map[string]*hostRobots),
		hostDelays: make(map[string]time.Duration),
		spread:     make(map[string]time.Time),
	}, nil
}

// SetProgress installs a progress hook (nil removes it). Safe at any time.
func (c *Crawler) SetProgress(p Progress) {
	if p == nil {
		c.progress.Store(nil)
		return
	}
	c.progress.Store(&p)
}

// Config returns the configuration in effect, defaults filled in.
func (c *Crawler) Config() Config { return c.cfg }

// Close releases idle connections.
func (c *Crawler) Close() error {
	c.f.transport.CloseIdleConnections()
	return nil
}
