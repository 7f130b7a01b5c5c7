package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// loaded opens a store on dsn holding the generated corpus c.
func loaded(t testing.TB, dsn string, c *exporttest.Corpus) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Config{KeepCopyText: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := exporttest.Load(ctx, st, c); err != nil {
		t.Fatal(err)
	}
	return st
}

// answer is an HTTP response, its body read.
type answer struct {
	StatusCode int
	Header     http.Header
}

// get fetches path with an optional bearer token.
func get(t *testing.T, srv *httptest.Server, path, token string) (answer, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header}, body
}

// exported is what `wirecrawl export` writes for f: the JSONL records, as
// generic JSON values.
func exported(t *testing.T, st store.Store, f export.Filter, withCopyText bool) []any {
	t.Helper()
	out := []any{}
	err := st.Stories(context.Background(), f, func(s wirecrawl.Story) error {
		out = append(out, roundTrip(t, export.NewRecord(&s, withCopyText)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStoryAPI: walking /api/v1/stories page by page with the export's
// filters yields exactly the records the JSONL export writes for the same
// filter, field names included; one story comes with its copies' texts.
func TestStoryAPI(t *testing.T) {
	for _, b := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}} {
		t.Run(b.name, func(t *testing.T) {
			c := &exporttest.Corpus{N: 37, Paragraphs: 2}
			st := loaded(t, b.dsn(t), c)
			srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry()}))
			defer srv.Close()

			filters := []struct {
				query string
				f     export.Filter
			}{
				{"", export.Filter{}},
				{"site=" + strings.ReplaceAll(exporttest.SiteName(2), " ", "+"), export.Filter{Site: exporttest.SiteName(2)}},
				{"site=" + exporttest.SiteHost(3), export.Filter{Site: exporttest.SiteHost(3)}},
				{"lang=de", export.Filter{Lang: "de"}},
				{"since=" + exporttest.Base.Add(5*time.Hour).Format(time.RFC3339) + "&until=" + exporttest.Base.Add(20*time.Hour).Format(time.RFC3339),
					export.Filter{Since: exporttest.Base.Add(5 * time.Hour), Until: exporttest.Base.Add(20 * time.Hour)}},
				{"lang=xx", export.Filter{Lang: "xx"}},
				{"q=storm+-%22story+12%22", export.Filter{Query: `storm -"story 12"`}},
				{"q=%22officials+said%22&lang=de", export.Filter{Query: `"officials said"`, Lang: "de"}},
				{"q=%22said+officials%22", export.Filter{Query: `"said officials"`}},
			}
			// The full-text filter selects what it says (the export's
			// records, compared below, come from the same store).
			for f, n := range map[string]int{`storm -"story 12"`: c.N - 1, `"officials said"`: c.N, `"said officials"`: 0} {
				if got := len(exported(t, st, export.Filter{Query: f}, false)); got != n {
					t.Errorf("export with query %s: %d stories, want %d", f, got, n)
				}
			}
			for _, fc := range filters {
				want := exported(t, st, fc.f, false)
				for _, limit := range []string{"1", "7", "100"} {
					var got []any
					cursor := ""
					for pages := 0; ; pages++ {
						if pages > len(want)+1 {
							t.Fatalf("%s limit %s: the cursor never ends", fc.query, limit)
						}
						q := fc.query + "&limit=" + limit
						if cursor != "" {
							q += "&cursor=" + cursor
						}
						resp, body := get(t, srv, "/api/v1/stories?"+q, "")
						if resp.StatusCode != http.StatusOK {
							t.Fatalf("%s: %d %s", q, resp.StatusCode, body)
						}
						var page struct {
							Stories []any  `json:"stories"`
							Next    string `json:"next_cursor"`
						}
						if err := json.Unmarshal(body, &page); err != nil {
							t.Fatalf("%s: %v", q, err)
						}
						got = append(got, page.Stories...)
						if page.Next == "" {
							break
						}
						cursor = page.Next
					}
					if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
						t.Errorf("?%s limit %s: %d stories, export: %d", fc.query, limit, len(got), len(want))
					}
				}
			}

			all := exported(t, st, export.Filter{}, true)
			one := all[5].(map[string]any) // story 6: three copies, two with their own text
			id := int64(one["id"].(float64))
			resp, body := get(t, srv, "/api/v1/stories/"+jsonID(id), "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("story %d: %d %s", id, resp.StatusCode, body)
			}
			var got any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(body), `"text":"Copy 1 of story`) {
				t.Errorf("story %d: a copy's own text is missing: %.300s", id, body)
			}
			if !reflect.DeepEqual(got, any(one)) {
				t.Errorf("story %d:\n got %v\nwant %v", id, got, one)
			}
			if strings.Contains(string(body), "<b>") || !strings.Contains(string(body), `\u003cb\u003e`) {
				t.Errorf("markup in a story's text is not escaped in JSON: %.300s", body)
			}
			for path, code := range map[string]int{
				"/api/v1/stories/999999":     http.StatusNotFound,
				"/api/v1/stories/abc":        http.StatusBadRequest,
				"/api/v1/stories?limit=0":    http.StatusBadRequest,
				"/api/v1/stories?since=soon": http.StatusBadRequest,
				"/api/v1/stories?cursor=-4":  http.StatusBadRequest,
				"/api/v1/stories?q=%22storm": http.StatusBadRequest,
				"/api/v1/stories?q=":         http.StatusBadRequest,
				"/api/v1/stories?query=x":    http.StatusBadRequest,
			} {
				if resp, body := get(t, srv, path, ""); resp.StatusCode != code {
					t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, code)
				}
			}
		})
	}
}

