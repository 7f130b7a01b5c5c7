package serve_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// TestSessionExpires: the login cookie carries its issue time under the
// MAC and lasts 30 days: the browser is told so (Max-Age, Expires), and the
// server refuses it after that even when a browser keeps sending it; a
// cookie whose issue time was edited to look fresh is refused too, and a
// new login opens a new 30 days.
func TestSessionExpires(t *testing.T) {
	st := loaded(t, storetest.SQLiteDSN(t), &exporttest.Corpus{N: 3})
	var clock atomic.Int64
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry(), Token: "s3cret", Now: now}))
	defer srv.Close()
	do := (&formClient{t: t, base: srv.URL, c: client(t)}).do
	login := func() *http.Cookie {
		t.Helper()
		resp, _ := do("POST", "/login", url.Values{"token": {"s3cret"}, "next": {"/"}}, nil)
		cs := resp.Cookies()
		if resp.StatusCode != http.StatusSeeOther || len(cs) != 1 {
			t.Fatalf("login: %d, cookies %+v", resp.StatusCode, cs)
		}
		return cs[0]
	}
	// opens says whether the session opens the UI and the API; a closed one
	// is sent to the login form and refused by the API.
	opens := func(when string) bool {
		t.Helper()
		ui, _ := do("GET", "/stories/2", nil, nil)
		api, _ := do("GET", "/api/v1/stories", nil, nil)
		switch {
		case ui.StatusCode == http.StatusOK && api.StatusCode == http.StatusOK:
			return true
		case ui.StatusCode == http.StatusSeeOther && strings.HasPrefix(ui.Header.Get("Location"), "/login?") &&
			api.StatusCode == http.StatusUnauthorized:
			return false
		}
		t.Fatalf("%s: UI %d (%q), API %d", when, ui.StatusCode, ui.Header.Get("Location"), api.StatusCode)
		return false
	}

	c := login()
	if want := int((30 * 24 * time.Hour).Seconds()); c.MaxAge != want || !c.Expires.Equal(t0.Add(30*24*time.Hour)) {
		t.Errorf("session cookie Max-Age %d, Expires %v; want %d and %v", c.MaxAge, c.Expires, want, t0.Add(30*24*time.Hour))
	}
	if !opens("just after login") {
		t.Fatal("a fresh session is refused")
	}
	clock.Store(t0.Add(30*24*time.Hour - time.Minute).UnixNano())
	if !opens("a minute before expiry") {
		t.Error("a session of 29 days 23:59 is refused")
	}
	clock.Store(t0.Add(30 * 24 * time.Hour).UnixNano())
	if opens("at expiry") {
		t.Error("a session of 30 days still opens the UI and API")
	}

	// The same MAC with a later issue time is a forgery.
	at, sum, ok := strings.Cut(c.Value, ".")
	if !ok || at != strconv.FormatInt(t0.Unix(), 10) {
		t.Fatalf("session cookie %q: want the issue time %d, a dot and the MAC", c.Value, t0.Unix())
	}
	forged := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest("GET", srv.URL+"/api/v1/stories", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: c.Name, Value: strconv.FormatInt(now().Unix(), 10) + "." + sum})
	resp, err := forged.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cookie with its issue time moved forward: %d, want 401", resp.StatusCode)
	}

	if login(); !opens("after a new login") {
		t.Error("a new login after expiry is refused")
	}
}
