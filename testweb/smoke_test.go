package testweb

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartServesSeedsAndArticles(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := Start(ctx, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, u := range w.Seeds() {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d", u, resp.StatusCode)
		}
	}
	tr := w.Truth()
	for _, p := range tr[:20] {
		resp, err := http.Get(p.URL)
		if err != nil {
			t.Fatalf("GET %s: %v", p.URL, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "<html") {
			t.Errorf("GET %s: status %d", p.URL, resp.StatusCode)
		}
	}
	if n := len(w.Requests()); n < 20 {
		t.Errorf("request log has %d entries", n)
	}
}
