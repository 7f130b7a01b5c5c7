package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestMain lets a test re-execute this test binary as the wirecrawl command
// (WIRECRAWL_TEST_AS_MAIN=1), to run it in a process that can be killed.
func TestMain(m *testing.M) {
	if os.Getenv("WIRECRAWL_TEST_AS_MAIN") == "1" {
		os.Args = append([]string{"wirecrawl"}, strings.Split(os.Getenv("WIRECRAWL_TEST_ARGS"), "\x1f")...)
		main()
		return
	}
	os.Exit(m.Run())
}

// runCLI runs one wirecrawl command line in-process with the given extra
// environment and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, env)
	return code, out.String(), errOut.String()
}
