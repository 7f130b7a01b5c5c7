package crawler

// Tests of the colly v2.3.0 workarounds in fetch.go (see "Fetching with
// colly" in doc.go): one test per bug or per colly feature turned off.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/cleaner"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// collyFetcher is a fetcher with the test configuration.
func collyFetcher(mod func(*Config)) *fetcher {
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	return newFetcher(cfg.WithDefaults())
}

// colly's OnError fires for every status >= 203 unless ParseHTTPErrorResponse
// is on, and its error keeps only the status text. 2xx answers must be
// successes with their body; other statuses an *HTTPError with the code.
func TestCollyStatuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		_, _ = fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/status/"), "%d", &code)
		if code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "7")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		if code != http.StatusNoContent && code != http.StatusNotModified {
			fmt.Fprintf(w, "<html><body>status %d</body></html>", code)
		}
	}))
	defer srv.Close()
	f := collyFetcher(nil)
	for _, tc := range []struct {
		code       int
		class      string // "" for a success
		body       bool
		retryAfter time.Duration
	}{
		{code: 200, body: true},
		{code: 201, body: true},
		{code: 203, body: true},
		{code: 204},
		{code: 206, body: true},
		{code: 304, class: frontier.ClassHTTPOther}, // not asked for: see the conditional GET below
		{code: 404, class: frontier.ClassHTTP4xx},
		{code: 410, class: frontier.ClassHTTP4xx},
		{code: 429, class: frontier.ClassHTTP429, retryAfter: 7 * time.Second},
		{code: 500, class: frontier.ClassHTTP5xx},
		{code: 503, class: frontier.ClassHTTP5xx, retryAfter: 7 * time.Second},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			resp, err := f.fetch(context.Background(), fmt.Sprintf("%s/status/%d", srv.URL, tc.code), nil, nil)
			switch tc.class {
			case "":
				if err != nil {
					t.Fatalf("err = %v, want a success", err)
				}
				want := ""
				if tc.body {
					want = fmt.Sprintf("<html><body>status %d</body></html>", tc.code)
				}
				if resp.Status != tc.code || string(resp.Body) != want {
					t.Errorf("status %d body %q, want %d %q", resp.Status, resp.Body, tc.code, want)
				}
			default:
				var he *HTTPError
				if !errors.As(err, &he) || he.Status != tc.code || he.RetryAfter != tc.retryAfter {
					t.Fatalf("err = %#v, want HTTPError %d with Retry-After %v", err, tc.code, tc.retryAfter)
				}
				if class, _ := classify(err); class != tc.class {
					t.Errorf("class %q, want %q", class, tc.class)
				}
				// (net/http sends no Content-Type with a 304.)
				if resp == nil || resp.Status != tc.code || (resp.Header.Get("Content-Type") == "" && tc.code != http.StatusNotModified) || len(resp.Body) != 0 {
					t.Errorf("resp %+v, want status and header, no body", resp)
				}
			}
		})
	}
	// A 304 to a conditional GET is ErrNotModified, with the response.
	for _, hdr := range []http.Header{{"If-None-Match": {`"v1"`}}, {"If-Modified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"}}} {
		resp, err := f.fetch(context.Background(), srv.URL+"/status/304", hdr, nil)
		if !errors.Is(err, ErrNotModified) || resp == nil || resp.Status != http.StatusNotModified {
			t.Errorf("conditional GET %v: err = %v, resp %+v; want ErrNotModified", hdr, err, resp)
		}
	}
}

