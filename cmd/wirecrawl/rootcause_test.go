package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// offlineHost is a name whose lookup fails in Go's resolver before any query
// is sent (a label longer than 63 bytes is not a domain name): a DNS failure
// as an offline machine meets one, with no packet leaving the process.
func offlineHost(name string) string {
	return name + "-" + strings.Repeat("x", 64-len(name)) + ".example"
}

// TestCrawlOfflineSeeds reproduces issue 12 offline: every seed fails on
// DNS (see offlineHost). The summary
// names the root cause (dns) with an example message, the run exits 1 (no
// seed could be fetched), a plain rerun leaves the seeds to their retry
// time, --force asks them again, and stats shows the message in full.
func TestCrawlOfflineSeeds(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	seeds := []string{"http://" + offlineHost("wire-news") + "/feed.xml", "http://" + offlineHost("daily-paper") + "/sitemap.xml",
		"https://" + offlineHost("evening-post") + "/"}
	env := []string{"WIRECRAWL_DB=" + db, "WIRECRAWL_SEEDS=" + strings.Join(seeds, ","),
		"WIRECRAWL_CRAWLER_ALLOW_PRIVATE_NETWORKS=true", "WIRECRAWL_LOG_LEVEL=warn"}

	code, out, errOut := runCLI(t, env, "crawl")
	if code != exitFailure {
		t.Fatalf("offline crawl: exit %d, want %d\n%s\n%s", code, exitFailure, out, errOut)
	}
	if !strings.Contains(out, "errors: dns 3") || !strings.Contains(out, "no such host") {
		t.Errorf("the summary does not name the root cause: %q", out)
	}
	if strings.Contains(out, "robots_unavailable") {
		t.Errorf("the summary still blames robots.txt: %q", out)
	}
	if !strings.Contains(out, "no seed could be fetched") {
		t.Errorf("the summary does not say no seed could be fetched: %q", out)
	}

	// Right after, the seeds wait for their retry: nothing is asked.
	code, out, errOut = runCLI(t, env, "crawl")
	if code != 0 || strings.Contains(out, "dns") {
		t.Errorf("plain rerun: exit %d, %q %q; want 0 and no request", code, out, errOut)
	}
	// --force overrides the wait.
	code, out, errOut = runCLI(t, env, "crawl", "--force")
	if code != exitFailure || !strings.Contains(out, "errors: dns 3") {
		t.Errorf("forced rerun: exit %d, %q %q; want the seeds asked again", code, out, errOut)
	}

	code, out, errOut = runCLI(t, env, "stats")
	if code != 0 || !strings.Contains(out, "lookup "+offlineHost("wire-news")+": no such host") &&
		!strings.Contains(out, "lookup "+offlineHost("daily-paper")+": no such host") &&
		!strings.Contains(out, "lookup "+offlineHost("evening-post")+": no such host") {
		t.Errorf("stats does not show the DNS error in full: exit %d\n%s%s", code, out, errOut)
	}
}

// TestCrawlUntrustedCertificate: a seed served with a certificate no one
// trusts (httptest's own). The summary gives class tls and the x509 message
// (not only "robots.txt unavailable"), and the run exits 1.
func TestCrawlUntrustedCertificate(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>`)
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "w.db")
	env := []string{"WIRECRAWL_DB=" + db, "WIRECRAWL_SEEDS=" + srv.URL + "/feed.xml",
		"WIRECRAWL_CRAWLER_ALLOW_PRIVATE_NETWORKS=true", "WIRECRAWL_LOG_LEVEL=warn"}
	code, out, errOut := runCLI(t, env, "crawl")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitFailure, out, errOut)
	}
	if !strings.Contains(out, "errors: tls 1") || !strings.Contains(out, "x509") {
		t.Errorf("the summary does not name the certificate: %q", out)
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests got through an untrusted TLS handshake", hits.Load())
	}
}
