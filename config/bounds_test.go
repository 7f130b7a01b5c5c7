package config

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/cleaner"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// numericKey reports whether key holds a number (durations included).
func numericKey(t *testing.T, key string) bool {
	t.Helper()
	v, ok := Default().Value(key)
	if !ok {
		t.Fatalf("%s: no value", key)
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// Every numeric key has a range, and the table names no key that is gone;
// each range's ends pass and the values just outside fail naming the key.
func TestEveryNumericKeyHasABound(t *testing.T) {
	numeric := map[string]bool{}
	for _, key := range Keys() {
		if numericKey(t, key) {
			numeric[key] = true
			if _, ok := bounds[key]; !ok {
				t.Errorf("%s has no range in bounds", key)
			}
		}
	}
	for key := range bounds {
		if !numeric[key] {
			t.Errorf("bounds names %s, which is not a numeric key", key)
		}
	}
	for key, b := range bounds {
		v, _ := Default().Value(key)
		isDuration := reflect.TypeOf(v) == reflect.TypeOf(time.Duration(0))
		isFloat := reflect.TypeOf(v).Kind() == reflect.Float64
		render := func(x float64) string {
			if isDuration {
				return time.Duration(x).String()
			}
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		step := 1.0
		switch {
		case isDuration:
			step = float64(time.Millisecond)
		case isFloat:
			step = 0.001
		}
		for _, x := range []float64{b.lo, b.hi} {
			if x == 0 && !b.zeroDefault {
				continue
			}
			cfg := Default()
			if err := cfg.Set(key, render(x)); err != nil {
				t.Fatalf("%s=%s: %v", key, render(x), err)
			}
			if err := cfg.Validate(); err != nil && !strings.Contains(err.Error(), "lease_ttl") && !strings.Contains(err.Error(), "poll_interval") {
				t.Errorf("%s=%s (an end of its range): %v", key, render(x), err)
			}
		}
		for _, x := range []float64{b.lo - step, b.hi + step} {
			if x == 0 && b.zeroDefault {
				continue
			}
			cfg := Default()
			if err := cfg.Set(key, render(x)); err != nil {
				continue // not even parsed (e.g. a negative unsigned)
			}
			err := cfg.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), key+":") {
				t.Errorf("%s=%s (outside its range): %v, want an error naming the key", key, render(x), err)
			}
		}
	}
}

// The values of the issue that passed validation and broke runs.
func TestBoundsRefuseIssueValues(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"crawler.max_body_bytes", "9223372036854775807"},
		{"cleaner.max_bytes", "9223372036854775807"},
		{"crawler.workers", "1000000000"},
		{"crawler.workers", "1000000"},
		{"dedup.containment", "NaN"},
		{"dedup.strong_containment", "nan"},
		{"dedup.lede_containment", "+Inf"},
		{"dedup.containment", "-Inf"},
		{"crawler.user_agent", strings.Repeat("x", 50<<20)},
		{"crawler.user_agent", "bot\r\nX-Injected: 1"},
		{"crawler.timeout", "1ns"},
		{"crawler.max_poll_interval", "2562047h"},
		{"crawler.retry_backoff", "-1s"},
		{"dedup.max_candidates", "100000000"},
		{"store.fetch_log_keep", "-2"},
		{"db", "x\x00y"},
		{"seeds", "a\nb"},
	} {
		cfg := Default()
		if err := cfg.Set(tc.key, tc.value); err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		err := cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.key+":") {
			short := tc.value
			if len(short) > 40 {
				short = short[:40] + "..."
			}
			t.Errorf("%s=%q: Validate = %v, want an error naming the key", tc.key, short, err)
		}
	}
}

