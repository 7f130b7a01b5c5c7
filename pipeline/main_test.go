package pipeline_test

import (
	"os"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// TestMain fails the run if a test sent a DNS query (testweb.GuardDNS). With
// benchWebEnv set, the binary is BenchmarkCrawlGrowth's web instead.
func TestMain(m *testing.M) {
	if v := os.Getenv(benchWebEnv); v != "" {
		os.Exit(serveBenchWeb(v))
	}
	os.Exit(testweb.CheckDNS(m))
}
