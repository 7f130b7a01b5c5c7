package serve

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
)

//go:embed ui
var uiFiles embed.FS

// pages are the UI's templates, each page parsed with the layout.
var pages = parsePages("list", "story", "feeds", "stats", "login", "ingest", "error")

// uiFuncs are the helpers templates call.
var uiFuncs = template.FuncMap{
	"when":      when,
	"storyTime": storyTime,
}

func parsePages(names ...string) map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, n := range names {
		out[n] = template.Must(template.New(n).Funcs(uiFuncs).ParseFS(uiFiles, "ui/layout.tmpl", "ui/"+n+".tmpl"))
	}
	return out
}

// when formats a time for the UI: UTC to the minute, "—" when unknown.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// storyTime is a story's publication time, or when it was first seen.
func storyTime(s wirecrawl.Story) time.Time {
	if s.Published.IsZero() {
		return s.FirstSeen
	}
	return s.Published
}

// base is what the layout needs on every page.
type base struct {
	// LoggedIn: a token is configured and the request carries its cookie.
	LoggedIn bool
	// CanIngest: the ingest form is offered.
	CanIngest bool
}

// base returns the layout's state for r.
func (h *handler) base(r *http.Request) base {
	return base{LoggedIn: h.cfg.Token != "" && h.hasSession(r), CanIngest: h.canIngest()}
}

// render executes page with data into a buffer, then writes it with status:
// a template error is a clean 500, not half a page.
func (h *handler) render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.Error("ui: render", "page", page, "err", err)
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage renders an error with status.
func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, status, "error", struct {
		Base   base
		Status string
		Error  string
	}{h.base(r), http.StatusText(status), msg})
}

// uiRoutes adds the web UI's routes to mux.
func (h *handler) uiRoutes(mux *http.ServeMux) {
	static, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	mux.Handle("GET /static/style.css", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.Handle("GET /{$}", h.uiAuth(http.HandlerFunc(h.listPage)))
	mux.Handle("GET /stories/{id}", h.uiAuth(http.HandlerFunc(h.storyPage)))
	mux.Handle("GET /feeds", h.uiAuth(http.HandlerFunc(h.feedsPage)))
	mux.Handle("GET /stats", h.uiAuth(http.HandlerFunc(h.statsPage)))
	mux.Handle("GET /ingest", h.uiAuth(http.HandlerFunc(h.ingestForm)))
	mux.Handle("POST /ingest", h.uiAuth(http.HandlerFunc(h.ingest)))
}

// listPage is the story list with its search form.
func (h *handler) listPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := struct {
		Base                        base
		Q, Site, Lang, Since, Until string
		Stories                     []wirecrawl.Story
		Next, Error                 string
	}{Base: h.base(r), Q: q.Get("q"), Site: q.Get("site"), Lang: q.Get("lang"), Since: q.Get("since"), Until: q.Get("until")}
	b, ok := h.cfg.Store.(store.Browser)
	if !ok {
		h.errorPage(w, r, http.StatusNotImplemented, "this store cannot list stories")
		return
	}
	// Empty form fields are no filter.
	for k, v := range q {
		if len(v) == 1 && strings.TrimSpace(v[0]) == "" {
			q.Del(k)
		}
	}
	f, after, limit, err := parseUIQuery(q)
	if err != nil {
		data.Error = err.Error()
		h.render(w, http.StatusBadRequest, "list", data)
		return
	}
	page, err := b.StoryPage(r.Context(), f, after, limit+1)
	if err != nil {
		h.log.Error("ui: stories", "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "store error")
		return
	}
	if len(page) > limit {
		page = page[:limit]
		q.Set("cursor", strconv.FormatInt(page[limit-1].ID, 10))
		data.Next = "/?" + q.Encode()
	}
	data.Stories = page
	h.render(w, http.StatusOK, "list", data)
}

// parseUIQuery reads the list page's form: the API's parameters plus q.
func parseUIQuery(q url.Values) (export.Filter, int64, int, error) {
	text := strings.TrimSpace(q.Get("q"))
	q.Del("q")
	f, after, limit, err := parseListQuery(q)
	if err != nil {
		return f, 0, 0, err
	}
	if text != "" {
		if err := withQuery(&f, text); err != nil {
			return f, 0, 0, err
		}
	}
	return f, after, limit, nil
}

// withQuery adds a full-text query to f (the syntax of store.ParseQuery).
func withQuery(f *export.Filter, text string) error {
	if _, err := store.ParseQuery(text); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	f.Query = text
	return nil
}

// storyPage is the syndication view of one story.
func (h *handler) storyPage(w http.ResponseWriter, r *http.Request) {
	b, ok := h.cfg.Store.(store.Browser)
	if !ok {
		h.errorPage(w, r, http.StatusNotImplemented, "this store cannot list stories")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.errorPage(w, r, http.StatusBadRequest, "story id: want a positive integer")
		return
	}
	st, found, err := b.StoryByID(r.Context(), id)
	switch {
	case err != nil:
		h.log.Error("ui: story", "id", id, "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "store error")
		return
	case !found:
		h.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("no story %d", id))
		return
	}
	h.render(w, http.StatusOK, "story", syndication(h.base(r), &st))
}
