package serve_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/frontier"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// hostileText is a stored story's text as a hostile page could make it.
const hostileText = `Officials said <script>alert("pwned")</script> the storm hit. <img src=x onerror=alert(1)> Roads closed.`

// body fetches path and returns its status and body.
func body(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, b := get(t, srv, path, "")
	return resp.StatusCode, string(b)
}

// TestUIPages drives the UI's pages over a store holding the generated
// corpus, a hostile story and two feeds, on both backends: the list and its
// filters, the syndication view with every outlet and its changes, feeds and
// their health, stats with charts, and the JSON behind the last two.
func TestUIPages(t *testing.T) {
	for _, b := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}} {
		t.Run(b.name, func(t *testing.T) {
			st := loaded(t, b.dsn(t), &exporttest.Corpus{N: 12, Paragraphs: 3})
			at := exporttest.Base.Add(27 * time.Hour)
			hostile := storeStory(t, st, 1<<40,
				storedCopy{doc: wirecrawl.Document{URL: "https://evil.example/a", Site: `Evil <b>Site</b>`, Title: `<script>alert(1)</script>Storm`,
					Byline: `"><script>alert(2)</script>`, Text: hostileText, FetchedAt: at}},
				storedCopy{doc: wirecrawl.Document{URL: "https://copy.example/b", Site: "Copier", Title: "Storm (copied)",
					Text: strings.Replace(hostileText, "hit.", "hit hard.", 1) + ` Added <script>alert(3)</script> line.`, FetchedAt: at.Add(2 * time.Hour)},
					similarity: 0.8, reason: "simhash distance 5, containment 0.81"})
			fs := st.(frontier.State)
			ctx := context.Background()
			for _, f := range []frontier.FeedState{
				{URL: "https://site1.example/feed.xml", LastPolled: at, NextPoll: at.Add(time.Hour), EntriesPerWeek: 12},
				{URL: "https://site2.example/<feed>.xml", NextPoll: at.Add(10 * time.Minute), Failures: 2},
			} {
				if err := fs.SaveFeed(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			for _, rec := range []frontier.FetchRecord{
				{URL: "https://site1.example/feed.xml", Kind: frontier.KindFeed, Status: 200, At: at},
				{URL: "https://site2.example/<feed>.xml", Kind: frontier.KindFeed, Status: 503, ErrClass: "http_5xx", Error: "503 <b>Service</b> Unavailable", At: at.Add(time.Minute)},
			} {
				if err := fs.LogFetch(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
			srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry()}))
			defer srv.Close()

			code, page := body(t, srv, "/")
			if code != http.StatusOK || strings.Count(page, `class="story-link"`) != 13 {
				t.Fatalf("story list: %d, %d stories", code, strings.Count(page, `class="story-link"`))
			}
			code, page = body(t, srv, "/?site="+exporttest.SiteHost(2)+"&lang=&q=")
			if want := countSite(12, 2); code != http.StatusOK || strings.Count(page, `class="story-link"`) != want {
				t.Errorf("list filtered by site: %d, %d stories, want %d", code, strings.Count(page, `class="story-link"`), want)
			}
			// The search box: full text, in ID order; bad syntax is a 400 saying why.
			code, page = body(t, srv, "/?q=%22headline+6%22+storm&site=")
			if code != http.StatusOK || strings.Count(page, `class="story-link"`) != 1 || !strings.Contains(page, "/stories/6") {
				t.Errorf("search headline 6: %d, %d stories", code, strings.Count(page, `class="story-link"`))
			}
			if code, page = body(t, srv, "/?q=%22storm"); code != http.StatusBadRequest || !strings.Contains(page, "unclosed quote") {
				t.Errorf("search with an unclosed quote: %d", code)
			}
			if code, page = body(t, srv, "/?since=soon"); code != http.StatusBadRequest || !strings.Contains(page, "since") {
				t.Errorf("list with a bad filter: %d", code)
			}

			// Story 6: three copies, copies 1 and 2 with their own text
			// (a sentence added in front of the canonical text).
			code, page = body(t, srv, "/stories/6")
			if code != http.StatusOK {
				t.Fatalf("story 6: %d %s", code, page)
			}
			for j := 0; j < exporttest.NumCopies(6); j++ {
				if !strings.Contains(page, exporttest.SiteName((6+j)%exporttest.Sites)) {
					t.Errorf("story 6: outlet %s missing", exporttest.SiteName((6+j)%exporttest.Sites))
				}
			}
			if got := strings.Count(page, "<circle"); got != exporttest.NumCopies(6) {
				t.Errorf("story 6: timeline has %d dots, want %d", got, exporttest.NumCopies(6))
			}
			for _, want := range []string{
				`<p class="added"><ins>Copy 1 of story 6, as printed by Site 2.</ins></p>`,
				`+1 −0 ~0`, "simhash distance 2, containment 0.92", "By Reporter 6", "Headline 6: &#34;storm&#34; &lt;hits&gt; coast (2)",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("story 6: no %q", want)
				}
			}
			if code, _ := body(t, srv, "/stories/99999"); code != http.StatusNotFound {
				t.Errorf("missing story: %d", code)
			}

			code, page = body(t, srv, "/stories/"+jsonID(hostile))
			if code != http.StatusOK {
				t.Fatalf("hostile story: %d", code)
			}
			if strings.Contains(page, "<script") || strings.Contains(page, "<img") || strings.Contains(page, "<b>Site") {
				t.Errorf("hostile story: markup from the store reached the page:\n%s", page)
			}
			for _, want := range []string{"&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;", "Evil &lt;b&gt;Site&lt;/b&gt;",
				`<p class="edited">Officials said &lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; the storm hit<ins> hard</ins>.</p>`,
				`<p class="added"><ins>Added &lt;script&gt;alert(3)&lt;/script&gt; line.</ins></p>`} {
				if !strings.Contains(page, want) {
					t.Errorf("hostile story: no %q", want)
				}
			}

			code, page = body(t, srv, "/feeds")
			if code != http.StatusOK || !strings.Contains(page, "503 Service Unavailable") || !strings.Contains(page, "503 &lt;b&gt;Service") ||
				!strings.Contains(page, `<tr class="failing">`) || !strings.Contains(page, "200 OK") {
				t.Errorf("feeds page: %d\n%s", code, page)
			}
			var feeds []map[string]any
			if code, page = body(t, srv, "/api/v1/feeds"); code != http.StatusOK || json.Unmarshal([]byte(page), &feeds) != nil || len(feeds) != 2 {
				t.Fatalf("/api/v1/feeds: %d %s", code, page)
			}
			if f := feeds[1]; f["status"] != 503.0 || f["error_class"] != "http_5xx" || f["last_poll"] != nil ||
				f["next_poll"] != at.Add(10*time.Minute).Format(time.RFC3339) || f["failures"] != 2.0 {
				t.Errorf("/api/v1/feeds: %v", f)
			}

			code, page = body(t, srv, "/stats")
			if code != http.StatusOK || strings.Count(page, "<rect") < 10 || !strings.Contains(page, "Site 0") {
				t.Errorf("stats page: %d\n%s", code, page)
			}
			var stats struct {
				Stories int64 `json:"stories"`
				Copies  int64 `json:"copies"`
				PerDay  []struct {
					Day    string `json:"day"`
					Site   string `json:"site"`
					Copies int64  `json:"copies"`
				} `json:"per_day"`
			}
			if code, page = body(t, srv, "/api/v1/stats"); code != http.StatusOK || json.Unmarshal([]byte(page), &stats) != nil {
				t.Fatalf("/api/v1/stats: %d %s", code, page)
			}
			var sum int64
			for _, d := range stats.PerDay {
				sum += d.Copies
			}
			if stats.Stories != 13 || sum != stats.Copies || sum == 0 {
				t.Errorf("/api/v1/stats: %d stories, %d copies, %d copies per day", stats.Stories, stats.Copies, sum)
			}
		})
	}
}

