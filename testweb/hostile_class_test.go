package testweb

import (
	"testing"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/pipeline"
)

// TestHostileClassesAreTheCrawlers holds the error classes the hostile web's
// cases name to the crawler's and the pipeline's constants: testweb writes
// them down itself (it does not import the code it judges), this test keeps
// the two lists one, and every case to a class of the list.
func TestHostileClassesAreTheCrawlers(t *testing.T) {
	known := map[string]bool{}
	for _, c := range []struct{ ours, theirs string }{
		{classTimeout, crawler.ClassTimeout},
		{classReset, crawler.ClassReset},
		{classTLS, crawler.ClassTLS},
		{classHTTP4xx, crawler.ClassHTTP4xx},
		{classHTTP429, crawler.ClassHTTP429},
		{classHTTP5xx, crawler.ClassHTTP5xx},
		{classHTTPOther, crawler.ClassHTTPOther},
		{classTooLarge, crawler.ClassTooLarge},
		{classNotHTML, crawler.ClassNotHTML},
		{classRobots, crawler.ClassRobots},
		{classRedirectLoop, crawler.ClassRedirectLoop},
		{classTooManyRedirects, crawler.ClassTooManyRedirects},
		{classPrivateAddress, crawler.ClassPrivateAddress},
		{classBadFeed, crawler.ClassBadFeed},
		{classBadURL, crawler.ClassBadURL},
		{classDecode, crawler.ClassDecode},
		{classNoArticle, pipeline.ClassNoArticle},
	} {
		if c.ours != c.theirs {
			t.Errorf("testweb names class %q where the crawler says %q", c.ours, c.theirs)
		}
		known[c.theirs] = true
	}
	for _, c := range startHostile(t, HostileOptions{HugeFeedItems: 10, BombBytes: 1 << 20}).Cases() {
		if c.Class != "" && !known[c.Class] {
			t.Errorf("case %s names class %q, not one of the crawler's", c.Name, c.Class)
		}
	}
}