// colly gunzips any body whose URL ends in .xml.gz or whose Content-Type
// says gzip, so a 404 HTML page at sitemap.xml.gz becomes a gzip error. Here
// statuses come first and bodies come raw (Content-Encoding removed only).
func TestCollyNoForcedGunzip(t *testing.T) {
	const xml = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`
	const page = "<!doctype html><html><body>Not a sitemap</body></html>"
	mux := http.NewServeMux()
	mux.HandleFunc("/missing/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><body>Page not found</body></html>")
	})
	mux.HandleFunc("/html/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/gzip-type", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		fmt.Fprint(w, "plain text, not gzip")
	})
	mux.HandleFunc("/file/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		_, _ = w.Write(gz(xml))
	})
	mux.HandleFunc("/encoded/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz(xml))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := collyFetcher(nil)
	for _, tc := range []struct {
		path   string
		status int    // for an HTTPError
		body   string // for a success
	}{
		{path: "/missing/sitemap.xml.gz", status: 404},
		{path: "/html/sitemap.xml.gz", body: page},
		{path: "/gzip-type", body: "plain text, not gzip"},
		{path: "/file/sitemap.xml.gz", body: string(gz(xml))}, // the file: the poller gunzips it
		{path: "/encoded/sitemap.xml.gz", body: xml},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := f.fetch(context.Background(), srv.URL+tc.path, nil, nil)
			if tc.status != 0 {
				var he *HTTPError
				class, _ := classify(err)
				if !errors.As(err, &he) || he.Status != tc.status || class != frontier.ClassHTTP4xx {
					t.Errorf("err = %v (class %s), want HTTPError %d, http_4xx", err, class, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if string(resp.Body) != tc.body {
				t.Errorf("body %q, want %q", resp.Body, tc.body)
			}
		})
	}
}

// gzipSitemapServer serves gzip sitemaps (as a file, and with
// Content-Encoding), their articles, and two gzip bombs at .xml.gz URLs.
func gzipSitemapServer(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	sitemap := func(prefix string) string {
		return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%[1]s/%[2]s/1</loc></url><url><loc>%[1]s/%[2]s/2</loc></url></urlset>`, srv.URL, prefix)
	}
	// Inflates to 8 MiB, 128 times the test limit, from about 8 KiB.
	bomb := gz(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
		strings.Repeat(" ", 8<<20))
	mux := http.NewServeMux()
	mux.HandleFunc("/file.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		_, _ = w.Write(gz(sitemap("file")))
	})
	mux.HandleFunc("/encoded.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz(sitemap("encoded")))
	})
	mux.HandleFunc("/bomb.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		_, _ = w.Write(bomb)
	})
	mux.HandleFunc("/bomb-encoded.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb)
	})
	for _, p := range []string{"/file/", "/encoded/"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, articleHTML("Article "+r.URL.Path, "", false))
		})
	}
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Real gzip sitemaps at .xml.gz still work through the crawl, served as a
// file or with Content-Encoding; gzip bombs at .xml.gz are too_large either
// way, within the limit.
func TestCollyGzipSitemaps(t *testing.T) {
	srv := gzipSitemapServer(t)
	cfg := testConfig()
	cfg.MaxRetries = -1
	st := frontier.NewMemoryState()
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	seeds := []string{srv.URL + "/file.xml.gz", srv.URL + "/encoded.xml.gz", srv.URL + "/bomb.xml.gz", srv.URL + "/bomb-encoded.xml.gz"}
	sum, err := c.Crawl(context.Background(), seeds, false, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range []string{"/file/1", "/file/2", "/encoded/1", "/encoded/2"} {
		want = append(want, srv.URL+p)
	}
	if got := rec.urls(); fmt.Sprint(got) != fmt.Sprint(sortedCopy(want)) {
		t.Errorf("handled %v, want %v", got, sortedCopy(want))
	}
	for _, s := range seeds[2:] {
		if state, class := st.JobStatus(s); state != "failed" || class != frontier.ClassTooLarge {
			t.Errorf("%s: %s %s, want failed too_large", s, state, class)
		}
	}
	if sum.ErrorsByClass[frontier.ClassTooLarge] != 2 || sum.ErrorsByClass[frontier.ClassDecode] != 0 {
		t.Errorf("errors by class %v, want too_large 2", sum.ErrorsByClass)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// colly converts bodies to UTF-8 from the header's charset alone (ignoring
// <meta>, and wrongly when the label lies). The handler gets the bytes as
// served with the Content-Type header, and the cleaner decodes them right.
func TestCollyKeepsRawCharset(t *testing.T) {
	para := "<p>The café on the corner serves coffee to the whole street every morning, as it has for forty years, " +
		"and the regulars say nothing will ever change it.</p>"
	doc := func(meta string) string {
		return "<!doctype html><html><head>" + meta + "<title>Corner café</title></head><body><article><h1>Corner café</h1>" +
			strings.Repeat(para, 4) + "</article></body></html>"
	}
	latin1 := func(s string) string { // windows-1252 for the runes used here
		var b strings.Builder
		for _, r := range s {
			b.WriteByte(byte(r))
		}
		return b.String()
	}
	pages := map[string]struct{ ct, body string }{
		// Colly would convert this one right, but the bytes must stay raw.
		"/cp1252": {"text/html; charset=windows-1252", latin1(doc(""))},
		// A legacy label on a UTF-8 page (a server default): colly would
		// turn "café" into "cafÃ©".
		"/lying-label": {"text/html; charset=iso-8859-1", doc("")},
		// Only <meta> says windows-1252: colly ignores it.
		"/meta": {"text/html", latin1(doc(`<meta charset="windows-1252">`))},
		// A UTF-8 BOM against the header's label: the BOM wins.
		"/bom": {"text/html; charset=windows-1252", "\xef\xbb\xbf" + doc("")},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.ct)
		fmt.Fprint(w, p.body)
	}))
	defer srv.Close()
	c, err := New(testConfig(), frontier.NewMemoryState(), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]Fetched{}
	var urls []string
	for p := range pages {
		urls = append(urls, srv.URL+p)
	}
	_, err = c.Ingest(context.Background(), urls, func(_ context.Context, f Fetched) error {
		mu.Lock()
		defer mu.Unlock()
		got[strings.TrimPrefix(f.URL, srv.URL)] = f
		return nil
	}, func(u string, err error) {
		if err != nil {
			t.Errorf("%s: %v", u, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	cl := cleaner.New(cleaner.Config{})
	for p, want := range pages {
		t.Run(p, func(t *testing.T) {
			f, ok := got[p]
			if !ok {
				t.Fatal("not handled")
			}
			if string(f.Body) != want.body {
				t.Errorf("body not raw: got %d bytes %q..., served %d bytes", len(f.Body), f.Body[:min(len(f.Body), 80)], len(want.body))
			}
			if ct := f.Header.Get("Content-Type"); ct != want.ct {
				t.Errorf("Content-Type %q, want %q", ct, want.ct)
			}
			d, err := cl.Clean(f.Body, f.URL, f.Header.Get("Content-Type"))
			if err != nil {
				t.Fatalf("clean: %v", err)
			}
			if !strings.Contains(d.Text, "The café on the corner") || strings.Contains(d.Text, "Ã") {
				t.Errorf("cleaned text %.120q, want \"café\"", d.Text)
			}
		})
	}
}

// colly's default collector keeps a cookie jar; ours has none: a cookie set
// by a server (on a redirect or a page) is never sent back.
func TestCollyNoCookies(t *testing.T) {
	var mu sync.Mutex
	var cookies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cookies = append(cookies, r.URL.Path+"="+r.Header.Get("Cookie"))
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "secret", Path: "/"})
		if r.URL.Path == "/set" {
			http.Redirect(w, r, "/landing", http.StatusFound)
			return
		}
		fmt.Fprint(w, "<html>ok</html>")
	}))
	defer srv.Close()
	f := collyFetcher(nil)
	for _, p := range []string{"/set", "/again"} {
		if _, err := f.fetch(context.Background(), srv.URL+p, nil, nil); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "[/set= /landing= /again=]"; fmt.Sprint(cookies) != want {
		t.Errorf("requests and their Cookie headers %v, want %s", cookies, want)
	}
}

