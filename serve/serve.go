// Package serve is the HTTP side of `wirecrawl serve`: /healthz, /readyz,
// /metrics, the read-only JSON API under /api/v1/ and the web UI (story
// list, the syndication view of a story, feeds, stats), rendered on the
// server with html/template and no script. It reads the store and the
// metrics registry it is given; the crawl passes run elsewhere (the command)
// and report to it through Status. It does not crawl and never writes to the
// store itself: the UI's optional ingest form calls Config.Ingest.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wirecrawl/wirecrawl/store"
)

// ErrNeedToken is returned by CheckListen for a non-loopback address without
// a token.
var ErrNeedToken = errors.New("serve: a non-loopback address needs serve.token")

// CheckListen refuses to expose the server beyond the machine without a
// token: addr must name a loopback host (an IP literal in 127.0.0.0/8 or
// ::1, or "localhost") unless token is set. An empty host ("":8080) listens
// on every interface, so it needs the token too.
func CheckListen(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("serve: listen address %q: %w", addr, err)
	}
	if token != "" {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w (listen %s)", ErrNeedToken, addr)
}

// Status is what the crawl loop tells the server about its passes, for
// /readyz. Its zero value is a loop that has not finished a pass.
type Status struct {
	mu sync.Mutex
	// lastEnd is when the last pass ended; zero before the first.
	lastEnd time.Time
	// due is when the next pass should have ended at the latest.
	due time.Time
}

// PassEnded records that a pass ended at end and that the next one should
// have ended by due.
func (s *Status) PassEnded(end, due time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastEnd, s.due = end, due
}

// check says why the crawl is not ready at now, or nil.
func (s *Status) check(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.lastEnd.IsZero():
		return errors.New("no crawl pass has ended yet")
	case now.After(s.due):
		return fmt.Errorf("the last crawl pass ended at %s; the next one is overdue since %s",
			s.lastEnd.UTC().Format(time.RFC3339), s.due.UTC().Format(time.RFC3339))
	}
	return nil
}

// Config configures a Server.
type Config struct {
	// Store is read for /readyz and the API.
	Store store.Store
	// Registry is exposed on /metrics.
	Registry *prometheus.Registry
	// Status is the crawl loop's, for /readyz.
	Status *Status
	// Token, if set, must come as "Authorization: Bearer TOKEN" or as the
	// cookie the login form sets, on every request but /healthz, /readyz,
	// the login form and the style sheet.
	Token string
	// Ingest, if set (and Token is), backs the UI's "ingest a URL" form:
	// it fetches and stores one URL as the crawler does, private-address
	// guard included. Nil keeps the server read-only.
	Ingest func(ctx context.Context, url string) error
	// Log receives request errors; nil discards.
	Log *slog.Logger
	// Now, if set, is the clock that login sessions are issued and expire
	// by; nil is time.Now.
	Now func() time.Time
}

// Handler returns the server's routes.
func Handler(cfg Config) http.Handler {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{cfg: cfg, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.Handle("GET /metrics", h.auth(promhttp.InstrumentMetricHandler(cfg.Registry,
		promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))))
	mux.Handle("GET /api/v1/stories", h.auth(http.HandlerFunc(h.stories)))
	mux.Handle("GET /api/v1/stories/{id}", h.auth(http.HandlerFunc(h.story)))
	mux.Handle("GET /api/v1/feeds", h.auth(http.HandlerFunc(h.feeds)))
	mux.Handle("GET /api/v1/stats", h.auth(http.HandlerFunc(h.stats)))
	h.uiRoutes(mux)
	return securityHeaders(mux)
}

type handler struct {
	cfg Config
	log *slog.Logger
}

// csp allows the UI its own style sheet and nothing else: no script at
// all, no inline style, forms posting back here only.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries: nothing here is
// meant to be framed, sniffed or to run scripts.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// healthz answers while the process does.
func (h *handler) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 when the store answers and the last pass ended on time.
func (h *handler) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	var problems []string
	if sch, ok := h.cfg.Store.(store.Scheduler); !ok {
		problems = append(problems, "store: cannot be pinged")
	} else if err := sch.Ping(ctx); err != nil {
		problems = append(problems, err.Error())
	}
	if h.cfg.Status != nil {
		if err := h.cfg.Status.check(time.Now()); err != nil {
			problems = append(problems, err.Error())
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, strings.Join(problems, "\n"))
		return
	}
	fmt.Fprintln(w, "ok")
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
