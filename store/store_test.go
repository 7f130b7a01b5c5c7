package store_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// The backends' DSNs, from the one helper every backend test uses.
var (
	sqliteDSN   = storetest.SQLiteDSN
	postgresDSN = storetest.PostgresDSN
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) string { return sqliteDSN(t) })
}

func TestPostgres(t *testing.T) {
	postgresDSN(t) // skips the whole suite when no database is configured
	storetest.Run(t, func(t *testing.T) string { return postgresDSN(t) })
}

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "plain.db"), "sqlite:" + filepath.Join(dir, "prefixed.db"), "sqlite://" + filepath.Join(dir, "slashes.db")} {
		s, err := store.Open(ctx, dsn, store.Config{})
		if err != nil {
			t.Fatalf("open %s: %v", dsn, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"plain.db", "prefixed.db", "slashes.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not created: %v", name, err)
		}
	}
	for _, dsn := range []string{"", "sqlite:", ":memory:", filepath.Join(dir, "no/such/dir/x.db"), "postgres://%zz"} {
		if s, err := store.Open(ctx, dsn, store.Config{}); err == nil {
			s.Close()
			t.Errorf("open %q: want an error", dsn)
		} else if !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("open %q: error %q lacks context", dsn, err)
		}
	}
}

func ExampleOpen() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wirecrawl-example")
	defer os.RemoveAll(dir)
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "wirecrawl.db"), store.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	st, _ := s.Stats(ctx)
	fmt.Println(st.Stories, st.Copies)
	// Output: 0 0
}

// childEnv makes the test binary act as a worker process (see TestMain).
const childEnv = "WIRECRAWL_STORE_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(child(spec))
	}
	os.Exit(m.Run())
}

