package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// serveProc is a `wirecrawl serve` child process.
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	done chan error

	mu     sync.Mutex
	stderr strings.Builder
}

// startServe starts `wirecrawl serve` in a child process (so that it can
// be sent SIGTERM) and waits for the address it serves on.
func startServe(t *testing.T, env []string, args ...string) *serveProc {
	t.Helper()
	args = append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "WIRECRAWL_TEST_AS_MAIN=1", "WIRECRAWL_TEST_ARGS="+strings.Join(args, "\x1f"))...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "wirecrawl: serving on http://"); ok {
				addr <- a
			}
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-copied
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			t.Logf("serve killed at the end of the test: %v", <-p.done)
		}
	})
	select {
	case p.addr = <-addr:
	case err := <-p.done:
		p.done <- err
		t.Fatalf("serve exited before serving: %v\n%s", err, p.log())
	case <-time.After(time.Minute):
		t.Fatalf("serve did not say where it serves within a minute\n%s", p.log())
	}
	return p
}

func (p *serveProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// stop sends SIGTERM and returns how long serve took to exit, failing the
// test unless it exits 0.
func (p *serveProc) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		took := time.Since(start)
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v (want exit 0)\n%s", err, p.log())
		}
		return took
	case <-time.After(time.Minute):
		t.Fatalf("serve still running a minute after SIGTERM\n%s", p.log())
	}
	return 0
}

// get fetches path from the server and returns its status and body.
func (p *serveProc) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// families parses a Prometheus text exposition.
func families(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, text)
	}
	return mf
}

