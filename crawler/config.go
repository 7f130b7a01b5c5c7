package crawler

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Defaults applied to zero fields of Config.
const (
	DefaultUserAgent          = "wirecrawl/0.1 (+https://github.com/wirecrawl/wirecrawl)"
	DefaultWorkers            = 8
	DefaultDelay              = time.Second
	DefaultPerHostParallelism = 1
	DefaultMaxBodyBytes       = 15 << 20
	DefaultConnectTimeout     = 10 * time.Second
	DefaultTimeout            = 30 * time.Second
	DefaultMaxRetries         = 3
	DefaultMaxRedirects       = 10
	DefaultLeaseTTL           = 30 * time.Second
	DefaultTimeoutRetryDelay  = 5 * time.Minute
	DefaultMaxHostTimeouts    = 5
	DefaultMinPollInterval    = 5 * time.Minute
	DefaultMaxPollInterval    = 24 * time.Hour
	DefaultRetryBackoff       = 2 * time.Second
	DefaultMaxRetryWait       = 5 * time.Minute
	DefaultRobotsTTL          = 24 * time.Hour
	DefaultMaxDiscoveryDepth  = 5
)

// Config configures the crawler. Its zero value works: every zero field means
// the documented default. Durations are Go durations in YAML ("1s", "250ms").
type Config struct {
	// UserAgent is sent with every request; it should name a contact URL.
	// Default DefaultUserAgent. It is also the agent matched in robots.txt.
	UserAgent string `yaml:"user_agent"`
	// Workers is the number of fetches in flight across all hosts. Default 8.
	Workers int `yaml:"workers"`
	// Delay is the minimum time between two request starts on one host, held
	// across the whole crawl and across processes sharing a store. Default 1s.
	// A robots.txt Crawl-delay larger than Delay wins. Set NoDelay for zero.
	Delay time.Duration `yaml:"delay"`
	// NoDelay makes the per-host delay zero (benchmarks, private test webs);
	// robots.txt Crawl-delay still applies. Default false.
	NoDelay bool `yaml:"no_delay"`
	// PerHostParallelism is the number of requests in flight per host in this
	// process. Default 1.
	PerHostParallelism int `yaml:"per_host_parallelism"`
	// IgnoreRobots turns robots.txt off. Default false: robots.txt is obeyed,
	// Crawl-delay included.
	IgnoreRobots bool `yaml:"ignore_robots"`
	// MaxBodyBytes caps a response body after decompression. Default 15 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ConnectTimeout bounds the TCP connect and TLS handshake. Default 10s.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// Timeout bounds a whole request, body and redirects included. Default 30s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is the number of retries after the first try for transient
	// failures (5xx, 429, resets, timeouts). Default 3; negative means none.
	MaxRetries int `yaml:"max_retries"`
	// RetryBackoff is the base of the exponential backoff (doubled per attempt,
	// with jitter). Default 2s.
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	// MaxRetryWait caps one backoff or Retry-After wait inside a pass; a longer
	// Retry-After leaves the job for a later run. Default 5m.
	MaxRetryWait time.Duration `yaml:"max_retry_wait"`
	// MaxRedirects is the longest redirect chain followed. Default 10.
	MaxRedirects int `yaml:"max_redirects"`
	// AllowPrivateNetworks permits loopback, private and link-local addresses
	// (tests and the demo). Default false: such connections are refused at
	// dial time, after DNS and on every redirect.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// AllowedNetworks lists networks (CIDR, e.g. "10.20.0.0/16" for an
	// intranet news site) that stay reachable while AllowPrivateNetworks is
	// off; every other special address is still refused. Default none.
	AllowedNetworks []string `yaml:"allowed_networks"`
	// LeaseTTL is how long a leased frontier job stays with this process
	// unless renewed: the crawler renews the leases of the jobs it holds
	// every third of it while they wait and run, so a job of a crashed
	// process (on a PostgreSQL fleet) is taken over LeaseTTL after the crash.
	// (On SQLite, and for this machine's runs on PostgreSQL, the next run
	// takes a dead run's jobs over at once: it holds the run lock.)
	// Default 30s.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// TimeoutRetryDelay is how long a URL whose request timed out waits
	// before its retry. The retry is left for a later run, never taken in
	// the same pass: a hanging URL must not hold its host, and the pass,
	// for several timeouts (Heritrix defers a failed fetch 15 min). Default 5m.
	TimeoutRetryDelay time.Duration `yaml:"timeout_retry_delay"`
	// MaxHostTimeouts is how many requests to one host may time out in a
	// row within a pass before the host's remaining URLs are left for a
	// later run (logged, and counted in the summary). Default 5 (a host
	// with a few hanging URLs among good ones keeps its good ones); -1 for
	// no limit.
	MaxHostTimeouts int `yaml:"max_host_timeouts"`
	// MaxPassDuration, when positive, ends a pass after this long (say a
	// little under the cron interval), leaving what is left queued for the
	// next run; requests in flight are abandoned and their URLs given back.
	// Default 0: no limit.
	MaxPassDuration time.Duration `yaml:"max_pass_duration"`
	// MinPollInterval is the shortest time between two polls of one feed or
	// sitemap. Default 5m.
	MinPollInterval time.Duration `yaml:"min_poll_interval"`
	// MaxPollInterval is the longest time between two polls. Default 24h.
	MaxPollInterval time.Duration `yaml:"max_poll_interval"`
	// RobotsTTL is how long a fetched robots.txt is trusted. Default 24h.
	RobotsTTL time.Duration `yaml:"robots_ttl"`
	// MaxDiscoveryDepth is how many feeds, sitemap indexes or home pages
	// deep the crawler follows from a seed (a home page's feed is 1, a
	// sitemap of a sitemap index of a home page 2). Default 5.
	MaxDiscoveryDepth int `yaml:"max_discovery_depth"`
}