// Redirects are followed by colly's http.Client with our redirect handler:
// hops counted against MaxRedirects, loops found on normalised URLs, only
// http(s), validators dropped on hops, the hook called before each hop and
// its error returned.
func TestCollyRedirects(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // path -> If-None-Match it came with
	mux := http.NewServeMux()
	mux.HandleFunc("/chain/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Get("If-None-Match")
		mu.Unlock()
		var n int
		_, _ = fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/chain/"), "%d", &n)
		if n == 0 {
			fmt.Fprint(w, "<html>end of the chain</html>")
			return
		}
		code := []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect,
			http.StatusPermanentRedirect}[n%5]
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), code)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b?utm_source=x", http.StatusFound)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a#top", http.StatusFound) // the same URL once normalised
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.invalid/file", http.StatusFound)
	})
	mux.HandleFunc("/bad-location", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://[::1")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/no-location", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, tc := range []struct {
		name         string
		path         string
		maxRedirects int
		hookErr      error
		want         error // nil for a success
		hops         int   // hook calls
		final        string
	}{
		{name: "chain of 5", path: "/chain/5", maxRedirects: 5, hops: 5, final: "/chain/0"},
		{name: "too many", path: "/chain/5", maxRedirects: 4, want: ErrTooManyRedirects, hops: 4},
		{name: "one allowed", path: "/chain/2", maxRedirects: 1, want: ErrTooManyRedirects, hops: 1},
		{name: "loop", path: "/loop/a", maxRedirects: 10, want: ErrRedirectLoop, hops: 1},
		{name: "hook refuses", path: "/chain/3", maxRedirects: 10, hookErr: ErrRobots, want: ErrRobots, hops: 1},
		{name: "to ftp", path: "/to-ftp", maxRedirects: 10, want: ErrBadURL},
		{name: "bad location", path: "/bad-location", maxRedirects: 10, want: ErrBadURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			clear(seen)
			mu.Unlock()
			f := collyFetcher(func(c *Config) { c.MaxRedirects = tc.maxRedirects })
			var hops []string
			hook := func(ctx context.Context, next *url.URL) error {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				hops = append(hops, next.Path)
				return tc.hookErr
			}
			resp, err := f.fetch(context.Background(), srv.URL+tc.path, http.Header{"If-None-Match": {`"v1"`}}, hook)
			if len(hops) != tc.hops {
				t.Errorf("hook called for %v, want %d hops", hops, tc.hops)
			}
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.FinalURL != srv.URL+tc.final || string(resp.Body) != "<html>end of the chain</html>" {
				t.Errorf("final %s body %q", resp.FinalURL, resp.Body)
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[tc.path] != `"v1"` || seen[tc.final] != "" {
				t.Errorf("If-None-Match per hop %v: want it on the first request only", seen)
			}
		})
	}
	// A 302 without Location is the answer: an HTTPError, not a hop.
	_, err := collyFetcher(nil).fetch(context.Background(), srv.URL+"/no-location", nil, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusFound {
		t.Errorf("302 without Location: err = %v", err)
	}
}