// A network list that opens everything warns; ordinary ones do not.
func TestAllowedNetworksWarns(t *testing.T) {
	for _, tc := range []struct {
		nets string
		warn bool
	}{
		{"0.0.0.0/0", true}, {"::/0", true}, {"0.0.0.0/1", true}, {"128.0.0.0/2", true}, {"::/3", true},
		{"169.254.0.0/16", true}, {"127.0.0.0/8", true},
		{"10.0.0.0/8", false}, {"10.20.0.0/16", false}, {"127.0.0.1/32", false}, {"fd12:3456::/32", false},
		{"", false},
	} {
		cfg := Default()
		if err := cfg.Set("crawler.allowed_networks", tc.nets); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.nets, err)
		}
		w := cfg.Warnings()
		if got := len(w) > 0; got != tc.warn {
			t.Errorf("allowed_networks %q: warnings %q, want warning %v", tc.nets, w, tc.warn)
		}
		for _, s := range w {
			if !strings.HasPrefix(s, "crawler.allowed_networks: ") {
				t.Errorf("warning %q does not name the key", s)
			}
		}
	}
}

// fuzzPage is an article the run check fetches, cleans and dedups.
var fuzzPage = func() string {
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=en><head><title>Harbour council votes to rebuild the old pier</title></head><body><article><h1>Harbour council votes to rebuild the old pier</h1>")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d. The council met on Tuesday evening and voted by a wide margin to rebuild the pier that storms damaged last winter, after residents asked for safe access to the water and fishermen said their boats had nowhere to land.</p>", i)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}()

// fuzzServer serves fuzzPage on loopback to every run check.
var fuzzServer = sync.OnceValue(func() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, fuzzPage)
	}))
})

// checkRun runs the stages with cfg on one page: the crawler fetches it whole
// from loopback (politeness, robots.txt and the address guard off, so the
// check takes no time and reaches the test server; every other crawler
// setting as given), the cleaner extracts text, and dedup finds a second
// arrival of the same text. A configuration that passes Validate must do all three.
func checkRun(t *testing.T, cfg Config) {
	t.Helper()
	cc := cfg.Crawler
	cc.NoDelay, cc.IgnoreRobots, cc.AllowPrivateNetworks = true, true, true
	c, err := crawler.New(cc, frontier.NewMemoryState(), nil)
	if err != nil {
		t.Fatalf("valid config, crawler.New: %v", err)
	}
	defer c.Close()
	var body []byte
	var fetchErr error
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.Ingest(ctx, []string{fuzzServer().URL + "/pier"}, func(_ context.Context, f crawler.Fetched) error {
		body = f.Body
		return nil
	}, func(_ string, err error) { fetchErr = err })
	if err != nil {
		t.Fatalf("valid config, ingest: %v", err)
	}
	if int64(len(fuzzPage)) > cc.WithDefaults().MaxBodyBytes {
		if fetchErr == nil || !strings.Contains(fetchErr.Error(), "too large") {
			t.Fatalf("valid config: a body over crawler.max_body_bytes: %v", fetchErr)
		}
		return
	}
	if fetchErr != nil {
		t.Fatalf("valid config, ingest: %v", fetchErr)
	}
	if string(body) != fuzzPage {
		t.Fatalf("valid config: fetched %d bytes, want the page's %d", len(body), len(fuzzPage))
	}

	cl := cleaner.New(cfg.Cleaner)
	doc, err := cl.Clean(body, fuzzServer().URL+"/pier", "text/html; charset=utf-8")
	eff := cfg.Cleaner.WithDefaults()
	// The page's text reads as an article (many sentences), so a
	// min_text_length above its length does not refuse it (see cleaner.Config).
	fits := int64(len(body)) <= eff.MaxBytes && eff.MaxElements >= 100
	switch {
	case fits && err != nil:
		t.Fatalf("valid config: clean: %v", err)
	case fits && !strings.Contains(doc.Text, "rebuild the pier"):
		t.Fatalf("valid config: clean: text %q", doc.Text)
	case !fits && err == nil:
		t.Fatalf("valid config: a page over the limits was cleaned")
	}
	if err != nil {
		return
	}

	d := dedup.New(cfg.Dedup)
	idx := dedup.NewMemoryIndex()
	first, err := idx.Store(ctx, d, doc)
	if err != nil || first.Action != dedup.ActionNew {
		t.Fatalf("valid config: dedup first arrival: %+v, %v", first, err)
	}
	doc2 := doc
	doc2.URL = doc.URL + "-syndicated"
	doc2.CanonicalURL = doc2.URL
	second, err := idx.Store(ctx, d, doc2)
	if err != nil || second.Action == dedup.ActionNew {
		t.Fatalf("valid config: an identical copy was not found: %+v, %v", second, err)
	}
}