// WithDefaults returns c with every zero field replaced by its default.
func (c Config) WithDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.NoDelay {
		c.Delay = 0
	} else if c.Delay == 0 {
		c.Delay = DefaultDelay
	}
	if c.PerHostParallelism == 0 {
		c.PerHostParallelism = DefaultPerHostParallelism
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	} else if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.MaxRetryWait == 0 {
		c.MaxRetryWait = DefaultMaxRetryWait
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.TimeoutRetryDelay == 0 {
		c.TimeoutRetryDelay = DefaultTimeoutRetryDelay
	}
	if c.MaxHostTimeouts == 0 {
		c.MaxHostTimeouts = DefaultMaxHostTimeouts
	}
	if c.MinPollInterval == 0 {
		c.MinPollInterval = DefaultMinPollInterval
	}
	if c.MaxPollInterval == 0 {
		c.MaxPollInterval = DefaultMaxPollInterval
	}
	if c.MaxPollInterval < c.MinPollInterval {
		c.MaxPollInterval = c.MinPollInterval
	}
	if c.RobotsTTL == 0 {
		c.RobotsTTL = DefaultRobotsTTL
	}
	if c.MaxDiscoveryDepth == 0 {
		c.MaxDiscoveryDepth = DefaultMaxDiscoveryDepth
	}
	return c
}

// Validate checks the fields; an error starts with the bad key.
func (c Config) Validate() error {
	var errs []error
	neg := func(key string, bad bool) {
		if bad {
			errs = append(errs, fmt.Errorf("%s: must be >= 0", key))
		}
	}
	neg("workers", c.Workers < 0)
	neg("delay", c.Delay < 0)
	neg("per_host_parallelism", c.PerHostParallelism < 0)
	neg("max_body_bytes", c.MaxBodyBytes < 0)
	neg("connect_timeout", c.ConnectTimeout < 0)
	neg("timeout", c.Timeout < 0)
	neg("retry_backoff", c.RetryBackoff < 0)
	neg("max_retry_wait", c.MaxRetryWait < 0)
	neg("max_redirects", c.MaxRedirects < 0)
	neg("lease_ttl", c.LeaseTTL < 0)
	neg("timeout_retry_delay", c.TimeoutRetryDelay < 0)
	neg("max_pass_duration", c.MaxPassDuration < 0)
	if c.MaxHostTimeouts < -1 {
		errs = append(errs, errors.New("max_host_timeouts: must be >= -1"))
	}
	neg("min_poll_interval", c.MinPollInterval < 0)
	neg("max_poll_interval", c.MaxPollInterval < 0)
	neg("robots_ttl", c.RobotsTTL < 0)
	neg("max_discovery_depth", c.MaxDiscoveryDepth < 0)
	if c.MinPollInterval > 0 && c.MaxPollInterval > 0 && c.MaxPollInterval < c.MinPollInterval {
		errs = append(errs, errors.New("max_poll_interval: must be >= min_poll_interval"))
	}
	for _, n := range c.AllowedNetworks {
		if _, err := netip.ParsePrefix(n); err != nil {
			errs = append(errs, fmt.Errorf("allowed_networks: %q is not a CIDR network (like 10.0.0.0/8): %v", n, err))
		}
	}
	if d := c.WithDefaults(); d.LeaseTTL < time.Second {
		// Renewed every third of it, by a loop that wakes at least once a
		// second: a shorter lease could end between two renewals.
		errs = append(errs, errors.New("lease_ttl: must be at least 1s"))
	}
	return errors.Join(errs...)
}