// The collector's context carries the fetch's timeout and its caller's
// cancellation down to body reads: a trickling body is cut off.
func TestCollyTimeoutAndCancel(t *testing.T) {
	var open atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open.Add(1)
		defer open.Add(-1)
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 400; i++ { // 20 s if nobody hangs up
			if _, err := io.WriteString(w, "<p>x</p>"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		cancel  time.Duration // cancel the caller's ctx after this; 0 never
		class   string
	}{
		{name: "timeout", timeout: 300 * time.Millisecond, class: frontier.ClassTimeout},
		{name: "cancel", timeout: time.Minute, cancel: 300 * time.Millisecond, class: frontier.ClassInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := collyFetcher(func(c *Config) { c.Timeout = tc.timeout })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel > 0 {
				time.AfterFunc(tc.cancel, cancel)
			}
			// The class says which limit ended the fetch: without the
			// timeout or the cancel, the body would end after 20 s, no error.
			_, err := f.fetch(ctx, srv.URL+"/live", nil, nil)
			if class, _ := classify(err); class != tc.class {
				t.Errorf("err = %v (class %q), want class %q", err, class, tc.class)
			}
		})
	}
	// The server saw the client leave: its handlers end long before the
	// 20 s their bodies would last (waited for up to half of that, which a
	// busy machine cannot miss: the handler notices at its next write).
	deadline := time.Now().Add(10 * time.Second)
	for open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := open.Load(); n > 0 {
		t.Errorf("%d trickling responses still being written", n)
	}
}

