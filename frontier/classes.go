package frontier

// Error classes recorded in the fetch log and the crawler's Summary.ErrorsByClass.
const (
	ClassTimeout   = "timeout"
	ClassReset     = "reset"
	ClassConnect   = "connect"
	ClassDNS       = "dns"
	ClassTLS       = "tls"
	ClassHTTP4xx   = "http_4xx"
	ClassHTTP429   = "http_429"
	ClassHTTP5xx   = "http_5xx"
	ClassHTTPOther = "http_other"
	ClassTooLarge  = "too_large"
	ClassNotHTML   = "not_html"
	ClassRobots    = "robots"
	// ClassRobotsUnavailable: the host's robots.txt did not answer; retried later.
	ClassRobotsUnavailable = "robots_unavailable"
	ClassRedirectLoop      = "redirect_loop"
	ClassTooManyRedirects  = "too_many_redirects"
	ClassPrivateAddress    = "private_address"
	ClassBadFeed           = "bad_feed"
	ClassBadURL            = "bad_url"
	ClassDecode            = "decode"
	ClassProcess           = "process"
	ClassNetwork           = "network"
	ClassInterrupted       = "interrupted"
)
