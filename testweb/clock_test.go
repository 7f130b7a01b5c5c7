package testweb

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// TestClockPublishesPages: with the clock set back, later pages are not
// served or listed; moving it forward publishes them, changes the feeds'
// validators and leaves the older pages' validators alone.
func TestClockPublishesPages(t *testing.T) {
	w := startWeb(t, Options{Seed: 41, Stories: 100})
	all := w.Truth()
	w.SetClock(w.Options().Now.Add(-48 * time.Hour))
	early := w.Truth()
	if len(early) == 0 || len(early) >= len(all) {
		t.Fatalf("%d pages before the clock moved back, %d after", len(all), len(early))
	}
	visible := map[string]bool{}
	for _, p := range early {
		visible[p.URL] = true
		if p.Published.After(w.Clock()) {
			t.Errorf("%s published %v, after the clock %v", p.URL, p.Published, w.Clock())
		}
	}
	c := &http.Client{Timeout: 10 * time.Second}
	status := func(u string, etag string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("ETag")
	}
	var hidden, shown Page
	for _, p := range all {
		if !visible[p.URL] && hidden.URL == "" {
			hidden = p
		}
		if visible[p.URL] && !p.Disallowed && shown.URL == "" {
			shown = p
		}
	}
	if code, _ := status(hidden.URL, ""); code != 404 {
		t.Errorf("unpublished %s: status %d, want 404", hidden.URL, code)
	}
	if _, ok := w.TruthFor(hidden.URL); ok {
		t.Errorf("TruthFor knows the unpublished %s", hidden.URL)
	}
	feed := w.Outlets()[0].Feeds[0].URL
	_, feedTag := status(feed, "")
	_, pageTag := status(shown.URL, "")
	w.SetClock(w.Options().Now)
	if code, _ := status(hidden.URL, ""); code != 200 {
		t.Errorf("published %s: status %d", hidden.URL, code)
	}
	if code, _ := status(feed, feedTag); code != 200 {
		t.Errorf("feed after new pages: status %d with the old ETag, want 200", code)
	}
	if code, _ := status(shown.URL, pageTag); code != 304 {
		t.Errorf("older page %s: status %d with its ETag, want 304", shown.URL, code)
	}
	if len(w.Truth()) != len(all) {
		t.Errorf("truth has %d pages after the clock came back, want %d", len(w.Truth()), len(all))
	}
}