// sample sums the values of family name's samples whose labels include
// every pair of labels ("k=v").
func sample(mf map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f, ok := mf[name]
	if !ok {
		return -1
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// waitSettled polls /metrics until a pass has ended after which nothing
// was left queued or leased, and returns the metrics then.
func (p *serveProc) waitSettled(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // a hang guard, not a speed requirement
	for time.Now().Before(deadline) {
		_, text := p.get(t, "/metrics")
		mf := families(t, text)
		passes := sample(mf, "wirecrawl_passes_total", "result=ok") + sample(mf, "wirecrawl_passes_total", "result=failures")
		left := sample(mf, "wirecrawl_frontier_jobs", "state=queued") + sample(mf, "wirecrawl_frontier_jobs", "state=leased")
		if passes >= 1 && left == 0 {
			return mf
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("serve exited: %v\n%s", err, p.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no pass left the frontier empty within 3 minutes\n%s", p.log())
	return nil
}

// TestServe: serve over the simulated web stores the same stories and copies
// as crawl, answers /healthz and /readyz, counts what it did on /metrics,
// and exits 0 within 10 s of SIGTERM.
func TestServe(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 7, Stories: 40})
	dir := t.TempDir()
	refDB := filepath.Join(dir, "ref.db")
	if code, out, errOut := runCLI(t, crawlEnv(web, refDB), "crawl"); code != 0 {
		t.Fatalf("reference crawl exit %d: %s %s", code, out, errOut)
	}
	want := partition(t, refDB)
	wantPages := 0
	for _, s := range want {
		wantPages += len(strings.Fields(s))
	}

	db := filepath.Join(dir, "serve.db")
	p := startServe(t, crawlEnv(web, db), "--min-idle", "50ms", "--max-idle", "2s")
	if code, body := p.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %q", code, body)
	}
	mf := p.waitSettled(t)
	if code, body := p.get(t, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after a pass: %d %q", code, body)
	}
	stored := sample(mf, "wirecrawl_pages_total", "outcome=new") + sample(mf, "wirecrawl_pages_total", "outcome=copy")
	if int(stored) != wantPages {
		t.Errorf("pages_total new+copy = %v, want %d (every page stored once)", stored, wantPages)
	}
	if n := sample(mf, "wirecrawl_fetches_total", "kind=article", "status=200", "class="); int(n) < wantPages {
		t.Errorf("fetches_total of articles with status 200 = %v, want at least %d", n, wantPages)
	}
	for _, stage := range []string{"clean", "dedup", "store"} {
		if n := sample(mf, "wirecrawl_stage_duration_seconds", "stage="+stage); int(n) < wantPages {
			t.Errorf("stage %s timed %v times, want at least %d", stage, n, wantPages)
		}
	}
	if n := sample(mf, "wirecrawl_frontier_jobs", "state=done"); int(n) < wantPages {
		t.Errorf("frontier_jobs{state=done} = %v, want at least %d", n, wantPages)
	}
	if n := sample(mf, "go_goroutines"); n <= 0 {
		t.Errorf("no Go runtime metrics")
	}
	if code, body := p.get(t, "/api/v1/stories?limit=200"); code != http.StatusOK || strings.Count(body, `"first_publisher"`) != len(want) {
		t.Errorf("/api/v1/stories: %d, %d stories, want %d", code, strings.Count(body, `"first_publisher"`), len(want))
	}
	_, text := p.get(t, "/metrics")
	t.Run("promtool", func(t *testing.T) { promtoolCheck(t, text) })
	if took := p.stop(t); took > 10*time.Second {
		t.Errorf("serve took %s to exit after SIGTERM, want at most 10s", took)
	}
	if got := partition(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("serve stored %d stories, crawl %d\n%s", len(got), len(want), diff(want, got))
	}
}

// TestServeTerminatedMidPass: SIGTERM in the middle of a pass ends serve
// within 10 s, and a restarted serve completes the crawl with nothing lost
// and nothing stored twice.
func TestServeTerminatedMidPass(t *testing.T) {
	if testing.Short() {
		t.Skip("runs several crawls; skipped in -short")
	}
	web := startWeb(t, testweb.Options{Seed: 12, Stories: 120})
	dir := t.TempDir()
	refDB := filepath.Join(dir, "ref.db")
	if code, out, errOut := runCLI(t, crawlEnv(web, refDB), "crawl"); code != 0 {
		t.Fatalf("reference crawl exit %d: %s %s", code, out, errOut)
	}
	want := partition(t, refDB)
	wantPages := 0
	for _, s := range want {
		wantPages += len(strings.Fields(s))
	}

	db := filepath.Join(dir, "serve.db")
	env := crawlEnv(web, db)
	p := startServe(t, env, "--min-idle", "50ms", "--max-idle", "2s")
	// Stop when a third of the pages are stored, read from the database as
	// it grows, so the signal lands mid-pass however fast the machine is.
	target := wantPages / 3
	for storedPages(t, db) < target {
		select {
		case err := <-p.done:
			t.Fatalf("serve exited before the stop point: %v\n%s", err, p.log())
		case <-time.After(5 * time.Millisecond):
		}
	}
	took := p.stop(t)
	at := storedPages(t, db)
	t.Logf("SIGTERM at %d of %d pages; serve exited in %s", at, wantPages, took)
	if took > 10*time.Second {
		t.Errorf("serve took %s to exit after SIGTERM, want at most 10s", took)
	}
	if at >= wantPages {
		t.Fatalf("the pass had ended before SIGTERM (%d pages); the test needs it mid-pass", at)
	}

	p = startServe(t, env, "--min-idle", "50ms", "--max-idle", "2s")
	p.waitSettled(t)
	p.stop(t)
	if got := partition(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("after SIGTERM and restart: %d stories, uninterrupted crawl: %d\n%s", len(got), len(want), diff(want, got))
	}
}

// TestServeRefusesOpenAddressWithoutToken: a non-loopback address needs
// serve.token; the refusal is a usage error (exit 2) and names the key.
func TestServeRefusesOpenAddressWithoutToken(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 4, Stories: 3})
	db := filepath.Join(t.TempDir(), "w.db")
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8080"} {
		code, out, errOut := runCLI(t, crawlEnv(web, db), "serve", "--listen", addr)
		if code != exitUsage || !strings.Contains(errOut, "serve.token") {
			t.Errorf("serve --listen %s without token: exit %d, %q %q; want exit %d naming serve.token", addr, code, out, errOut, exitUsage)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused serve created the database")
	}
}

