package serve_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/serve"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// chromium returns the path of the browser for the browser test:
// $WIRECRAWL_TEST_CHROMIUM, else chromium on $PATH; "" when there is none.
func chromium() string {
	if p := os.Getenv("WIRECRAWL_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// consoleLog collects what the browser's console says, for the test to
// check once a sentinel message shows that everything before it arrived.
type consoleLog struct {
	mu       sync.Mutex
	errors   []string
	sentinel chan string
	errored  chan struct{}
}

// collect ranges over the console of ctx's tab until ctx ends.
func (l *consoleLog) collect(msgs func(func(chromedp.ConsoleMessage, error) bool)) {
	for m, err := range msgs {
		if err != nil {
			return
		}
		if strings.HasPrefix(m.Text, "wirecrawl-sentinel ") {
			l.sentinel <- m.Text
			continue
		}
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == "error" || m.Type == "assert" {
			l.mu.Lock()
			l.errors = append(l.errors, fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
			l.mu.Unlock()
			select {
			case l.errored <- struct{}{}:
			default:
			}
		}
	}
}

// flush waits until every console message before now has been collected
// (the console keeps their order) and returns the errors so far.
func (l *consoleLog) flush(t *testing.T, ctx context.Context, n int) []string {
	t.Helper()
	mark := "wirecrawl-sentinel " + strconv.Itoa(n)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`console.info(`+strconv.Quote(mark)+`)`)); err != nil {
		t.Fatalf("console sentinel: %v", err)
	}
	for {
		select {
		case got := <-l.sentinel:
			if got != mark {
				continue
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			return append([]string(nil), l.errors...)
		case <-ctx.Done():
			t.Fatalf("console sentinel never arrived: %v", ctx.Err())
		}
	}
}

// navigate runs steps that load a page and waits for it: the page must
// answer 200.
func navigate(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: %s answered %d", what, resp.URL, resp.Status)
	}
}

// TestBrowserSyndication drives Chromium through the UI as a user would:
// log in with the token, search for an outlet, open the wire story's
// syndication view, check its timeline and outlets, and open one copy's
// changes. It fails on any console error or CSP violation, and shows that
// it would see one: a page with an inline script under the server's CSP
// makes one. With WIRECRAWL_SCREENSHOT=path it saves a PNG of the view.
func TestBrowserSyndication(t *testing.T) {
	path := chromium()
	if path == "" {
		t.Skip("no chromium: install it (.ci/setup-chromium.sh) or set WIRECRAWL_TEST_CHROMIUM")
	}
	st := loaded(t, storetest.SQLiteDSN(t), &exporttest.Corpus{N: 8, Paragraphs: 2})
	const outlets = 8
	id := storeStory(t, st, 1<<41, wireStory(outlets)...)
	h := serve.Handler(serve.Config{Store: st, Registry: prometheus.NewRegistry(), Token: "browser-s3cret"})
	mux := http.NewServeMux()
	mux.Handle("/", h)
	// The control: the server's own CSP on a page with an inline script.
	mux.HandleFunc("GET /csp-probe", func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		w.Header().Set("Content-Security-Policy", rec.Header().Get("Content-Security-Policy"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>probe</title><link rel="icon" href="data:,"><script>document.title = "ran"</script>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1100, 900))
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start %s: %v", path, err)
	}
	log := &consoleLog{sentinel: make(chan string, 4), errored: make(chan struct{}, 1)}
	go log.collect(chromedp.Console(ctx))

	// Log in: the UI sends the browser to the form and back.
	navigate(t, ctx, "open the UI", chromedp.Navigate(srv.URL+"/"))
	navigate(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), "browser-s3cret"),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`form.search`))); err != nil {
		t.Fatalf("after login: %v", err)
	}
	// Search for the outlet; the wire story is the one result.
	navigate(t, ctx, "search",
		chromedp.SendKeys(chromedp.CSS(`input[name="site"]`), wireOutlet(1)),
		chromedp.Submit(chromedp.CSS(`input[name="site"]`)))
	links, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSS(`a.story-link`)))
	if err != nil || len(links) != 1 || links[0]["href"] != "/stories/"+strconv.FormatInt(id, 10) {
		t.Fatalf("search for %q: results %v (%v), want the wire story %d", wireOutlet(1), links, err, id)
	}
	// The syndication view: every outlet in the table and on the timeline.
	navigate(t, ctx, "open the story", chromedp.Click(chromedp.CSS(`a.story-link`)))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`svg.timeline`))); err != nil {
		t.Fatalf("syndication view: %v", err)
	}
	table, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.copies`)))
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= outlets; k++ {
		if !strings.Contains(table, wireOutlet(k)) {
			t.Errorf("syndication view: outlet %s missing from the table", wireOutlet(k))
		}
	}
	dots, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`svg.timeline circle`)))
	if err != nil || len(dots) != outlets+1 {
		t.Errorf("timeline: %d dots (%v), want %d", len(dots), err, outlets+1)
	}
	// One copy's changes: the Valley Times (copy 2) edited a sentence.
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("table.copies tr")]
		.find(r => r.textContent.includes(`+strconv.Quote(wireOutlet(2))+`)).querySelector("a.changes-link").getAttribute("href")`))
	if err != nil || !strings.HasPrefix(href, "#copy-") {
		t.Fatalf("%s's changes link: %q (%v)", wireOutlet(2), href, err)
	}
	copySel := "details" + href
	// The table's link jumps to the copy's changes; Chromium opens a
	// closed <details> it navigates into, and a click on its summary
	// opens it in a browser that does not.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.changes-link[href="`+href+`"]`))); err != nil {
		t.Fatalf("follow %s's link: %v", wireOutlet(2), err)
	}
	open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+copySel+`").open`))
	if err != nil {
		t.Fatal(err)
	}
	if !open {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(copySel+` > summary`))); err != nil {
			t.Fatalf("open %s's changes: %v", wireOutlet(2), err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(copySel+` p.edited ins`))); err != nil {
		t.Fatalf("%s's changes: %v", wireOutlet(2), err)
	}
	t.Logf("%s's changes opened by the link itself: %v", wireOutlet(2), open)
	ins, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(copySel+` p.edited ins`)))
	if err != nil || !strings.Contains(ins, "about 210,000") {
		t.Errorf("copy 2's edit: inserted %q (%v), want the changed count", ins, err)
	}
	del, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(copySel+` p.edited del`)))
	if err != nil || !strings.Contains(del, "more than 200,000") {
		t.Errorf("copy 2's edit: deleted %q (%v), want the wire's count", del, err)
	}
	if out := os.Getenv("WIRECRAWL_SCREENSHOT"); out != "" {
		png, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.CSS(`body`), 0.7))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of the syndication view: %s (%d bytes)", out, len(png))
	}
	if errs := log.flush(t, ctx, 1); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("login, search, syndication view and a copy's changes in %s", time.Since(start).Round(time.Millisecond))

	// The control: an inline script is blocked, and the blocking is seen.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/csp-probe")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-log.errored:
	case <-ctx.Done():
		t.Fatal("the CSP probe's blocked inline script made no console error")
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || title != "probe" {
		t.Errorf("CSP probe: title %q (%v): the inline script ran", title, err)
	}
	errs := log.flush(t, ctx, 2)
	if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "Content Security Policy") {
		t.Errorf("CSP probe: console errors %q, want a Content Security Policy violation", errs)
	}
}