// FuzzConfig sets two keys to arbitrary values, as --set or a variable
// would: nothing may crash, and a configuration that passes Validate must
// run (checkRun). Run it with go test ./config -run '^$' -fuzz FuzzConfig -fuzztime 1m.
func FuzzConfig(f *testing.F) {
	keys := Keys()
	index := map[string]uint16{}
	for i, k := range keys {
		index[k] = uint16(i)
	}
	def := Default()
	for _, k := range keys {
		v, _ := def.Value(k)
		f.Add(index[k], fmt.Sprint(v), index["crawler.workers"], "2")
	}
	for _, s := range []struct{ k1, v1, k2, v2 string }{
		{"crawler.max_body_bytes", "9223372036854775807", "cleaner.max_bytes", "9223372036854775807"},
		{"crawler.max_body_bytes", "1024", "cleaner.max_bytes", "1024"},
		{"crawler.workers", "1024", "crawler.per_host_parallelism", "64"},
		{"dedup.containment", "NaN", "dedup.near_distance", "-1"},
		{"dedup.shingle_size", "16", "dedup.min_words", "100000"},
		{"dedup.containment", "1", "dedup.strong_containment", "1"},
		{"crawler.timeout", "1s", "crawler.lease_ttl", "2s"},
		{"crawler.max_redirects", "1", "crawler.max_retries", "-1"},
		{"crawler.min_poll_interval", "8760h", "crawler.max_poll_interval", "1s"},
		{"cleaner.max_elements", "100", "cleaner.min_text_length", "1048576"},
		{"crawler.allowed_networks", "0.0.0.0/0", "crawler.user_agent", "x"},
		{"crawler.user_agent", "a b\tc", "dedup.canonical", "latest"},
	} {
		f.Add(index[s.k1], s.v1, index[s.k2], s.v2)
	}
	f.Fuzz(func(t *testing.T, k1 uint16, v1 string, k2 uint16, v2 string) {
		cfg := Default()
		if err := cfg.Set(keys[int(k1)%len(keys)], v1); err != nil {
			return
		}
		if err := cfg.Set(keys[int(k2)%len(keys)], v2); err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			var ue interface{ Unwrap() []error }
			if msg := err.Error(); !strings.Contains(msg, ":") && !errors.As(err, &ue) {
				t.Errorf("error names no key: %v", err)
			}
			return
		}
		_ = cfg.Warnings()
		checkRun(t, cfg)
	})
}

// FuzzConfigYAML decodes arbitrary YAML as a config file: nothing may
// crash, and a file that decodes and validates must run (checkRun).
func FuzzConfigYAML(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "config.yaml")); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{
		"crawler:\n  workers: 1000000000\n",
		"crawler:\n  max_body_bytes: 9223372036854775807\n",
		"dedup:\n  containment: .nan\n",
		"crawler:\n  allowed_networks: [0.0.0.0/0]\n",
		"a: &a [1,2]\nb: [*a,*a]\n",
		"crawler: {workers: 2, delay: 1h, timeout: 1s, lease_ttl: 2s}\n",
		"seeds: [\"a\\nb\"]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		cfg := Default()
		if err := Decode(strings.NewReader(doc), &cfg); err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			return
		}
		checkRun(t, cfg)
	})
}
