package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// crawlEnv configures a crawl of web through the environment, as a user
// scripting wirecrawl would.
func crawlEnv(web *testweb.Web, db string) []string {
	return []string{
		"WIRECRAWL_DB=" + db,
		"WIRECRAWL_SEEDS=" + strings.Join(web.Seeds(), ","),
		"WIRECRAWL_CRAWLER_ALLOW_PRIVATE_NETWORKS=true",
		"WIRECRAWL_CRAWLER_NO_DELAY=true",
		"WIRECRAWL_CRAWLER_LEASE_TTL=2s",
		// A timeout far above any loopback answer, even on a loaded
		// machine: a fetch that times out is retried only in a later run.
		"WIRECRAWL_CRAWLER_TIMEOUT=30s",
		"WIRECRAWL_LOG_LEVEL=warn",
	}
}

// partition reads the stored stories as sets of URLs, order-free, so two
// databases can be compared regardless of story IDs.
func partition(t *testing.T, db string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	seen := map[string]bool{}
	err = st.Stories(ctx, export.Filter{}, func(s wirecrawl.Story) error {
		urls := make([]string, 0, len(s.Copies))
		for _, c := range s.Copies {
			if seen[c.URL] {
				t.Errorf("%s stored twice", c.URL)
			}
			seen[c.URL] = true
			urls = append(urls, c.URL)
		}
		sort.Strings(urls)
		out = append(out, strings.Join(urls, " "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func startWeb(t *testing.T, opts testweb.Options) *testweb.Web {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	web, err := testweb.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { web.Close() })
	return web
}

func TestCrawlCommand(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 3, Stories: 30})
	db := filepath.Join(t.TempDir(), "w.db")
	env := crawlEnv(web, db)

	code, out, errOut := runCLI(t, env, "crawl")
	if code != 0 {
		t.Fatalf("crawl exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "stories new") || !strings.Contains(out, "copies merged") {
		t.Errorf("summary missing from output: %q", out)
	}
	first := partition(t, db)
	if len(first) == 0 {
		t.Fatal("crawl stored no stories")
	}

	code, out, errOut = runCLI(t, env, "crawl", "--force")
	if code != 0 {
		t.Fatalf("second crawl exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(out, "pages fetched 0") {
		t.Errorf("second crawl fetched pages again: %q", out)
	}
	if again := partition(t, db); !reflect.DeepEqual(again, first) {
		t.Errorf("second crawl changed the stories")
	}

	// ingest of a stored article says it is unchanged; why explains it.
	page := web.Truth()[0]
	code, out, errOut = runCLI(t, env, "ingest", page.URL)
	if code != 0 || !strings.Contains(out, "unchanged") {
		t.Errorf("ingest of a stored URL: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, env, "why", page.URL)
	if code != 0 || !strings.Contains(out, "story ") || !strings.Contains(out, "merged because") {
		t.Errorf("why: exit %d, out %q", code, out)
	}
}

// TestCrawlCommandErrors: each case gets its own database, since a host's
// robots.txt answer (or its absence) is remembered across runs.
func TestCrawlCommandErrors(t *testing.T) {
	dir := t.TempDir()
	n := 0
	newDB := func() string { n++; return filepath.Join(dir, fmt.Sprintf("w%d.db", n)) }
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"no seeds", []string{"WIRECRAWL_DB=" + newDB(), "WIRECRAWL_SEEDS="}, []string{"crawl"}, exitUsage, "no seed"},
		{"missing seed file", []string{"WIRECRAWL_DB=" + newDB(), "WIRECRAWL_SEEDS=/nonexistent/seeds.txt"}, []string{"crawl"}, exitUsage, "seeds"},
		{"bad config value", []string{"WIRECRAWL_DB=" + newDB(), "WIRECRAWL_OVERLAP=sometimes"}, []string{"crawl"}, exitUsage, "overlap"},
		{"unreachable article", []string{"WIRECRAWL_DB=" + newDB(), "WIRECRAWL_CRAWLER_ALLOW_PRIVATE_NETWORKS=true", "WIRECRAWL_CRAWLER_MAX_RETRIES=1", "WIRECRAWL_CRAWLER_RETRY_BACKOFF=10ms"},
			[]string{"ingest", "http://127.0.0.1:1/news/a.html"}, exitFailure, "error"},
		{"private address refused", []string{"WIRECRAWL_DB=" + newDB()}, []string{"ingest", "http://127.0.0.1:1/news/b.html"}, exitFailure, "private"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d (want %d), output %q %q (want %q)", code, tc.code, out, errOut, tc.want)
			}
		})
	}
}

// TestCrawlOverlapExits holds the run lock as a running crawl would and checks
// that a second crawl exits at once with status 3 and a clear message.
func TestCrawlOverlapExits(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 4, Stories: 5})
	db := filepath.Join(t.TempDir(), "w.db")
	release := holdRunLock(t, db)
	defer release()
	code, out, errOut := runCLI(t, crawlEnv(web, db), "crawl")
	if code != exitLocked || !strings.Contains(errOut, "another crawl") {
		t.Fatalf("overlapping crawl: exit %d, %q %q; want exit %d and a message", code, out, errOut, exitLocked)
	}
}