// Fetches run concurrently on one fetcher, each on its own clone of the
// collector: no state leaks from one to another.
func TestCollyConcurrentFetches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/r/") {
			http.Redirect(w, r, "/p/"+strings.TrimPrefix(r.URL.Path, "/r/"), http.StatusFound)
			return
		}
		if strings.HasSuffix(r.URL.Path, "7") {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, r.URL.Path)
	}))
	defer srv.Close()
	f := collyFetcher(nil)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hooks int
			hook := func(context.Context, *url.URL) error { hooks++; return nil }
			resp, err := f.fetch(context.Background(), fmt.Sprintf("%s/r/%d", srv.URL, i), nil, hook)
			want := fmt.Sprintf("/p/%d", i)
			switch {
			case i%10 == 7:
				var he *HTTPError
				if !errors.As(err, &he) || he.Status != 404 || he.URL != srv.URL+want || hooks != 1 {
					errs <- fmt.Errorf("%d: err %v, %d hooks", i, err, hooks)
				}
			case err != nil:
				errs <- fmt.Errorf("%d: %v", i, err)
			case string(resp.Body) != want || resp.FinalURL != srv.URL+want || hooks != 1:
				errs <- fmt.Errorf("%d: body %q final %s, %d hooks", i, resp.Body, resp.FinalURL, hooks)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// COLLY_* environment variables change a collector made by NewCollector
// after its options; ours is made with Init and ignores them.
func TestCollyIgnoresEnvironment(t *testing.T) {
	cache := t.TempDir()
	for k, v := range map[string]string{"COLLY_MAX_BODY_SIZE": "16", "COLLY_USER_AGENT": "someone-else",
		"COLLY_CACHE_DIR": cache, "COLLY_FOLLOW_REDIRECTS": "no", "COLLY_IGNORE_ROBOTSTXT": "no"} {
		t.Setenv(k, v)
	}
	page := articleHTML("Environment", "", false)
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents = append(agents, r.Header.Get("User-Agent"))
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
			return
		}
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	f := collyFetcher(nil)
	resp, err := f.fetch(context.Background(), srv.URL+"/from", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ua := testConfig().UserAgent
	if string(resp.Body) != page || resp.FinalURL != srv.URL+"/to" || fmt.Sprint(agents) != fmt.Sprint([]string{ua, ua}) {
		t.Errorf("body %d bytes (want %d), final %s, agents %q", len(resp.Body), len(page), resp.FinalURL, agents)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("colly cached %d entries", len(entries))
	}
}

// An error answer is aborted in OnResponseHeaders, which alone would close
// the connection; fetchTransport drains it, so the next request reuses it.
func TestCollyErrorAnswerKeepsConnection(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, strings.Repeat("<p>Not found.</p>", 1000)) // 17 KB
			return
		}
		fmt.Fprint(w, "<html>ok</html>")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	f := collyFetcher(nil)
	for _, p := range []string{"/missing", "/ok", "/missing", "/ok"} {
		_, _ = f.fetch(context.Background(), srv.URL+p, nil, nil)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for four sequential requests, want 1", n)
	}
}

// BenchmarkFetch is the cost of one fetch of a 40 KiB page on loopback,
// collector clone and callbacks included (compare with the same loop on
// plain net/http to see what colly costs).
func BenchmarkFetch(b *testing.B) {
	page := []byte(strings.Repeat(articleHTML("Benchmark", "", false), 40<<10/len(articleHTML("Benchmark", "", false))))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	defer srv.Close()
	f := collyFetcher(func(c *Config) { c.MaxBodyBytes = 1 << 20 })
	ctx := context.Background()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := f.fetch(ctx, srv.URL+"/page", nil, nil)
		if err != nil || len(resp.Body) != len(page) {
			b.Fatalf("fetch: %v", err)
		}
	}
}
