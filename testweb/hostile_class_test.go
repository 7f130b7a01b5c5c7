package testweb

import (
	"testing"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/pipeline"
)

// TestHostileClassesAreTheCrawlers holds the error classes the hostile web's
// cases name to the crawler's and the pipeline's constants: testweb writes
// them down itself (it does not import the code it judges), this test keeps
// the two lists one, and every case to a class of the list.
func TestHostileClassesAreTheCrawlers(t *testing.T) {
	known := map[string]bool{}
	for _, c := range []struct{ ours, theirs string }{
		{classTimeout, frontier.ClassTimeout},
		{classReset, frontier.ClassReset},
		{classTLS, frontier.ClassTLS},
		{classHTTP4xx, frontier.ClassHTTP4xx},
		{classHTTP429, frontier.ClassHTTP429},
		{classHTTP5xx, frontier.ClassHTTP5xx},
		{classHTTPOther, frontier.ClassHTTPOther},
		{classTooLarge, frontier.ClassTooLarge},
		{classNotHTML, frontier.ClassNotHTML},
		{classRobots, frontier.ClassRobots},
		{classRedirectLoop, frontier.ClassRedirectLoop},
		{classTooManyRedirects, frontier.ClassTooManyRedirects},
		{classPrivateAddress, frontier.ClassPrivateAddress},
		{classBadFeed, frontier.ClassBadFeed},
		{classBadURL, frontier.ClassBadURL},
		{classDecode, frontier.ClassDecode},
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
