package testweb

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCachePagesServesTheSamePages: with CachePages an article answers with
// the same bytes, headers and validators as without, gzipped or not, and 304
// to its ETag.
func TestCachePagesServesTheSamePages(t *testing.T) {
	plain, err := Generate(Options{Seed: 62, Stories: 40})
	if err != nil {
		t.Fatal(err)
	}
	cached, err := Generate(Options{Seed: 62, Stories: 40, CachePages: true})
	if err != nil {
		t.Fatal(err)
	}
	get := func(w *Web, oi int, path, enc, inm string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		rec := httptest.NewRecorder()
		w.Handler(oi).ServeHTTP(rec, req)
		return rec
	}
	checked := 0
	for _, p := range plain.Truth() {
		if p.Disallowed || checked >= 12 {
			continue
		}
		checked++
		path := strings.TrimPrefix(p.URL, plain.Outlets()[p.OutletIndex].BaseURL)
		for _, enc := range []string{"", "gzip"} {
			want := get(plain, p.OutletIndex, path, enc, "")
			for round := 0; round < 2; round++ { // the second answer comes from the cache
				got := get(cached, p.OutletIndex, path, enc, "")
				if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") ||
					got.Header().Get("ETag") != want.Header().Get("ETag") || got.Header().Get("Content-Encoding") != want.Header().Get("Content-Encoding") {
					t.Fatalf("%s enc %q round %d: %d %v, want %d %v", path, enc, round, got.Code, got.Header(), want.Code, want.Header())
				}
				if !bytes.Equal(decoded(t, got), decoded(t, want)) {
					t.Fatalf("%s enc %q round %d: bodies differ", path, enc, round)
				}
			}
			if nm := get(cached, p.OutletIndex, path, enc, want.Header().Get("ETag")); nm.Code != 304 {
				t.Fatalf("%s enc %q: If-None-Match answered %d, want 304", path, enc, nm.Code)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no article pages")
	}
}

func decoded(t *testing.T, rec *httptest.ResponseRecorder) []byte {
	t.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec.Body.Bytes()
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