func jsonID(id int64) string { return strings.TrimSpace(string(must(json.Marshal(id)))) }

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestTokenAndHeaders: with serve.token set, everything but the probes needs
// the bearer token; every answer carries the security headers.
func TestTokenAndHeaders(t *testing.T) {
	st := loaded(t, storetest.SQLiteDSN(t), &exporttest.Corpus{N: 3})
	status := &serve.Status{}
	status.PassEnded(time.Now(), time.Now().Add(time.Hour))
	srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry(), Status: status, Token: "s3cret"}))
	defer srv.Close()
	cases := []struct {
		path, token string
		want        int
	}{
		{"/healthz", "", http.StatusOK},
		{"/readyz", "", http.StatusOK},
		{"/metrics", "", http.StatusUnauthorized},
		{"/metrics", "wrong", http.StatusUnauthorized},
		{"/metrics", "s3cret", http.StatusOK},
		{"/api/v1/stories", "", http.StatusUnauthorized},
		{"/api/v1/stories", "s3cret", http.StatusOK},
		{"/api/v1/stories/1", "s3cret2", http.StatusUnauthorized},
		{"/api/v1/stories/1", "s3cret", http.StatusOK},
		{"/nothing", "s3cret", http.StatusNotFound},
	}
	for _, c := range cases {
		resp, body := get(t, srv, c.path, c.token)
		if resp.StatusCode != c.want {
			t.Errorf("%s with token %q: %d %s, want %d", c.path, c.token, resp.StatusCode, body, c.want)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: no %s header", c.path, h)
			}
		}
	}
}

// TestReadyz: not ready before a pass ended, ready after, not ready once
// the next pass is overdue, and not ready when the store does not answer.
func TestReadyz(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.SQLiteDSN(t), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	status := &serve.Status{}
	srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry(), Status: status}))
	defer srv.Close()
	check := func(want int, what string) {
		t.Helper()
		if resp, body := get(t, srv, "/readyz", ""); resp.StatusCode != want {
			t.Errorf("%s: /readyz %d %q, want %d", what, resp.StatusCode, body, want)
		}
	}
	check(http.StatusServiceUnavailable, "before any pass")
	now := time.Now()
	status.PassEnded(now, now.Add(time.Hour))
	check(http.StatusOK, "after a pass")
	status.PassEnded(now.Add(-2*time.Hour), now.Add(-time.Hour))
	check(http.StatusServiceUnavailable, "next pass overdue")
	status.PassEnded(now, now.Add(time.Hour))
	st.Close()
	check(http.StatusServiceUnavailable, "store closed")
	if resp, _ := get(t, srv, "/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz with the store closed: %d, want 200 (the process answers)", resp.StatusCode)
	}
}

func TestCheckListen(t *testing.T) {
	cases := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true},
		{"127.0.0.2:0", "", true},
		{"[::1]:8080", "", true},
		{"localhost:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"[::]:8080", "", false},
		{"192.0.2.7:8080", "", false},
		{"example.com:80", "", false},
		{"0.0.0.0:8080", "t", true},
		{"nonsense", "t", false},
	}
	for _, c := range cases {
		if err := serve.CheckListen(c.addr, c.token); (err == nil) != c.ok {
			t.Errorf("CheckListen(%q, %q) = %v, want ok %v", c.addr, c.token, err, c.ok)
		}
	}
}
