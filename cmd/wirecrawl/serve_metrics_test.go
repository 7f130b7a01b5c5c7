package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// promtoolCheck runs `promtool check metrics` (Debian's prometheus package,
// path in WIRECRAWL_TEST_PROMTOOL as .ci/setup-promtool.sh sets it, or on
// PATH) on an exposition, and fails the test on any complaint. It skips
// with a message when promtool is missing.
func promtoolCheck(t *testing.T, text string) {
	t.Helper()
	bin := os.Getenv("WIRECRAWL_TEST_PROMTOOL")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("promtool"); err != nil {
			t.Skip("promtool not found: set WIRECRAWL_TEST_PROMTOOL or run .ci/setup-promtool.sh (Debian package prometheus)")
		}
	}
	cmd := exec.Command(bin, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || strings.TrimSpace(out.String()) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}

// TestCrawlMetricsFile: crawl --metrics-file writes the run's metrics in the
// textfile format, counting what the crawl did (the bytes it received, the
// job a killed run left leased and this run took over), and promtool finds
// nothing wrong with them.
func TestCrawlMetricsFile(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 5, Stories: 20})
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	path := filepath.Join(dir, "wirecrawl.prom")
	leaseAsDeadRun(t, db, web.Seeds()[0])
	code, out, errOut := runCLI(t, crawlEnv(web, db), "crawl", "--metrics-file", path)
	if code != 0 {
		t.Fatalf("crawl exit %d: %s %s", code, out, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mf := families(t, string(data))
	pages := storedPages(t, db)
	if pages == 0 {
		t.Fatal("the crawl stored nothing")
	}
	if n := sample(mf, "wirecrawl_pages_total", "outcome=new") + sample(mf, "wirecrawl_pages_total", "outcome=copy"); int(n) != pages {
		t.Errorf("pages_total new+copy = %v, want the %d pages stored", n, pages)
	}
	if n := sample(mf, "wirecrawl_passes_total", "result=ok"); n != 1 {
		t.Errorf("passes_total{result=ok} = %v, want 1", n)
	}
	if n := sample(mf, "wirecrawl_frontier_jobs", "state=done"); int(n) < pages {
		t.Errorf("frontier_jobs{state=done} = %v, want at least %d", n, pages)
	}
	if n := sample(mf, "wirecrawl_fetches_total", "kind=feed"); n < 1 {
		t.Errorf("no feed fetches counted")
	}
	if n := sample(mf, "wirecrawl_leases_taken_over_total"); n != 1 {
		t.Errorf("leases_taken_over_total = %v, want 1 (the seed a dead run left leased)", n)
	}
	// Every stored page is an answer of at least a few hundred bytes.
	if n := sample(mf, "wirecrawl_fetched_bytes_total", "kind=article"); n < float64(200*pages) {
		t.Errorf("fetched_bytes_total{kind=article} = %v for %d pages stored", n, pages)
	}
	if n := sample(mf, "wirecrawl_fetched_bytes_total", "kind=feed"); n <= 0 {
		t.Errorf("fetched_bytes_total{kind=feed} = %v, want the feeds' bytes", n)
	}
	if n := sample(mf, "process_resident_memory_bytes"); n <= 0 {
		t.Errorf("no process metrics")
	}
	promtoolCheck(t, string(data))
}

// leaseAsDeadRun leaves url (a home page) leased in the store at dsn by an owner of this
// machine that is gone, as a crawl killed with SIGKILL does.
func leaseAsDeadRun(t *testing.T, dsn, url string) {
	t.Helper()
	ctx := context.Background()
	url, err := crawler.NormalizeURL(url)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dsn, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j := frontier.Job{URL: url, Host: frontier.HostOf(url), Kind: frontier.KindHome, NotBefore: time.Now()}
	if _, err := st.Enqueue(ctx, []frontier.Job{j}); err != nil {
		t.Fatal(err)
	}
	got, err := st.LeaseURLs(ctx, crawler.OwnerPrefix()+"1/dead", []string{url}, 1, time.Now(), time.Hour)
	if err != nil || len(got) != 1 {
		t.Fatalf("lease %s as a dead run: %v %v", url, got, err)
	}
}
