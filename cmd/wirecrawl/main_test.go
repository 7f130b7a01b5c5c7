package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// TestMain lets a test re-execute this test binary as the wirecrawl command
// (WIRECRAWL_TEST_AS_MAIN=1), to run it in a process that can be killed.
// Neither the tests nor such a child send a DNS query: a name that is not in
// the hosts file does not resolve (testweb.GuardDNS), the run fails, and a
// child reports it on stderr for runChild to find.
func TestMain(m *testing.M) {
	if os.Getenv("WIRECRAWL_TEST_AS_MAIN") == "1" {
		testweb.GuardDNS()
		os.Args = append([]string{"wirecrawl"}, strings.Split(os.Getenv("WIRECRAWL_TEST_ARGS"), "\x1f")...)
		main()
		return
	}
	os.Exit(testweb.CheckDNS(m))
}

// runCLI runs one wirecrawl command line in-process with the given extra
// environment and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, env)
	return code, out.String(), errOut.String()
}
