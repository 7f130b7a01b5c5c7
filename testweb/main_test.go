package testweb

import (
	"os"
	"testing"
)

// TestMain fails the run if a test sent a DNS query (see GuardDNS).
func TestMain(m *testing.M) { os.Exit(CheckDNS(m)) }
