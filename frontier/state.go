package frontier

import (
	"context"
	"time"
)

// Kind says what a frontier URL is expected to be.
type Kind string

// The kinds of URL the crawler handles.
const (
	KindArticle Kind = "article"
	KindFeed    Kind = "feed"
	KindSitemap Kind = "sitemap"
	KindHome    Kind = "home" // a home page: discover its feeds
)

// FeedItem is what a feed or news sitemap said about an article URL; it fills
// gaps in the page's own metadata.
type FeedItem struct {
	FeedURL   string    `json:"feed_url,omitempty"`
	Title     string    `json:"title,omitempty"`
	Author    string    `json:"author,omitempty"`
	Published time.Time `json:"published,omitempty"`
	Language  string    `json:"language,omitempty"`
	// Content is the item's full HTML content (content:encoded), if any.
	Content string `json:"content,omitempty"`
}

// Job is one URL in the frontier.
type Job struct {
	// URL is the normalised URL; it is the frontier's key.
	URL string
	// Host is URL's lower-case host (with port), the unit of politeness.
	Host string
	Kind Kind
	// Attempts counts the fetches tried so far.
	Attempts int
	// NotBefore is the earliest time the job may be fetched.
	NotBefore time.Time
	// Item is the feed's metadata for an article, nil if none.
	Item *FeedItem
	// Depth is how many feeds, sitemaps or home pages led to this one: 0
	// for a seed or an ingested URL. See Config.MaxDiscoveryDepth.
	Depth int
}

// FeedState is what the crawler remembers of a feed or sitemap between runs.
type FeedState struct {
	URL          string
	ETag         string
	LastModified string
	// LastPolled is when the feed was last fetched (200 or 304).
	LastPolled time.Time
	// NextPoll is when the feed is next due.
	NextPoll time.Time
	// EntriesPerWeek is the measured publishing rate, for adaptive polling.
	EntriesPerWeek float64
	// Failures counts consecutive failed polls.
	Failures int
}

// FetchRecord is one line of the fetch log.
type FetchRecord struct {
	URL      string
	Kind     Kind
	Status   int    // HTTP status, 0 when no response
	ErrClass string // "" on success; else e.g. "timeout", "http_5xx", "too_large", "robots"
	Error    string // the error text, if any
	Duration time.Duration
	At       time.Time
	// Bytes counts the body bytes received as sent (compressed), every
	// redirect hop included; for metrics (the store's fetch log keeps no
	// byte count).
	Bytes int64
}

// State is the crawler's durable state. The store implements it for SQLite and
// PostgreSQL; MemoryState implements it for tests and one-off runs. All methods
// are safe for concurrent use, and across processes sharing one store.
type State interface {
	// Enqueue adds jobs whose URL is not in the frontier yet (in any state) and
	// returns how many were added. Known URLs are left as they are.
	Enqueue(ctx context.Context, jobs []Job) (added int, err error)
	// Requeue puts known URLs (feeds, sitemaps, home pages that are due again)
	// back into the queued state with NotBefore, unless they are leased.
	Requeue(ctx context.Context, urls []string, notBefore time.Time) error
	// Expedite makes queued URLs due at notBefore at the latest, keeping the
	// attempts they have used and their last error class (an ingest does not
	// grant a failing article a fresh set of retries); unknown, leased, done
	// and failed URLs are left as they are. Ingest uses it for the articles
	// its inputs list.
	Expedite(ctx context.Context, urls []string, notBefore time.Time) error
	// Lease hands out up to n jobs that are queued with NotBefore <= now, or
	// leased with an expired lease, marking them leased by owner until now+ttl.
	Lease(ctx context.Context, owner string, n int, now time.Time, ttl time.Duration) ([]Job, error)
	// LeaseURLs is Lease restricted to urls: it hands out up to n of them
	// that are queued with NotBefore <= now, or leased with an expired lease,
	// marking them leased by owner until now+ttl. URLs unknown, done, failed,
	// not due or leased by someone else are left as they are. Ingest uses it
	// to fetch only what its inputs lead to.
	LeaseURLs(ctx context.Context, owner string, urls []string, n int, now time.Time, ttl time.Duration) ([]Job, error)
	// RenewLeases extends to until the leases owner still holds on urls (a
	// heartbeat while their work runs, so that a short LeaseTTL is enough)
	// and returns how many it extended. A URL whose lease expired and was
	// taken by another owner, or that is no longer leased, is left alone.
	RenewLeases(ctx context.Context, owner string, urls []string, until time.Time) (int, error)
	// Postpone returns jobs leased by owner to the queue, due at notBefore,
	// without counting an attempt: jobs this pass leased but will not try
	// (their host is given up for the pass, the pass ran out of time, or it
	// was interrupted). Jobs not leased by owner are left alone.
	Postpone(ctx context.Context, owner string, urls []string, notBefore time.Time) error
	// Retry returns a leased job to the queue with one more attempt, due at notBefore.
	Retry(ctx context.Context, url string, notBefore time.Time, errClass string) error
	// Finish marks a job done (errClass "") or permanently failed.
	Finish(ctx context.Context, url string, errClass string) error
	// Pending counts jobs leased, and jobs queued with NotBefore <= dueBy (a
	// zero dueBy counts every queued job): the work left for a pass that
	// waits until dueBy at most.
	Pending(ctx context.Context, dueBy time.Time) (int, error)
	// Seen reports whether url is done (fetched and stored, or failed for good).
	Seen(ctx context.Context, url string) (bool, error)
	// FailedClass returns the error class of url if it failed for good, ""
	// if it did not (done, pending or unknown).
	FailedClass(ctx context.Context, url string) (string, error)

	// Feed returns the stored state of a feed or sitemap; ok is false if none.
	Feed(ctx context.Context, url string) (st FeedState, ok bool, err error)
	// SaveFeed stores the state of a feed or sitemap.
	SaveFeed(ctx context.Context, st FeedState) error

	// Robots returns a cached robots.txt for host; ok is false if none.
	Robots(ctx context.Context, host string) (body []byte, status int, fetched time.Time, ok bool, err error)
	// SaveRobots caches a host's robots.txt body and status.
	SaveRobots(ctx context.Context, host string, body []byte, status int, fetched time.Time) error

	// ReserveHost claims the next fetch slot of host for the caller: it returns
	// the time the caller may fetch (>= now) and moves the host's next-allowed
	// time to that slot plus delay, atomically across processes.
	ReserveHost(ctx context.Context, host string, now time.Time, delay time.Duration) (time.Time, error)
	// HoldHost gives host to holder (one request) until until, atomically
	// across processes, unless another holder's hold runs past now: then ok
	// is false and busyUntil says when that hold ends. A holder extends its
	// own hold by calling again.
	HoldHost(ctx context.Context, host, holder string, now, until time.Time) (ok bool, busyUntil time.Time, err error)
	// ReleaseHost ends holder's hold on host, leaving the host closed to
	// every holder until until (the answer's time plus the host's delay),
	// and moves its next ReserveHost slot to until if that is later. It does
	// nothing if holder has no hold on host (it expired, and another holder
	// took the host).
	ReleaseHost(ctx context.Context, host, holder string, until time.Time) error

	// LogFetch appends to the fetch log.
	LogFetch(ctx context.Context, rec FetchRecord) error

	// Unusable reports whether err, returned by a method of this State (or
	// by a Handler writing to the same store), says the state itself cannot
	// be used (a corrupt database, a server that is gone): the crawler then
	// ends the pass at once and marks no job failed for it.
	Unusable(err error) bool
}
