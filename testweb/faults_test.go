package testweb

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// TestFaultsBehaveAsDocumented requests one URL of every fault kind until it
// recovers, and every trap once, checking what the documentation promises.
func TestFaultsBehaveAsDocumented(t *testing.T) {
	w := startWeb(t, Options{Seed: 21, Stories: 150, Faults: true, SlowDelay: 40 * time.Millisecond})
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	noRedirect := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	gzipClient := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	freshConn := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

	byKind := map[string]Page{}
	faulty := 0
	for _, p := range w.Truth() {
		if p.Fault != "" {
			faulty++
			if _, ok := byKind[p.Fault]; !ok {
				byKind[p.Fault] = p
			}
		}
		if p.Disallowed && p.Fault != "" {
			t.Errorf("%s: disallowed page with a fault", p.URL)
		}
	}
	for _, k := range []string{FaultTooMany, FaultUnavailable, FaultServerError, FaultReset, FaultTruncatedGzip, FaultSlow} {
		p, ok := byKind[k]
		if !ok {
			t.Errorf("no page with fault %s among %d faulty pages", k, faulty)
			continue
		}
		for attempt := 1; attempt <= p.FaultCount+1; attempt++ {
			failing := attempt <= p.FaultCount
			start := time.Now()
			c := noRedirect
			switch k {
			case FaultTruncatedGzip:
				c = gzipClient
			case FaultReset:
				// a Go client retries a GET reset on a reused connection by
				// itself; a fresh connection shows the reset
				c = freshConn
			}
			resp, err := c.Get(p.URL)
			var body []byte
			var readErr error
			if err == nil {
				body, readErr = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			switch {
			case !failing || k == FaultSlow:
				if err != nil || readErr != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "</html>") {
					t.Errorf("%s (%s) attempt %d: want a full 200, got %v %v %v", p.URL, k, attempt, err, readErr, resp)
				}
				if k == FaultSlow && time.Since(start) < 40*time.Millisecond {
					t.Errorf("%s: slow page answered in %v", p.URL, time.Since(start))
				}
			case k == FaultTooMany:
				if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
					t.Errorf("%s attempt %d: want 429 with Retry-After 1, got %v %v", p.URL, attempt, err, resp)
				}
			case k == FaultUnavailable:
				if err != nil || resp.StatusCode != 503 {
					t.Fatalf("%s attempt %d: want 503, got %v %v", p.URL, attempt, err, resp)
				}
				at, perr := http.ParseTime(resp.Header.Get("Retry-After"))
				if perr != nil || at.Before(start.Add(time.Second).Truncate(time.Second)) {
					t.Errorf("%s: Retry-After %q is no HTTP date at least 1s ahead", p.URL, resp.Header.Get("Retry-After"))
				}
			case k == FaultServerError:
				if err != nil || resp.StatusCode < 500 {
					t.Errorf("%s attempt %d: want a 5xx, got %v %v", p.URL, attempt, err, resp)
				}
			case k == FaultReset:
				if err == nil {
					t.Errorf("%s attempt %d: want a reset, got %v", p.URL, attempt, resp.Status)
				}
			case k == FaultTruncatedGzip:
				if err == nil && readErr == nil {
					t.Errorf("%s attempt %d: want a gzip error, read %d bytes cleanly", p.URL, attempt, len(body))
				}
			}
		}
	}

	// the request log shows the faults, and ResetRequests re-arms them
	logged := 0
	for _, r := range w.Requests() {
		if r.Fault != "" {
			logged++
		}
	}
	if logged < len(byKind) {
		t.Errorf("request log shows %d faulty answers, want >= %d", logged, len(byKind))
	}
	w.ResetRequests()
	if p, ok := byKind[FaultServerError]; ok {
		resp, err := noRedirect.Get(p.URL)
		if err != nil || resp.StatusCode < 500 {
			t.Errorf("after ResetRequests %s should fail again: %v %v", p.URL, err, resp)
		} else {
			resp.Body.Close()
		}
	}

	// traps
	traps := map[string]string{}
	for _, tp := range w.Traps() {
		traps[tp.Kind] = tp.URL
	}
	fetch := func(kind string, c *http.Client) (*http.Response, error) {
		u, ok := traps[kind]
		if !ok {
			t.Fatalf("no trap %s", kind)
		}
		return c.Get(u)
	}
	if resp, err := fetch(TrapOversized, noRedirect); err != nil || resp.ContentLength != 20<<20 {
		t.Errorf("oversized: %v %v", err, resp)
	} else {
		n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if n != 16<<20 {
			t.Errorf("oversized: read %d bytes", n)
		}
	}
	for _, kind := range []string{TrapEndless, TrapTrickle} {
		resp, err := fetch(kind, noRedirect)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", kind, err, resp)
		}
		buf := make([]byte, 64)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
		resp.Body.Close() // the server must notice and stop
	}
	if resp, err := fetch(TrapGzipBomb, noRedirect); err != nil || resp.Header.Get("Content-Encoding") != "gzip" || resp.ContentLength > 1<<20 {
		t.Errorf("gzip bomb: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	follow := &http.Client{Timeout: 10 * time.Second}
	if resp, err := fetch(TrapRedirectLoop, follow); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: want a too-many-redirects error, got %v", err)
		if err == nil {
			resp.Body.Close()
		}
	}
	if resp, err := fetch(TrapRedirectLong, follow); err == nil {
		t.Errorf("long redirect chain: want an error from a client that stops at 10")
		resp.Body.Close()
	}
	if resp, err := fetch(TrapRedirectChain, follow); err != nil || resp.StatusCode != 200 {
		t.Errorf("redirect chain: %v %v", err, resp)
	} else {
		resp.Body.Close()
		if _, ok := w.TruthFor(resp.Request.URL.String()); !ok {
			t.Errorf("redirect chain ends at %s, no labelled article", resp.Request.URL)
		}
	}
	want := map[string]func(*http.Response) bool{
		TrapNotHTML:      func(r *http.Response) bool { return r.Header.Get("Content-Type") == "application/pdf" },
		TrapBinaryAsHTML: func(r *http.Response) bool { return strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") },
		TrapGone:         func(r *http.Response) bool { return r.StatusCode == 410 },
		TrapNotFound:     func(r *http.Response) bool { return r.StatusCode == 404 },
		TrapHTMLAsFeed:   func(r *http.Response) bool { return strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") },
	}
	for kind, ok := range want {
		resp, err := fetch(kind, noRedirect)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if !ok(resp) {
			t.Errorf("%s: status %d, Content-Type %q", kind, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	resp, err := fetch(TrapMalformedFeed, noRedirect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gofeed.NewParser().Parse(resp.Body); err == nil {
		t.Error("malformed feed parsed without error")
	}
	resp.Body.Close()
	// the first feed of outlet 1 answers 503 once, then the feed
	o1 := w.Outlets()[1]
	w.ResetRequests()
	for i, code := range []int{503, 200} {
		resp, err := noRedirect.Get(o1.Feeds[0].URL)
		if err != nil || resp.StatusCode != code {
			t.Errorf("feed request %d: want %d, got %v %v", i+1, code, err, resp)
			continue
		}
		resp.Body.Close()
	}
}

// TestCheckPoliteness shows the checker catches an impolite client and
// passes a polite one.
func TestCheckPoliteness(t *testing.T) {
	w := startWeb(t, Options{Seed: 22, Stories: 60, Faults: true})
	c := &http.Client{Timeout: 10 * time.Second}
	var tooMany Page
	var private Page
	var pages []Page
	for _, p := range w.Truth() {
		switch {
		case p.Fault == FaultTooMany && tooMany.URL == "":
			tooMany = p
		case p.Disallowed && private.URL == "":
			private = p
		case p.Fault == "" && !p.Disallowed && len(pages) < 3 && p.OutletIndex == 0:
			pages = append(pages, p)
		}
	}
	if tooMany.URL == "" || private.URL == "" || len(pages) < 3 {
		t.Fatal("test web lacks a 429 page, a disallowed page or three plain pages on outlet 0")
	}
	getAll := func(urls ...string) {
		for _, u := range urls {
			resp, err := c.Get(u)
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	// impolite: back-to-back, the 429 retried at once, a disallowed fetch
	getAll(pages[0].URL, pages[1].URL, tooMany.URL, tooMany.URL, private.URL)
	kinds := map[string]int{}
	// Checked against an hour's delay, not 200 ms: back-to-back requests on a
	// busy machine may well be 200 ms apart, but never an hour.
	for _, v := range w.CheckPoliteness(time.Hour) {
		kinds[v.Kind]++
	}
	if kinds["delay"] == 0 || kinds["retry_after"] == 0 || kinds["disallowed"] != 1 {
		t.Errorf("impolite client: violations %v, want delay, retry_after and one disallowed", kinds)
	}
	// polite: one request per 250ms per host, the Retry-After waited out
	w.ResetRequests()
	for i, u := range []string{pages[2].URL, tooMany.URL} {
		if i > 0 {
			time.Sleep(250 * time.Millisecond)
		}
		getAll(u)
	}
	for attempt := 0; attempt < tooMany.FaultCount; attempt++ {
		time.Sleep(time.Second + 50*time.Millisecond)
		getAll(tooMany.URL)
	}
	if v := w.CheckPoliteness(200 * time.Millisecond); len(v) != 0 {
		t.Errorf("polite client flagged: %v", v)
	}
	last := w.Requests()
	if got := last[len(last)-1]; got.Status != 200 || got.URL != tooMany.URL {
		t.Errorf("last request %s answered %d, want %s 200 ("+strconv.Itoa(tooMany.FaultCount)+" failures first)", got.URL, got.Status, tooMany.URL)
	}
}
