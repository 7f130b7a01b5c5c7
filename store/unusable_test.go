package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// fillFrontier enqueues n article jobs, enough to spread the frontier over
// many pages of the database file.
func fillFrontier(t *testing.T, st store.Store, n int) {
	t.Helper()
	jobs := make([]frontier.Job, n)
	for i := range jobs {
		u := fmt.Sprintf("https://news%d.example/2026/03/%06d-some-long-slug-to-take-room.html", i%7, i)
		jobs[i] = frontier.Job{URL: u, Kind: frontier.KindArticle, NotBefore: time.Now()}
	}
	if _, err := st.Enqueue(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteCorruptIsUnusable writes 64 KiB of garbage into the middle of a
// store's file, as in issue 12: opening it or using it fails with an error
// that IsUnusable recognises, never one that passes for a page's failure.
func TestSQLiteCorruptIsUnusable(t *testing.T) {
	ctx := context.Background()
	dsn := sqliteDSN(t)
	path, _ := store.SQLitePath(dsn)
	st := storetest.Open(t, dsn, store.Config{})
	fillFrontier(t, st, 20000)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	storetest.CorruptFile(t, path, 64<<10)

	st, err := store.Open(ctx, dsn, store.Config{})
	if err != nil {
		t.Logf("open: %v", err)
		if !store.IsUnusable(err) {
			t.Fatalf("open of a corrupt file: %v, not recognised as unusable", err)
		}
		return
	}
	defer st.Close()
	// Touch every page: a lease of everything, then a count.
	var errs []error
	if _, err := st.Lease(ctx, "w", 100000, time.Now().Add(time.Hour), time.Minute); err != nil {
		errs = append(errs, err)
	}
	if _, err := st.Stats(ctx); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		t.Fatal("a store with 64 KiB of garbage in its middle answered every call")
	}
	for _, err := range errs {
		if !store.IsUnusable(err) {
			t.Errorf("error on a corrupt file not recognised as unusable: %v", err)
		}
		t.Logf("error: %v", err)
	}
}

// TestPostgresGoneIsUnusable cuts the connection to PostgreSQL under an open
// store: the next calls fail with errors IsUnusable recognises.
func TestPostgresGoneIsUnusable(t *testing.T) {
	ctx := context.Background()
	dsn := postgresDSN(t)
	proxy, via := storetest.NewProxy(t, dsn)
	st := storetest.Open(t, via, store.Config{})
	fillFrontier(t, st, 10)
	proxy.Cut()
	for _, call := range []func() error{
		func() error { _, err := st.Lease(ctx, "w", 5, time.Now(), time.Minute); return err },
		func() error { _, err := st.Seen(ctx, "https://news1.example/x"); return err },
	} {
		err := call()
		if err == nil {
			t.Fatal("a store whose server is gone answered")
		}
		if !store.IsUnusable(err) {
			t.Errorf("error with the server gone not recognised as unusable: %v", err)
		}
	}
}

// TestUnusableLeavesOrdinaryErrors: errors of the caller's own making,
// context ends, and network errors of a fetch are not the store's fault.
func TestUnusableLeavesOrdinaryErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := storetest.Open(t, sqliteDSN(t), store.Config{})
	cancel()
	_, err := st.Lease(ctx, "w", 5, time.Now(), time.Minute)
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	fetch := fmt.Errorf("get http://news.example/a: %w", reset)
	for _, e := range []error{err, errors.New("clean: no article"), context.DeadlineExceeded, store.ErrLocked, fetch, io.ErrUnexpectedEOF} {
		if store.IsUnusable(e) {
			t.Errorf("%v counted as an unusable store", e)
		}
	}
}
