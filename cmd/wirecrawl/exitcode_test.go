package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad usage exits 2 with a message, and creates no database: missing
// arguments, an unknown command, URLs that do not parse or have another
// scheme, unknown flags and bad config values.
func TestUsageErrorsExitTwoAndCreateNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"why without URL", []string{"why"}, "URL"},
		{"ingest without URL", []string{"ingest"}, "URL"},
		{"unknown command", []string{"crawll"}, "unknown command"},
		{"unknown command with args", []string{"frobnicate", "x"}, "unknown command"},
		{"ingest URL that does not parse", []string{"ingest", "http://[::1"}, "bad url"},
		{"ingest with another scheme", []string{"ingest", "ftp://example.org/a"}, "scheme"},
		{"ingest file URL", []string{"ingest", "file:///etc/passwd"}, "scheme"},
		{"ingest one good, one bad", []string{"ingest", "http://127.0.0.1:1/a", "gopher://example.org/"}, "scheme"},
		{"why with another scheme", []string{"why", "data:text/html,x"}, "scheme"},
		{"unknown flag", []string{"stats", "--no-such-flag"}, "unknown flag"},
		{"config takes no argument", []string{"config", "extra"}, "unknown command"},
		{"bad config value", []string{"ingest", "--set", "crawler.workers=1000000000", "http://127.0.0.1:1/a"}, "crawler.workers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "wirecrawl.db")
			code, _, errOut := runCLI(t, []string{"WIRECRAWL_DB=" + db}, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUsage, errOut)
			}
			if !strings.Contains(strings.ToLower(errOut), strings.ToLower(tc.msg)) {
				t.Errorf("stderr %q does not say %q", errOut, tc.msg)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files created: %v", entries)
			}
		})
	}
}
