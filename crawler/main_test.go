package crawler

import (
	"os"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// TestMain fails the run if a test sent a DNS query: names resolve from the
// hosts file (localhost) or not at all (testweb.GuardDNS).
func TestMain(m *testing.M) { os.Exit(testweb.CheckDNS(m)) }
