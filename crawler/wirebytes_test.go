package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// TestFetchRecordBytes: the fetch log's byte count is what came over the
// wire: a gzipped page counts its compressed size, and a redirect's own
// body counts with the page it leads to.
func TestFetchRecordBytes(t *testing.T) {
	page := articleHTML("Bytes "+strings.Repeat("counted ", 200), "", false)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte(page)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	const moved = "moved: see /new.html"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/old.html":
			w.Header().Set("Location", "/new.html")
			w.WriteHeader(http.StatusMovedPermanently)
			_, _ = w.Write([]byte(moved))
		case "/page.html", "/new.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz.Bytes())
		}
	}))
	defer srv.Close()
	st := frontier.NewMemoryState()
	urls := []string{srv.URL + "/page.html", srv.URL + "/old.html"}
	for _, u := range urls {
		if _, err := st.Enqueue(context.Background(), []frontier.Job{{URL: u, Host: frontier.HostOf(u), Kind: frontier.KindArticle, NotBefore: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := New(testConfig(), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := newRecorder()
	if _, err := c.Crawl(context.Background(), nil, false, func(ctx context.Context, f Fetched) error {
		if string(f.Body) != page {
			t.Errorf("%s: body not the page, decoded", f.URL)
		}
		return rec.handle(ctx, f)
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{urls[0]: int64(gz.Len()), urls[1]: int64(len(moved) + gz.Len())}
	seen := 0
	for _, r := range st.FetchLog() {
		if w, ok := want[r.URL]; ok && r.Kind == frontier.KindArticle {
			seen++
			if r.Bytes != w {
				t.Errorf("%s: %d bytes logged, want %d (gzip %d, page %d decoded)", r.URL, r.Bytes, w, gz.Len(), len(page))
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d article fetches logged, want 2: %+v", seen, st.FetchLog())
	}
}
