package serve

import (
	"fmt"
	"net/http"
	"time"

	"github.com/wirecrawl/wirecrawl/store"
)

// statsDays is how many days the stats chart and /api/v1/stats cover.
const statsDays = 30

// FeedRecord is one feed in /api/v1/feeds. Unknown times are null.
type FeedRecord struct {
	URL string `json:"url"`
	// LastPoll is when the feed was last fetched (200 or 304).
	LastPoll *time.Time `json:"last_poll"`
	// Status is the HTTP status of the feed's latest fetch (0: no response
	// or no fetch logged).
	Status int `json:"status"`
	// NextPoll is when the feed is due next.
	NextPoll *time.Time `json:"next_poll"`
	// LastError is the latest fetch's error ("" when it succeeded).
	LastError string `json:"last_error"`
	// ErrorClass is its class (timeout, http_5xx, ...).
	ErrorClass string `json:"error_class"`
	// LastFetch is when that latest fetch happened.
	LastFetch *time.Time `json:"last_fetch"`
	// Failures counts consecutive failed polls.
	Failures int `json:"failures"`
	// EntriesPerWeek is the measured publishing rate.
	EntriesPerWeek float64 `json:"entries_per_week"`
}

// StatsRecord is /api/v1/stats: the store's counts (as `wirecrawl stats
// --json` writes them) and copies per site and day.
type StatsRecord struct {
	store.Stats
	// PerDay counts copies per site and UTC day over the last days with data.
	PerDay []DayRecord `json:"per_day"`
}

// DayRecord is one site's copies on one day.
type DayRecord struct {
	// Day is the UTC date, 2006-01-02.
	Day    string `json:"day"`
	Site   string `json:"site"`
	Copies int64  `json:"copies"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// dashboard returns the store as a Dashboard, or says why not.
func (h *handler) dashboard() (store.Dashboard, error) {
	d, ok := h.cfg.Store.(store.Dashboard)
	if !ok {
		return nil, fmt.Errorf("store %T has no feed health or charts", h.cfg.Store)
	}
	return d, nil
}

// feedRecords reads every feed's health.
func (h *handler) feedRecords(r *http.Request) ([]FeedRecord, error) {
	d, err := h.dashboard()
	if err != nil {
		return nil, err
	}
	fs, err := d.FeedHealth(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]FeedRecord, len(fs))
	for i, f := range fs {
		out[i] = FeedRecord{URL: f.URL, LastPoll: timeOrNil(f.LastPolled), Status: f.Status, NextPoll: timeOrNil(f.NextPoll),
			LastError: f.Error, ErrorClass: f.ErrClass, LastFetch: timeOrNil(f.LastFetch), Failures: f.Failures,
			EntriesPerWeek: f.EntriesPerWeek}
	}
	return out, nil
}

// statsRecord reads the store's counts and the chart's days.
func (h *handler) statsRecord(r *http.Request) (StatsRecord, error) {
	d, err := h.dashboard()
	if err != nil {
		return StatsRecord{}, err
	}
	st, err := h.cfg.Store.Stats(r.Context())
	if err != nil {
		return StatsRecord{}, err
	}
	days, err := d.CopiesPerDay(r.Context(), statsDays)
	if err != nil {
		return StatsRecord{}, err
	}
	out := StatsRecord{Stats: st, PerDay: make([]DayRecord, len(days))}
	for i, c := range days {
		out.PerDay[i] = DayRecord{Day: c.Day.Format(time.DateOnly), Site: c.Site, Copies: c.Copies}
	}
	return out, nil
}

// feeds answers GET /api/v1/feeds.
func (h *handler) feeds(w http.ResponseWriter, r *http.Request) {
	out, err := h.feedRecords(r)
	if err != nil {
		h.log.Error("api: feeds", "err", err)
		writeError(w, http.StatusInternalServerError, "store error")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// stats answers GET /api/v1/stats.
func (h *handler) stats(w http.ResponseWriter, r *http.Request) {
	out, err := h.statsRecord(r)
	if err != nil {
		h.log.Error("api: stats", "err", err)
		writeError(w, http.StatusInternalServerError, "store error")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// feedView is one row of the feeds page.
type feedView struct {
	FeedRecord
	LastPolled, NextPoll time.Time
	// Health is the row's CSS class: ok, failing or never.
	Health     string
	StatusText string
	Error      string
}

// feedsPage lists feeds and their health.
func (h *handler) feedsPage(w http.ResponseWriter, r *http.Request) {
	recs, err := h.feedRecords(r)
	if err != nil {
		h.log.Error("ui: feeds", "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "store error")
		return
	}
	rows := make([]feedView, len(recs))
	for i, f := range recs {
		v := feedView{FeedRecord: f, Health: "ok", Error: f.LastError}
		if f.LastPoll != nil {
			v.LastPolled = *f.LastPoll
		}
		if f.NextPoll != nil {
			v.NextPoll = *f.NextPoll
		}
		switch {
		case f.LastFetch == nil && f.LastPoll == nil:
			v.Health, v.StatusText = "never", "not polled"
		case f.Status != 0:
			v.StatusText = fmt.Sprintf("%d %s", f.Status, http.StatusText(f.Status))
		case f.LastFetch == nil:
			v.StatusText = "ok (no fetch logged)"
		default:
			v.StatusText = "no response"
		}
		if f.Failures > 0 || f.ErrorClass != "" {
			v.Health = "failing"
			if f.ErrorClass != "" && v.Error == "" {
				v.Error = f.ErrorClass
			}
		}
		rows[i] = v
	}
	h.render(w, http.StatusOK, "feeds", struct {
		Base  base
		Feeds []feedView
	}{h.base(r), rows})
}

// statsPage shows the counts and the two charts.
func (h *handler) statsPage(w http.ResponseWriter, r *http.Request) {
	rec, err := h.statsRecord(r)
	if err != nil {
		h.log.Error("ui: stats", "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "store error")
		return
	}
	colors := siteColors(rec.Sites)
	h.render(w, http.StatusOK, "stats", struct {
		Base   base
		Stats  store.Stats
		PerDay dayChart
		Share  shareChart
	}{h.base(r), rec.Stats, newDayChart(rec.PerDay, colors), newShareChart(rec.Stats, colors)})
}