// countSite counts the corpus's stories 1..n with a copy on site s.
func countSite(n, s int) int {
	c := 0
	for i := 1; i <= n; i++ {
		for j := 0; j < exporttest.NumCopies(i); j++ {
			if (i+j)%exporttest.Sites == s {
				c++
				break
			}
		}
	}
	return c
}

// client is a browser-like client: it keeps cookies and does not follow
// redirects, so that each answer can be checked.
func client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejarNew()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// reply is an HTTP answer whose body was read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
	cookies    []*http.Cookie
}

// Cookies returns the cookies the answer set.
func (r reply) Cookies() []*http.Cookie { return r.cookies }

// TestLoginAndIngest: with a token, the UI sends a browser to the login
// form; the right token sets an HttpOnly, SameSite=Strict cookie that opens
// the UI and the API; the ingest form needs that session and its CSRF token,
// refuses cross-site posts, and hands the URL to Config.Ingest, whose error
// it shows. Without a token the server is read-only.
func TestLoginAndIngest(t *testing.T) {
	st := loaded(t, storetest.SQLiteDSN(t), &exporttest.Corpus{N: 3})
	var ingested []string
	ingest := func(_ context.Context, u string) error {
		ingested = append(ingested, u)
		if strings.Contains(u, "127.0.0.1") {
			return errPrivate
		}
		return nil
	}
	srv := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry(), Token: "s3cret", Ingest: ingest}))
	defer srv.Close()
	c := client(t)
	do := func(method, path string, form url.Values, hdr map[string]string) (reply, string) {
		t.Helper()
		var req *http.Request
		var err error
		if form != nil {
			req, err = http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		} else {
			req, err = http.NewRequest(method, srv.URL+path, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		_, _ = ioCopy(&sb, resp.Body)
		return reply{resp.StatusCode, resp.Header, resp.Cookies()}, sb.String()
	}
	resp, _ := do("GET", "/stories/2", nil, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fstories%2F2" {
		t.Fatalf("UI without a session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := do("GET", "/static/style.css", nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("style sheet without a session: %d", resp.StatusCode)
	}
	if resp, _ := do("POST", "/ingest", url.Values{"url": {"https://example.com/"}}, nil); resp.StatusCode != http.StatusSeeOther || len(ingested) != 0 {
		t.Errorf("ingest without a session: %d, ingested %v", resp.StatusCode, ingested)
	}
	if resp, page := do("POST", "/login", url.Values{"token": {"wrong"}, "next": {"/stories/2"}}, nil); resp.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(page, "wrong token") || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	if resp, _ := do("POST", "/login", url.Values{"token": {"s3cret"}}, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin login: %d", resp.StatusCode)
	}
	resp, _ = do("POST", "/login", url.Values{"token": {"s3cret"}, "next": {"//evil.example/"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Errorf("login with an off-site next: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || strings.Contains(cookies[0].Value, "s3cret") {
		t.Fatalf("session cookie: %+v", cookies)
	}
	for _, path := range []string{"/stories/2", "/", "/feeds", "/stats", "/api/v1/stories", "/metrics"} {
		if resp, _ := do("GET", path, nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s with the session: %d", path, resp.StatusCode)
		}
	}
	_, form := do("GET", "/ingest", nil, nil)
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("ingest form without a CSRF token:\n%s", form)
	}
	csrf := m[1]
	if resp, _ := do("POST", "/ingest", url.Values{"url": {"https://example.com/a"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("ingest without the CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := do("POST", "/ingest", url.Values{"url": {"https://example.com/a"}, "csrf": {csrf}},
		map[string]string{"Sec-Fetch-Site": "cross-site"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site ingest: %d", resp.StatusCode)
	}
	if resp, _ := do("POST", "/ingest", url.Values{"url": {"file:///etc/passwd"}, "csrf": {csrf}}, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("ingest of a file URL: %d", resp.StatusCode)
	}
	if len(ingested) != 0 {
		t.Fatalf("refused posts reached Ingest: %v", ingested)
	}
	if resp, page := do("POST", "/ingest", url.Values{"url": {"https://example.com/a"}, "csrf": {csrf}}, nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "Ingested https://example.com/a") {
		t.Errorf("ingest: %d", resp.StatusCode)
	}
	if resp, page := do("POST", "/ingest", url.Values{"url": {"http://127.0.0.1:9/x"}, "csrf": {csrf}}, nil); resp.StatusCode != http.StatusBadGateway ||
		!strings.Contains(page, errPrivate.Error()) {
		t.Errorf("ingest refused by the crawler: %d", resp.StatusCode)
	}
	if want := []string{"https://example.com/a", "http://127.0.0.1:9/x"}; strings.Join(ingested, " ") != strings.Join(want, " ") {
		t.Errorf("ingested %v, want %v", ingested, want)
	}

	// Without a token: readable, not writable.
	ro := httptest.NewServer(serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry(), Ingest: ingest}))
	defer ro.Close()
	if code, _ := body(t, ro, "/"); code != http.StatusOK {
		t.Errorf("read-only UI: %d", code)
	}
	if code, page := body(t, ro, "/ingest"); code != http.StatusForbidden || strings.Contains(page, "/ingest\">Ingest") {
		t.Errorf("read-only ingest form: %d", code)
	}
}
