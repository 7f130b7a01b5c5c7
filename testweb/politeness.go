package testweb

import (
	"fmt"
	"strings"
	"time"
)

// Violation is one breach of politeness found in the request log.
type Violation struct {
	// Kind is "disallowed" (a robots.txt-disallowed path was fetched),
	// "delay" (two requests to one host closer than the minimum delay) or
	// "retry_after" (a URL requested again before the Retry-After it was given).
	Kind    string
	Request Request
	Detail  string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s %s at %s: %s", v.Kind, v.Request.Method, v.Request.URL, v.Request.Time.Format("15:04:05.000"), v.Detail)
}

// CheckPoliteness reads the request log and reports every request that
// fetched a disallowed path (/private/ on any outlet, or /search), came
// sooner than minDelay after the previous request to the same outlet
// (measured between arrival times, server-side; zero skips this check), or
// repeated a URL sooner than the Retry-After sent with its 429 or 503.
// Requests for robots.txt are exempt from the delay check.
func (w *Web) CheckPoliteness(minDelay time.Duration) []Violation {
	var out []Violation
	lastByHost := map[int]Request{}
	retryAt := map[string]time.Time{}
	for _, r := range w.Requests() {
		if strings.HasPrefix(r.Path, "/private/") || r.Path == "/search" || strings.HasPrefix(r.Path, "/search/") {
			out = append(out, Violation{Kind: "disallowed", Request: r, Detail: "path disallowed by robots.txt"})
		}
		if minDelay > 0 && r.Path != "/robots.txt" {
			if prev, ok := lastByHost[r.Outlet]; ok {
				if gap := r.Time.Sub(prev.Time); gap < minDelay {
					out = append(out, Violation{Kind: "delay", Request: r,
						Detail: fmt.Sprintf("%v after the previous request to %s (%s), want >= %v", gap.Round(time.Millisecond), r.Host, prev.Path, minDelay)})
				}
			}
			lastByHost[r.Outlet] = r
		}
		if t, ok := retryAt[r.URL]; ok && r.Time.Before(t) {
			out = append(out, Violation{Kind: "retry_after", Request: r,
				Detail: fmt.Sprintf("requested %v before the Retry-After time", t.Sub(r.Time).Round(time.Millisecond))})
		}
		switch r.Status {
		case 429:
			retryAt[r.URL] = r.Time.Add(time.Duration(w.retryAfterSeconds()) * time.Second)
		case 503:
			// the HTTP date sent is at least RetryAfter+1s after the answer,
			// truncated to a second: a client may retry RetryAfter after it
			retryAt[r.URL] = r.Time.Add(time.Duration(w.retryAfterSeconds()) * time.Second)
		default:
			delete(retryAt, r.URL)
		}
	}
	return out
}
