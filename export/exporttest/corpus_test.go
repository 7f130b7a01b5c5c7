package exporttest_test

import (
	"context"
	"strings"
	"testing"

	wirecrawl "github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

// TestCorpusRefusesQuery checks that the synthetic corpus reports a
// full-text query as unsupported instead of matching every story.
func TestCorpusRefusesQuery(t *testing.T) {
	c := &exporttest.Corpus{N: 5}
	n := 0
	err := c.Stories(context.Background(), export.Filter{Query: "storm"}, func(wirecrawl.Story) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "not supported") || n != 0 {
		t.Fatalf("Stories with a query: err %v after %d stories, want a not-supported error and none", err, n)
	}
	n = 0
	if err := c.Stories(context.Background(), export.Filter{}, func(wirecrawl.Story) error { n++; return nil }); err != nil || n != 5 {
		t.Fatalf("Stories without a query: err %v, %d stories, want 5", err, n)
	}
}
