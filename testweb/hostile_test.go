package testweb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func startHostile(t *testing.T, opts HostileOptions) *Hostile {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h, err := StartHostile(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// rawClient follows no redirects, asks for no compression and does not
// decode any.
func rawClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		Transport:     &http.Transport{DisableCompression: true, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TestHostileServesWhatItSays checks every case of the hostile web against
// its description, with a plain client that never follows a redirect.
func TestHostileServesWhatItSays(t *testing.T) {
	h := startHostile(t, HostileOptions{Stall: 3 * time.Second, HugeFeedItems: 2000, BombBytes: 1 << 30})
	cases := h.Cases()
	byName := map[string]HostileCase{}
	urls := map[string]bool{}
	for _, c := range cases {
		if _, dup := byName[c.Name]; dup || urls[c.URL] {
			t.Fatalf("case %s (%s) listed twice", c.Name, c.URL)
		}
		byName[c.Name] = c
		urls[c.URL] = true
		if !strings.HasPrefix(c.URL, h.URL+"/") && !strings.HasPrefix(c.URL, h.FlakyURL+"/") && !strings.HasPrefix(c.URL, h.BombRobotsURL+"/") {
			t.Errorf("%s: %s is not on %s", c.Name, c.URL, h.URL)
		}
		outcomes := 0
		for _, b := range []bool{c.Stored, c.Polled, !c.Stored && c.Class != "", !c.Stored && c.Deferred} {
			if b {
				outcomes++
			}
		}
		if outcomes != 1 || (c.Stored && c.Class != "" && !c.Transient) {
			t.Errorf("%s: stored %v, polled %v, class %q: want one outcome", c.Name, c.Stored, c.Polled, c.Class)
		}
	}
	if len(h.Seeds()) < 5 {
		t.Errorf("seeds: %v", h.Seeds())
	}
	cl := rawClient(10 * time.Second)
	// answer is what get keeps of a response whose body it read and closed.
	type answer struct {
		StatusCode int
		Header     http.Header
	}
	get := func(name string) (answer, []byte) {
		t.Helper()
		c, ok := byName[name]
		if !ok {
			t.Fatalf("no case %s", name)
		}
		u := c.URL
		if c.Stored {
			u = c.FinalURL
		}
		if name == "redirect_adds_tracking" {
			u += "?utm_source=web" // without it: a 302 to it
		}
		resp, err := cl.Get(u)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		if err != nil {
			t.Fatalf("%s: read: %v", name, err)
		}
		return answer{resp.StatusCode, resp.Header}, b
	}

	// Good pages: each decodes with the charset it stands for into its text.
	decoders := map[string]encoding.Encoding{
		"charset_undeclared_1252":       charmap.Windows1252,
		"charset_late_meta":             charmap.Windows1250,
		"charset_commented_meta":        charmap.Windows1252,
		"charset_meta_utf8_body_1252":   charmap.Windows1252,
		"charset_header_utf8_body_1252": charmap.Windows1252,
		"charset_xml_prolog_cp1250":     charmap.Windows1250,
		"charset_xml_prolog":            charmap.ISO8859_1,
		"charset_utf16le_bom":           unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM),
		"charset_utf16be_header_no_bom": unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	}
	for _, c := range cases {
		if !c.Stored {
			continue
		}
		if c.Name == "retry_after_429" || c.Name == "unavailable_503" || c.Name == "retry_after_far" {
			continue // below
		}
		resp, body := get(c.Name)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", c.Name, resp.StatusCode)
			continue
		}
		switch resp.Header.Get("Content-Encoding") {
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		case "br":
			body, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
		}
		if d, ok := decoders[c.Name]; ok {
			var err error
			if body, err = d.NewDecoder().Bytes(body); err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
		}
		first, _, _ := strings.Cut(c.Text, "\n\n")
		if !bytes.Contains(body, []byte(esc(first))) {
			t.Errorf("%s: the page does not contain its first paragraph %q", c.Name, first)
		}
		if !utf8Contains(c.Text) {
			t.Errorf("%s: text has no non-ASCII character to check the charset with", c.Name)
		}
	}
	if !strings.Contains(byName["charset_late_meta"].Text, "Łódź") {
		t.Error("charset_late_meta: Polish letters missing from the truth")
	}
	if resp, _ := get("charset_header_vs_meta"); resp.Header.Get("Content-Type") != "text/html; charset=windows-1252" {
		t.Errorf("charset_header_vs_meta: Content-Type %q", resp.Header.Get("Content-Type"))
	}

	// 429 once, 503 twice, then the pages.
	for name, statuses := range map[string][]int{
		"retry_after_429": {429, 200, 200},
		"unavailable_503": {503, 503, 200},
		"retry_after_far": {429, 200},
		"always_429":      {429, 429, 429},
	} {
		for i, want := range statuses {
			resp, _ := get(name)
			if resp.StatusCode != want {
				t.Errorf("%s: request %d: status %d, want %d", name, i+1, resp.StatusCode, want)
			}
			if want == 429 && resp.Header.Get("Retry-After") != map[bool]string{true: "86400", false: "1"}[name == "retry_after_far"] {
				t.Errorf("%s: Retry-After %q", name, resp.Header.Get("Retry-After"))
			}
		}
	}

	// Bombs: tens of MiB inflated from a few KiB on the wire.
	for _, name := range []string{"gzip_bomb", "brotli_bomb"} {
		resp, err := cl.Get(byName[name].URL)
		if err != nil {
			t.Fatal(err)
		}
		wire := &countingReader{r: resp.Body}
		var rd io.Reader
		if name == "gzip_bomb" {
			rd, err = gzip.NewReader(wire)
			if err != nil {
				t.Fatal(err)
			}
		} else {
			rd = brotli.NewReader(wire)
		}
		n, err := io.CopyN(io.Discard, rd, 64<<20)
		resp.Body.Close()
		if err != nil || n != 64<<20 {
			t.Errorf("%s: inflated %d bytes: %v", name, n, err)
		}
		if wire.n > 256<<10 {
			t.Errorf("%s: %d bytes on the wire for 64 MiB", name, wire.n)
		}
	}
	if ans, body := get("sitemap_gzip_bomb_double"); ans.Header.Get("Content-Encoding") != "gzip" || len(body) > 64<<10 {
		t.Errorf("double bomb: %d bytes on the wire, encoding %q", len(body), ans.Header.Get("Content-Encoding"))
	}

	// Endless and oversized bodies.
	resp, err := cl.Get(byName["endless"].URL)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.CopyN(io.Discard, resp.Body, 40<<20); err != nil || resp.ContentLength != -1 {
		t.Errorf("endless: read %d bytes, content-length %d: %v", n, resp.ContentLength, err)
	}
	resp.Body.Close()
	resp, err = cl.Get(byName["oversized_declared"].URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != 1<<30 {
		t.Errorf("oversized_declared: content-length %d", resp.ContentLength)
	}

	// Hanging and trickling answers outlast a short timeout.
	short := rawClient(700 * time.Millisecond)
	var wg sync.WaitGroup
	for _, name := range []string{"trickle", "hang_after_headers", "hang_before_headers"} {
		wg.Go(func() {
			resp, err := short.Get(byName[name].URL)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			var ne interface{ Timeout() bool }
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%s: want a timeout, got %v", name, err)
			}
		})
	}
	wg.Wait()

	// Resets and cuts.
	for _, name := range []string{"reset_before_headers", "reset_mid_body", "truncated"} {
		resp, err := cl.Get(byName[name].URL)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}

	// Binary bodies.
	if resp, body := get("binary_png_as_html"); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.HasPrefix(body, []byte("\x89PNG")) {
		t.Errorf("binary_png_as_html: %q, %q", resp.Header.Get("Content-Type"), body[:8])
	}
	if resp, body := get("pdf"); resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("pdf: %q", resp.Header.Get("Content-Type"))
	}

	// Redirects, followed by hand.
	follow := func(u string, hops int) (string, int) {
		for i := 0; i < hops; i++ {
			resp, err := cl.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if loc == "" {
				return u, i
			}
			next, err := resp.Request.URL.Parse(loc)
			if err != nil {
				t.Fatal(err)
			}
			u = next.String()
			if strings.Contains(next.Host, "127.0.0.2") || strings.HasPrefix(next.Host, "0.0.0.0") {
				return u, i + 1 // never followed
			}
		}
		return u, hops
	}
	if end, n := follow(byName["redirect_loop"].URL, 4); end != byName["redirect_loop"].URL || n != 4 {
		t.Errorf("redirect_loop: %s after %d", end, n)
	}
	if end, n := follow(byName["redirect_chain_30"].URL, 40); n != 30 || !strings.HasSuffix(end, "/h/chain/30") {
		t.Errorf("redirect_chain_30: %d hops to %s", n, end)
	}
	if end, n := follow(byName["redirect_chain_to_article"].URL, 10); n != 3 || end != byName["redirect_chain_to_article"].FinalURL {
		t.Errorf("redirect_chain_to_article: %d hops to %s", n, end)
	}
	if h.PrivateURL != "" {
		for _, name := range []string{"redirect_private", "redirect_private_mapped"} {
			end, _ := follow(byName[name].URL, 2)
			u, _ := url.Parse(end)
			if u.Port() != strings.TrimPrefix(h.PrivateURL[strings.LastIndex(h.PrivateURL, ":"):], ":") {
				t.Errorf("%s: redirects to %s, not the private listener %s", name, end, h.PrivateURL)
			}
		}
	}
	if h.PrivateV6URL != "" {
		resp, err := cl.Get(byName["redirect_private_ipv6"].URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, h.PrivateV6URL+"/") || !strings.HasPrefix(h.PrivateV6URL, "http://[::1]:") {
			t.Errorf("redirect_private_ipv6: Location %q, private listener %s", loc, h.PrivateV6URL)
		}
	}
	if end, _ := follow(byName["redirect_zero"].URL, 2); !strings.HasPrefix(end, "http://0.0.0.0:") {
		t.Errorf("redirect_zero: %s", end)
	}
	if hits := h.PrivateHits(); len(hits) != 0 {
		t.Errorf("private hits without following: %v", hits)
	}
	// The private listener counts what reaches it.
	if h.PrivateURL != "" {
		if resp, err := cl.Get(h.PrivateURL + "/x"); err == nil {
			resp.Body.Close()
		}
		if n := len(h.PrivateHits()); n != 1 {
			t.Errorf("private listener counted %d hits, want 1", n)
		}
	}

	if end, _ := follow(byName["redirect_file_scheme"].URL, 1); end != "file:///etc/passwd" {
		t.Errorf("redirect_file_scheme: %s", end)
	}

	// The second host's robots.txt fails once, then allows all.
	for i, want := range []int{503, 200} {
		resp, err := cl.Get(h.FlakyURL + "/robots.txt")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("flaky robots.txt, request %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if !strings.HasPrefix(byName["robots_unavailable_at_first"].URL, h.FlakyURL+"/") {
		t.Errorf("robots_unavailable_at_first is not on the flaky host: %s", byName["robots_unavailable_at_first"].URL)
	}

	// The third host's robots.txt is a gzip bomb.
	resp, err = cl.Get(h.BombRobotsURL + "/robots.txt")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.CopyN(io.Discard, zr, 32<<20); err != nil || n != 32<<20 {
		t.Errorf("bomb robots.txt: inflated %d bytes: %v", n, err)
	}
	resp.Body.Close()

	// No article.
	if resp, body := get("empty_body"); resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("empty_body: status %d, %d bytes", resp.StatusCode, len(body))
	}

	// Chains: each level names the next.
	_, body := get("sitemap_index_chain")
	if !bytes.Contains(body, []byte("<sitemapindex")) || !bytes.Contains(body, []byte("/sitemaps/deep/1.xml")) {
		t.Errorf("sitemap_index_chain: %s", body)
	}
	_, body = get("feed_html_chain")
	if !bytes.Contains(body, []byte(`rel="alternate"`)) || !bytes.Contains(body, []byte("/feeds/chain/1.xml")) {
		t.Errorf("feed_html_chain: %s", body)
	}

	// Feeds.
	var rss struct {
		Items []struct {
			Link string `xml:"link"`
		} `xml:"channel>item"`
	}
	_, body = get("huge_feed")
	if err := xml.Unmarshal(body, &rss); err != nil || len(rss.Items) != 2000 {
		t.Errorf("huge feed: %d items: %v", len(rss.Items), err)
	}
	_, body = get("feed")
	if err := xml.Unmarshal(body, &rss); err != nil {
		t.Errorf("feed: %v", err)
	}
	_, body = get("malformed_feed")
	if err := xml.Unmarshal(body, &rss); err == nil {
		t.Error("malformed feed parses")
	}
	if resp, _ := get("html_as_feed"); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("html_as_feed: %q", resp.Header.Get("Content-Type"))
	}
	if h.RequestCount("/feed.xml") != 1 {
		t.Errorf("request count of /feed.xml: %d", h.RequestCount("/feed.xml"))
	}
}

func utf8Contains(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return true
		}
	}
	return false
}

// TestHostileCloseEndsHangingAnswers: Close returns promptly while answers
// hang and trickle, and leaves no handler behind.
func TestHostileCloseEndsHangingAnswers(t *testing.T) {
	h := startHostile(t, HostileOptions{Stall: time.Minute, HugeFeedItems: 10})
	cl := rawClient(2 * time.Minute)
	done := make(chan struct{}, 3)
	for _, p := range []string{"/h/hang-headers.html", "/h/hang-body.html", "/h/trickle.html"} {
		go func() {
			defer func() { done <- struct{}{} }()
			resp, err := cl.Get(h.URL + p)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(h.Requests()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Close ends the answers rather than waiting for them: a Close that
	// waited would take the minute they stall for; half of it is a margin no
	// busy machine misses.
	stall := time.Minute
	start := time.Now()
	h.Close()
	if d := time.Since(start); d > stall/2 {
		t.Errorf("Close took %s with answers hanging for %s", d, stall)
	}
	for range 3 {
		select {
		case <-done:
		case <-time.After(stall / 2):
			t.Fatal("a client still waits after Close")
		}
	}
}
