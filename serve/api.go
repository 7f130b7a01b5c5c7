package serve

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
)

// DefaultPageSize is how many stories /api/v1/stories returns without limit=.
const DefaultPageSize = 50

// StoryList is the answer of /api/v1/stories: a page of stories in the
// export's JSONL fields, and the cursor of the next page ("" on the last).
type StoryList struct {
	Stories []export.Record `json:"stories"`
	Next    string          `json:"next_cursor,omitempty"`
}

// browser returns the store as a Browser, or writes an error.
func (h *handler) browser(w http.ResponseWriter) (store.Browser, bool) {
	b, ok := h.cfg.Store.(store.Browser)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this store cannot list stories")
	}
	return b, ok
}

// stories answers GET /api/v1/stories?since=&until=&site=&lang=&q=&limit=&cursor=.
// With q (full text, the syntax of store.ParseQuery) the page holds the
// matching stories, still in ID order so that the cursor pages through them.
func (h *handler) stories(w http.ResponseWriter, r *http.Request) {
	b, ok := h.browser(w)
	if !ok {
		return
	}
	f, after, limit, err := parseListQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	// One more than asked says whether a next page exists.
	page, err := b.StoryPage(r.Context(), f, after, limit+1)
	if errors.Is(err, store.ErrBadQuery) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		h.log.Error("api: stories", "err", err)
		writeError(w, http.StatusInternalServerError, "store error")
		return
	}
	out := StoryList{Stories: make([]export.Record, 0, min(len(page), limit))}
	for i := range page {
		if i == limit {
			out.Next = strconv.FormatInt(page[i-1].ID, 10)
			break
		}
		out.Stories = append(out.Stories, export.NewRecord(&page[i], false))
	}
	writeJSON(w, http.StatusOK, out)
}

// story answers GET /api/v1/stories/{id}: one story with every copy (and
// each copy's own text, when the store kept it).
func (h *handler) story(w http.ResponseWriter, r *http.Request) {
	b, ok := h.browser(w)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "story id: want a positive integer")
		return
	}
	st, found, err := b.StoryByID(r.Context(), id)
	switch {
	case err != nil:
		h.log.Error("api: story", "id", id, "err", err)
		writeError(w, http.StatusInternalServerError, "store error")
		return
	case !found:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no story %d", id))
		return
	}
	writeJSON(w, http.StatusOK, export.NewRecord(&st, true))
}

// parseListQuery reads the story list's parameters: the export's filters
// (since and until as RFC 3339 times or dates, an until date counting its
// whole day), limit (1..store.MaxStoryPage-1) and the cursor of a previous
// answer.
func parseListQuery(q url.Values) (f export.Filter, after int64, limit int, err error) {
	for key := range q {
		switch key {
		case "since", "until", "site", "lang", "q", "limit", "cursor":
		default:
			return f, 0, 0, fmt.Errorf("unknown parameter %q (want since, until, site, lang, q, limit, cursor)", key)
		}
	}
	if f.Since, err = export.ParseTime(q.Get("since"), false); err != nil {
		return f, 0, 0, fmt.Errorf("since: %w", err)
	}
	if f.Until, err = export.ParseTime(q.Get("until"), true); err != nil {
		return f, 0, 0, fmt.Errorf("until: %w", err)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return f, 0, 0, errors.New("since is not before until")
	}
	f.Site, f.Lang = strings.TrimSpace(q.Get("site")), strings.TrimSpace(q.Get("lang"))
	if _, ok := q["q"]; ok {
		if _, err := store.ParseQuery(q.Get("q")); err != nil {
			return f, 0, 0, fmt.Errorf("q: %w", err)
		}
		f.Query = q.Get("q")
	}
	limit = DefaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n >= store.MaxStoryPage {
			return f, 0, 0, fmt.Errorf("limit: want 1 to %d", store.MaxStoryPage-1)
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, 0, 0, errors.New("cursor: not one this API returned")
		}
		after = n
	}
	return f, after, limit, nil
}
