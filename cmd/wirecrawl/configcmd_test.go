package main

import (
	"strings"
	"testing"
)

// config --ranges shows every numeric key's range next to its value.
func TestConfigRanges(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "config", "--ranges", "--set", "crawler.workers=16")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"crawler.workers = 16  # [1, 1024] (0 means the default)\n",
		"crawler.timeout = 30s  # [1s, 1h0m0s] (0 means the default)\n",
		"dedup.containment = 0.55  # [0, 1]\n",
		"crawler.user_agent = wirecrawl/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "user_agent = wirecrawl/0.1 (+https://github.com/wirecrawl/wirecrawl)  #") {
		t.Error("a text key got a range")
	}
	if code, _, _ := runCLI(t, nil, "config", "--set", "crawler.workers=5000"); code != exitUsage {
		t.Errorf("config with a value out of range: exit %d, want %d", code, exitUsage)
	}
}