// TestServeTakesTurnsWithCrawl: while another crawl holds the run lock (a
// cron `crawl`), serve's passes are postponed and store nothing; once it is
// released, serve crawls.
func TestServeTakesTurnsWithCrawl(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 8, Stories: 10})
	db := filepath.Join(t.TempDir(), "w.db")
	release := holdRunLock(t, db)
	p := startServe(t, crawlEnv(web, db), "--min-idle", "50ms", "--max-idle", "2s", "--lock-retry", "50ms")
	for {
		_, text := p.get(t, "/metrics")
		if sample(families(t, text), "wirecrawl_passes_total", "result=locked") >= 2 {
			break
		}
		select {
		case err := <-p.done:
			t.Fatalf("serve exited: %v\n%s", err, p.log())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n := storedPages(t, db); n != 0 {
		t.Fatalf("serve stored %d pages while another crawl held the run lock", n)
	}
	if code, _ := p.get(t, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before any pass ran: %d, want 503", code)
	}
	release()
	p.waitSettled(t)
	if n := storedPages(t, db); n == 0 {
		t.Errorf("serve stored nothing after the run lock was released")
	}
	p.stop(t)
}

// TestServeTokenNotShown: `wirecrawl config` does not print serve.token.
func TestServeTokenNotShown(t *testing.T) {
	code, out, errOut := runCLI(t, []string{"WIRECRAWL_SERVE_TOKEN=hunter2-secret"}, "config")
	if code != 0 {
		t.Fatalf("config: exit %d %s", code, errOut)
	}
	if strings.Contains(out, "hunter2-secret") || !strings.Contains(out, "serve.token = (set, not shown)") {
		t.Errorf("config shows the token, or not that it is set:\n%s", out)
	}
}

// TestServeRereadsSeeds: a seed added to the seed file while serve runs is
// crawled by a later pass, without a restart.
func TestServeRereadsSeeds(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 9, Stories: 30})
	dir := t.TempDir()
	refDB := filepath.Join(dir, "ref.db")
	if code, out, errOut := runCLI(t, crawlEnv(web, refDB), "crawl"); code != 0 {
		t.Fatalf("reference crawl exit %d: %s %s", code, out, errOut)
	}
	want := partition(t, refDB)
	wantPages := 0
	for _, s := range want {
		wantPages += len(strings.Fields(s))
	}

	seedFile := filepath.Join(dir, "seeds.txt")
	seeds := web.Seeds()
	if err := os.WriteFile(seedFile, []byte(seeds[0]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "serve.db")
	env := append(crawlEnv(web, db), "WIRECRAWL_SEEDS="+seedFile)
	p := startServe(t, env, "--min-idle", "50ms", "--max-idle", "1s")
	p.waitSettled(t)
	first := storedPages(t, db)
	if first == 0 || first >= wantPages {
		t.Fatalf("with one seed serve stored %d of %d pages; the test needs some but not all", first, wantPages)
	}
	if err := os.WriteFile(seedFile, []byte(strings.Join(seeds, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute) // a hang guard
	for storedPages(t, db) < wantPages {
		if time.Now().After(deadline) {
			t.Fatalf("serve stored %d of %d pages 3 minutes after the seeds grew\n%s", storedPages(t, db), wantPages, p.log())
		}
		select {
		case err := <-p.done:
			t.Fatalf("serve exited: %v\n%s", err, p.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.stop(t)
	if got := partition(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("after the seeds grew: %d stories, crawl of all seeds: %d\n%s", len(got), len(want), diff(want, got))
	}
}

// uiSession logs in to the serve UI at addr with token (the login form's
// cookie) and returns the client and the ingest form's CSRF token.
func uiSession(t *testing.T, addr, token string) (*http.Client, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm("http://"+addr+"/login", url.Values{"token": {token}, "next": {"/ingest"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	form, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(form)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("login then the ingest form: %d\n%s", resp.StatusCode, form)
	}
	return c, string(m[1])
}

// ingestForm posts the ingest form and returns the answer's status and page.
func ingestForm(t *testing.T, c *http.Client, addr, csrf, u string) (int, string) {
	t.Helper()
	resp, err := c.PostForm("http://"+addr+"/ingest", url.Values{"url": {u}, "csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(page)
}

// TestServeIngestForm: the UI's ingest form, logged in with serve.token,
// fetches a URL through the crawler: a feed of the simulated web is stored
// when private networks are allowed, and refused by the private-address
// guard when they are not.
func TestServeIngestForm(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 3, Stories: 6})
	feed := web.Seeds()[0]
	dir := t.TempDir()
	const token = "ingest-s3cret"

	// The passes crawl a seed the web does not have: what is stored comes
	// from the form.
	env := append(crawlEnv(web, filepath.Join(dir, "ok.db")), "WIRECRAWL_SERVE_TOKEN="+token,
		"WIRECRAWL_SEEDS="+strings.TrimSuffix(feed, "/")+"/no-such-feed.xml")
	p := startServe(t, env, "--min-idle", "1s", "--max-idle", "1s")
	c, csrf := uiSession(t, p.addr, token)
	if code, page := ingestForm(t, c, p.addr, csrf, feed); code != http.StatusOK || !strings.Contains(page, "Ingested") {
		t.Fatalf("ingest %s: %d\n%s\n%s", feed, code, page, p.log())
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+p.addr+"/api/v1/stories", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Count(string(body), `"first_publisher"`) == 0 {
		t.Errorf("after ingesting %s the API lists no story: %s", feed, body)
	}
	p.stop(t)

	env = append(crawlEnv(web, filepath.Join(dir, "guard.db")), "WIRECRAWL_SERVE_TOKEN="+token,
		"WIRECRAWL_CRAWLER_ALLOW_PRIVATE_NETWORKS=false")
	p = startServe(t, env, "--min-idle", "1s", "--max-idle", "1s")
	c, csrf = uiSession(t, p.addr, token)
	if code, page := ingestForm(t, c, p.addr, csrf, feed); code != http.StatusBadGateway || !strings.Contains(page, "private network") {
		t.Errorf("ingest of a loopback URL with private networks refused: %d\n%s", code, page)
	}
	p.stop(t)
}