// TestCrawlSurvivesKill kills crawl processes with SIGKILL at random points,
// reruns until a run completes, and checks that the stored stories equal
// those of an uninterrupted crawl: nothing lost, nothing stored twice.
func TestCrawlSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and reruns crawl processes; skipped in -short")
	}
	web := startWeb(t, testweb.Options{Seed: 11, Stories: 120})
	dir := t.TempDir()

	refDB := filepath.Join(dir, "ref.db")
	if code, out, errOut := runCLI(t, crawlEnv(web, refDB), "crawl"); code != 0 {
		t.Fatalf("reference crawl exit %d: %s %s", code, out, errOut)
	}
	want := partition(t, refDB)

	killDB := filepath.Join(dir, "kill.db")
	wantPages := 0
	for _, story := range want {
		wantPages += len(strings.Fields(story))
	}
	// Each run is killed when the pages stored reach a random point in the
	// next third of what is left, read from the database as it grows, so the
	// kills land mid-crawl however fast the machine is.
	rng := rand.New(rand.NewPCG(11, 1))
	kills := 0
	for attempt := 0; attempt < 6; attempt++ {
		before := storedPages(t, killDB)
		if before >= wantPages*9/10 {
			break
		}
		target := before + 1 + rng.IntN(max(1, (wantPages*9/10-before)/3))
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), append(crawlEnv(web, killDB),
			"WIRECRAWL_TEST_AS_MAIN=1", "WIRECRAWL_TEST_ARGS=crawl")...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		tick := time.NewTicker(5 * time.Millisecond)
	watch:
		for {
			select {
			case err := <-done:
				t.Logf("run %d finished before its kill point (%d pages): %v", attempt, target, err)
				break watch
			case <-tick.C:
				if n := storedPages(t, killDB); n >= target {
					_ = cmd.Process.Signal(syscall.SIGKILL)
					err := <-done // "signal: killed"
					kills++
					t.Logf("run %d killed at %d of %d pages stored (%v)", attempt, storedPages(t, killDB), wantPages, err)
					break watch
				}
			}
		}
		tick.Stop()
	}
	if kills < 3 {
		t.Fatalf("only %d runs were killed mid-crawl; the test needs several", kills)
	}
	// The rerun after the last kill completes the crawl.
	if code, out, errOut := runCLI(t, crawlEnv(web, killDB), "crawl"); code != 0 {
		t.Fatalf("final crawl exit %d: %s %s", code, out, errOut)
	}
	got := partition(t, killDB)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after %d kills: %d stories, uninterrupted crawl: %d\n%s", kills, len(got), len(want), diff(want, got))
	}
}

func diff(want, got []string) string {
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	var b strings.Builder
	for _, s := range want {
		if !g[s] {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	for _, s := range got {
		if !w[s] {
			fmt.Fprintf(&b, "+ %s\n", s)
		}
	}
	return b.String()
}

// TestReadCommandsRefuseMissingDatabase: a typo in --db must not pass for an
// empty corpus, nor leave an empty database behind.
func TestReadCommandsRefuseMissingDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{{"stats"}, {"export"}, {"why", "http://example.org/a"}} {
		code, out, errOut := runCLI(t, []string{"WIRECRAWL_DB=" + db}, args...)
		if code == 0 || !strings.Contains(errOut, "no database") {
			t.Errorf("%v on a missing database: exit %d, %q %q", args, code, out, errOut)
		}
		if _, err := os.Stat(db); err == nil {
			t.Fatalf("%v created %s", args, db)
		}
	}
}

// storedPages counts the pages (copies) stored in the SQLite database at
// path, reading it as another process writes it; 0 before it exists.
func storedPages(t *testing.T, path string) int {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM copies`).Scan(&n); err != nil {
		return 0 // the schema is not there yet
	}
	return n
}

// TestCrawlOverlapWaits: with overlap: wait, a second crawl queues behind the
// running one and starts when its lock is released.
func TestCrawlOverlapWaits(t *testing.T) {
	web := startWeb(t, testweb.Options{Seed: 4, Stories: 5})
	db := filepath.Join(t.TempDir(), "w.db")
	release := holdRunLock(t, db)
	const hold = 500 * time.Millisecond
	released := time.Now().Add(hold)
	time.AfterFunc(hold, release)
	code, out, errOut := runCLI(t, append(crawlEnv(web, db), "WIRECRAWL_OVERLAP=wait"), "crawl")
	if code != 0 {
		t.Fatalf("waiting crawl: exit %d, %q %q", code, out, errOut)
	}
	if time.Now().Before(released) {
		t.Errorf("crawl finished before the running crawl released its lock")
	}
	if len(partition(t, db)) == 0 {
		t.Error("the waiting crawl stored nothing")
	}
}

// holdRunLock takes db's crawl run lock as a running crawl would, until
// release (or the end of the test).
func holdRunLock(t *testing.T, db string) (release func()) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	release, err = st.RunLock(ctx, runLockName(db), false)
	if err != nil {
		t.Fatal(err)
	}
	return release
}
