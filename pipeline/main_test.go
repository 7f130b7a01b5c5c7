package pipeline_test

import (
	"os"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// TestMain fails the run if a test sent a DNS query (testweb.GuardDNS).
func TestMain(m *testing.M) { os.Exit(testweb.CheckDNS(m)) }