// groupPages are the pages of the multi-process tests: n stories, each
// published by sites sites; page (i, j) is story i on site j.
func groupPage(i, j int) store.Page {
	u := fmt.Sprintf("https://site%d.example/story/%d", j, i)
	text := fmt.Sprintf("story %d as published by site %d", i, j)
	p := storetest.NewPage(u, fmt.Sprintf("Site %d", j), text, t0.Add(time.Duration(j)*time.Minute), uint64(100000+i))
	p.Decision.ContentHash = uint64(1<<40 + i*100 + j)
	return p
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// child runs one worker: "dsn|order|stories|sites" saves every page in the
// given order (fwd or rev), skipping pages already stored, and enqueues,
// leases and finishes a few frontier jobs between saves.
func child(spec string) int {
	parts := strings.Split(spec, "|")
	if len(parts) != 4 {
		fmt.Fprintln(os.Stderr, "bad child spec", spec)
		return 3
	}
	n, _ := strconv.Atoi(parts[2])
	sites, _ := strconv.Atoi(parts[3])
	ctx := context.Background()
	s, err := store.Open(ctx, parts[0], store.Config{RawHTML: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	owner := fmt.Sprintf("pid%d", os.Getpid())
	if parts[1] == "lease" {
		if err := leaseWorker(ctx, s, owner, n, sites); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	for k := range n * sites {
		if parts[1] == "rev" {
			k = n*sites - 1 - k
		}
		i, j := k/sites, k%sites
		p := groupPage(i, j)
		if _, err := s.Enqueue(ctx, []frontier.Job{{URL: p.Doc.URL + "?feed", Kind: frontier.KindArticle}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		jobs, err := s.Lease(ctx, owner, 2, time.Now(), time.Minute)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for _, jb := range jobs {
			if err := s.Finish(ctx, jb.URL, ""); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		p.Raw = &export.Raw{URL: p.Doc.URL, Status: 200, Body: []byte(p.Doc.Text), FetchedAt: t0}
		if _, _, err := s.SavePage(ctx, storetest.LookupDecide(p)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("saved", p.Doc.URL)
	}
	return 0
}

func startChild(t *testing.T, spec string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+spec)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// checkGroups verifies the store holds exactly the n*sites pages of
// groupPage as n stories, every URL once.
func checkGroups(t *testing.T, s store.Store, n, sites int) {
	t.Helper()
	ctx := context.Background()
	got := map[string]int64{}
	stories := 0
	err := s.Stories(ctx, export.Filter{}, func(st wirecrawl.Story) error {
		stories++
		if len(st.Copies) != sites {
			return fmt.Errorf("story %d (%s) has %d copies, want %d", st.ID, st.URL, len(st.Copies), sites)
		}
		for _, c := range st.Copies {
			if _, dup := got[c.URL]; dup {
				return fmt.Errorf("%s stored twice", c.URL)
			}
			got[c.URL] = st.ID
			if !strings.HasSuffix(c.URL, st.URL[strings.LastIndex(st.URL, "/"):]) {
				return fmt.Errorf("story %d mixes %s and %s", st.ID, st.URL, c.URL)
			}
		}
		if st.FirstPublisher != "Site 0" {
			return fmt.Errorf("story %d: first publisher %q, want Site 0", st.ID, st.FirstPublisher)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stories != n || len(got) != n*sites {
		t.Fatalf("%d stories with %d URLs, want %d with %d", stories, len(got), n, n*sites)
	}
	for i := range n {
		for j := range sites {
			p := groupPage(i, j)
			if _, ok := got[p.Doc.URL]; !ok {
				t.Fatalf("%s lost", p.Doc.URL)
			}
			if raw, ok, err := s.Raw(ctx, p.Doc.URL); err != nil || !ok || string(raw.Body) != p.Doc.Text {
				t.Fatalf("raw of %s: %v %v", p.Doc.URL, ok, err)
			}
		}
	}
}

// TestTwoProcessesOneSQLiteFile: two worker processes and this one write one
// SQLite file at once; the file stays sound and the copies of each story form
// one story.
func TestTwoProcessesOneSQLiteFile(t *testing.T) {
	dsn := sqliteDSN(t)
	const n, sites = 60, 4
	spec := fmt.Sprintf("%s|%%s|%d|%d", dsn, n, sites)
	a, b := startChild(t, fmt.Sprintf(spec, "fwd")), startChild(t, fmt.Sprintf(spec, "rev"))
	// This process writes too, through two handles.
	s1 := storetest.Open(t, dsn, store.Config{RawHTML: true})
	s2 := storetest.Open(t, dsn, store.Config{RawHTML: true})
	ctx := context.Background()
	for k := range n * sites {
		s := s1
		if k%2 == 1 {
			s = s2
		}
		p := groupPage((k*7)%n, k%sites)
		p.Raw = &export.Raw{URL: p.Doc.URL, Status: 200, Body: []byte(p.Doc.Text), FetchedAt: t0}
		if _, _, err := s.SavePage(ctx, storetest.LookupDecide(p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*exec.Cmd{a, b} {
		if err := c.Wait(); err != nil {
			t.Fatalf("worker process: %v", err)
		}
	}
	checkGroups(t, s1, n, sites)
	checkIntegrity(t, dsn)
}

// checkIntegrity runs SQLite's integrity check on the file behind dsn.
func checkIntegrity(t *testing.T, dsn string) {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity check: %q %v", res, err)
	}
	var fk int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("foreign key check: %d violations, %v", fk, err)
	}
}

// TestKillAndRerun: a worker process is killed (SIGKILL) at random points
// and rerun each time; the final stories and copies equal those of an
// uninterrupted run, with nothing lost and nothing twice.
func TestKillAndRerun(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", sqliteDSN}, {"postgres", postgresDSN}} {
		t.Run(backend.name, func(t *testing.T) {
			const n, sites = 30, 3
			ref, dsn := backend.dsn(t), backend.dsn(t)
			spec := func(d string) string { return fmt.Sprintf("%s|fwd|%d|%d", d, n, sites) }
			if err := startChild(t, spec(ref)).Wait(); err != nil {
				t.Fatalf("uninterrupted run: %v", err)
			}
			// Kill the worker after a random number of saved pages, 5 times.
			const kills = 5
			for try := range kills {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+spec(dsn))
				cmd.Stderr = os.Stderr
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				at := 1 + mrand.IntN(n*sites-2)
				sc := bufio.NewScanner(out)
				lines := 0
				for sc.Scan() {
					if lines++; lines == at {
						_ = cmd.Process.Signal(syscall.SIGKILL)
						break
					}
				}
				_, _ = io.Copy(io.Discard, out)
				err = cmd.Wait()
				if lines < at {
					t.Fatalf("run %d ended after %d pages, before the kill at %d: %v", try, lines, at, err)
				}
			}
			if err := startChild(t, spec(dsn)).Wait(); err != nil {
				t.Fatalf("final run: %v", err)
			}
			a, b := storetest.Open(t, ref, store.Config{}), storetest.Open(t, dsn, store.Config{})
			checkGroups(t, b, n, sites)
			if ga, gb := groups(t, a), groups(t, b); !slices.Equal(ga, gb) {
				t.Fatalf("killed %d times: stories differ from the uninterrupted run:\n%v\n%v", kills, ga, gb)
			}
			if backend.name == "sqlite" {
				checkIntegrity(t, dsn)
			}
		})
	}
}

// groups describes a store's stories independently of IDs: each story's
// text and sorted copy URLs, sorted.
func groups(t *testing.T, s store.Store) []string {
	t.Helper()
	var out []string
	err := s.Stories(context.Background(), export.Filter{}, func(st wirecrawl.Story) error {
		var us []string
		for _, c := range st.Copies {
			us = append(us, c.URL)
		}
		slices.Sort(us)
		out = append(out, st.Text+" | "+strings.Join(us, " "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestFetchLogPrune: the fetch log keeps its latest fetch_log_keep entries.
func TestFetchLogPrune(t *testing.T) {
	defer store.SetPruneEvery(10)()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := be.dsn(t)
			for _, tc := range []struct {
				keep, want int
			}{{25, 25}, {-1, 100}} {
				s := storetest.Open(t, dsn, store.Config{FetchLogKeep: tc.keep})
				before, err := s.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 100 {
					rec := frontier.FetchRecord{URL: fmt.Sprintf("https://a.example/%d", i), ErrClass: "timeout", At: t0}
					if err := s.LogFetch(ctx, rec); err != nil {
						t.Fatal(err)
					}
				}
				st, err := s.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				// Pruning runs every 10th entry, so up to 9 more may remain.
				if tc.keep > 0 && (st.Fetches.Logged < int64(tc.want) || st.Fetches.Logged > int64(tc.want+9)) {
					t.Fatalf("keep %d: %d entries logged", tc.keep, st.Fetches.Logged)
				}
				if tc.keep < 0 && st.Fetches.Logged != before.Fetches.Logged+100 {
					t.Fatalf("keep all: %d entries, want %d", st.Fetches.Logged, before.Fetches.Logged+100)
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, keep := range []int{-1, 0, 5} {
		c := store.Config{FetchLogKeep: keep}
		if err := c.Validate(); err != nil {
			t.Errorf("fetch_log_keep %d: %v", keep, err)
		}
	}
	c := store.Config{FetchLogKeep: -2}
	if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), "fetch_log_keep: ") {
		t.Errorf("fetch_log_keep -2: %v", err)
	}
}

// leaseWorker is one process of a fleet: it enqueues every page of
// groupPage (known URLs are skipped), then leases jobs and saves their pages
// until the frontier is empty, printing each URL it leased.
func leaseWorker(ctx context.Context, s store.Store, owner string, n, sites int) error {
	var jobs []frontier.Job
	pages := map[string]store.Page{}
	for i := range n {
		for j := range sites {
			p := groupPage(i, j)
			pages[p.Doc.URL] = p
			jobs = append(jobs, frontier.Job{URL: p.Doc.URL, Kind: frontier.KindArticle})
		}
	}
	if _, err := s.Enqueue(ctx, jobs); err != nil {
		return err
	}
	for {
		leased, err := s.Lease(ctx, owner, 3, time.Now(), time.Minute)
		if err != nil {
			return err
		}
		if len(leased) == 0 {
			pending, err := s.Pending(ctx, time.Time{})
			if err != nil || pending == 0 {
				return err
			}
			time.Sleep(5 * time.Millisecond) // others hold the rest
			continue
		}
		for _, jb := range leased {
			p, ok := pages[jb.URL]
			if !ok {
				return fmt.Errorf("leased unknown URL %s", jb.URL)
			}
			p.FrontierURL = jb.URL
			p.Raw = &export.Raw{URL: p.Doc.URL, Status: 200, Body: []byte(p.Doc.Text), FetchedAt: t0}
			if _, _, err := s.SavePage(ctx, storetest.LookupDecide(p)); err != nil {
				return err
			}
			fmt.Println(jb.URL)
		}
	}
}

// TestFleet: worker processes share one frontier; every job is leased by
// exactly one of them (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock
// on SQLite) and the copies of each story still form one story.
func TestFleet(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			const n, sites, workers = 40, 3, 3
			dsn := be.dsn(t)
			outs := make([]*bytes.Buffer, workers)
			cmds := make([]*exec.Cmd, workers)
			for w := range workers {
				outs[w] = new(bytes.Buffer)
				cmds[w] = exec.Command(os.Args[0], "-test.run=^$")
				cmds[w].Env = append(os.Environ(), childEnv+"="+fmt.Sprintf("%s|lease|%d|%d", dsn, n, sites))
				cmds[w].Stdout, cmds[w].Stderr = outs[w], os.Stderr
				if err := cmds[w].Start(); err != nil {
					t.Fatal(err)
				}
			}
			leased := map[string]int{}
			busy := 0
			for w, c := range cmds {
				if err := c.Wait(); err != nil {
					t.Fatalf("worker %d: %v", w, err)
				}
				lines := strings.Fields(outs[w].String())
				if len(lines) > 0 {
					busy++
				}
				for _, u := range lines {
					leased[u]++
				}
			}
			for u, k := range leased {
				if k != 1 {
					t.Fatalf("%s leased %d times", u, k)
				}
			}
			if len(leased) != n*sites {
				t.Fatalf("%d jobs leased, want %d", len(leased), n*sites)
			}
			t.Logf("%d of %d workers leased jobs", busy, workers)
			s := storetest.Open(t, dsn, store.Config{})
			checkGroups(t, s, n, sites)
			if p, err := s.Pending(context.Background(), time.Time{}); err != nil || p != 0 {
				t.Fatalf("pending %d, %v", p, err)
			}
		})
	}
}
