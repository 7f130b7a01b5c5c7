package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/pipeline"
)

// storeUnusableError marks a run ended because the store cannot be used (a
// corrupt file, a database server gone): exit 4, with what to do.
type storeUnusableError struct {
	err  error
	help string
}

func (e storeUnusableError) Error() string { return "store unusable: " + e.err.Error() }
func (e storeUnusableError) Unwrap() error { return e.err }

// jsonRequested says whether the command line or the environment asks for
// JSON logs, for the messages written before (or without) a configuration
// being loaded; loadConfig settles it from the configuration.
func jsonRequested(args, env []string) bool {
	for i, a := range args {
		switch {
		case a == "--log-format" && i+1 < len(args):
			return args[i+1] == "json"
		case strings.HasPrefix(a, "--log-format="):
			return strings.TrimPrefix(a, "--log-format=") == "json"
		}
	}
	return lookupEnv(env, "WIRECRAWL_LOG_FORMAT") == "json"
}

// lastWord writes the command's closing message on stderr: a JSON record
// (with the exit status) when logs are JSON, else "wirecrawl: msg (help)".
func (a *app) lastWord(level slog.Level, msg string, code int, attrs ...any) {
	if a.jsonLog {
		l := slog.New(slog.NewJSONHandler(a.stderr, nil))
		l.Log(context.Background(), level, msg, append(attrs, "exit_status", code)...)
		return
	}
	line := "wirecrawl: " + msg
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i] == "help" {
			line += " (" + fmt.Sprint(attrs[i+1]) + ")"
		}
	}
	fmt.Fprintln(a.stderr, line)
}

// summaryRecord is the end-of-run summary: what a pass did, and why what
// failed failed (one example message per error class).
type summaryRecord struct {
	crawler.Summary
	stories, copies, unchanged, noArticle int
	took                                  time.Duration
	interrupted                           bool
}

func newSummary(r runResult, took time.Duration, interrupted bool) summaryRecord {
	c := r.Counts
	return summaryRecord{Summary: r.Summary, stories: c.New, copies: c.Copies, unchanged: c.Unchanged,
		noArticle: c.NoArticle, took: took, interrupted: interrupted}
}

// classes returns the error classes, most frequent first.
func (s summaryRecord) classes() []string {
	classes := make([]string, 0, len(s.ErrorsByClass))
	for k := range s.ErrorsByClass {
		classes = append(classes, k)
	}
	slices.SortFunc(classes, func(x, y string) int {
		if d := s.ErrorsByClass[y] - s.ErrorsByClass[x]; d != 0 {
			return d
		}
		return strings.Compare(x, y)
	})
	return classes
}

// writeText writes the summary as lines of text.
func (s summaryRecord) writeText(w io.Writer) {
	head := ""
	if s.interrupted {
		head = "interrupted; done so far: "
	}
	fmt.Fprintf(w, "%sfeeds polled %d (%d not modified), pages fetched %d, stories new %d, copies merged %d, unchanged %d, no article %d, in %s\n",
		head, s.FeedsPolled, s.NotModified, s.PagesFetched, s.stories, s.copies, s.unchanged, s.noArticle, s.took.Round(time.Millisecond))
	if s.Failed > 0 || s.Retries > 0 || s.Left > 0 {
		fmt.Fprintf(w, "failed for good %d, retries %d, left for a later run %d\n", s.Failed, s.Retries, s.Left)
	}
	if s.Deferred > 0 || s.HostsGivenUp > 0 {
		fmt.Fprintf(w, "timed out, retried in a later run %d; hosts given up after timeouts in a row %d (%d of their URLs left)\n",
			s.Deferred, s.HostsGivenUp, s.LeftOnHosts)
	}
	if s.TimeUp {
		fmt.Fprintln(w, "the pass ended at max_pass_duration; the rest is left for the next run")
	}
	if s.noSeedFetched() {
		fmt.Fprintf(w, "no seed could be fetched (%d tried)\n", s.SeedsTried)
	}
	classes := s.classes()
	if len(classes) == 0 {
		return
	}
	parts := make([]string, len(classes))
	for i, k := range classes {
		parts[i] = fmt.Sprintf("%s %d", k, s.ErrorsByClass[k])
	}
	fmt.Fprintf(w, "errors: %s\n", strings.Join(parts, ", "))
	for _, k := range classes {
		if ex := s.example(k); ex != "" {
			fmt.Fprintf(w, "  %s: %s\n", k, ex)
		}
	}
}

// example is one error message of class k, if the crawler kept one.
func (s summaryRecord) example(k string) string {
	return strings.Join(strings.Fields(s.ErrorExamples[k]), " ")
}

// writeJSON writes the summary as one JSON record, shaped like the log's.
func (s summaryRecord) writeJSON(w io.Writer) {
	errs := make([]any, 0, len(s.ErrorsByClass))
	for _, k := range s.classes() {
		attrs := []any{"count", s.ErrorsByClass[k]}
		if ex := s.example(k); ex != "" {
			attrs = append(attrs, "example", ex)
		}
		errs = append(errs, slog.Group(k, attrs...))
	}
	l := slog.New(slog.NewJSONHandler(w, nil))
	l.Info("summary",
		"interrupted", s.interrupted,
		"feeds_polled", s.FeedsPolled, "not_modified", s.NotModified,
		"pages_fetched", s.PagesFetched, "pages_stored", s.PagesStored,
		"stories_new", s.stories, "copies_merged", s.copies, "unchanged", s.unchanged, "no_article", s.noArticle,
		"duplicates", s.Duplicates, "enqueued", s.Enqueued, "retries", s.Retries, "failed", s.Failed, "left", s.Left,
		"deferred", s.Deferred, "hosts_given_up", s.HostsGivenUp, "left_on_hosts", s.LeftOnHosts, "time_up", s.TimeUp,
		"seeds_tried", s.SeedsTried, "seeds_fetched", s.SeedsFetched,
		slog.Group("errors", errs...),
		"took", s.took.Round(time.Millisecond).String())
}

// printSummary writes the end-of-run summary on stdout: text, or one JSON
// record when logs are JSON.
func (a *app) printSummary(r runResult, took time.Duration) {
	a.writeSummary(newSummary(r, took, false))
}

func (a *app) writeSummary(s summaryRecord) {
	if a.jsonLog {
		s.writeJSON(a.stdout)
		return
	}
	s.writeText(a.stdout)
}

// endOfRun writes the summary of a crawl-like run that ended with err: the
// summary of what was done when it finished or was interrupted, nothing
// when it never started (no lock, no store). It returns err.
func (a *app) endOfRun(ctx context.Context, r runResult, took time.Duration, err error) error {
	var se storeUnusableError
	switch {
	case err == nil:
		a.writeSummary(newSummary(r, took, false))
	case ctx.Err() != nil && !errors.As(err, &se):
		a.writeSummary(newSummary(r, took, true))
	case r.started && errors.As(err, &se):
		a.writeSummary(newSummary(r, took, false))
	}
	return err
}

// outcomeLine writes what ingest did with one URL: the line
// pipeline.Outcome.String gives, or a JSON record when logs are JSON.
func (a *app) outcomeLine(o pipeline.Outcome) {
	if !a.jsonLog {
		fmt.Fprintln(a.stdout, o)
		return
	}
	l := slog.New(slog.NewJSONHandler(a.stdout, nil))
	if o.Err != nil {
		l.Warn("ingest", "url", o.URL, "error", o.Err.Error())
		return
	}
	l.Info("ingest", "url", o.URL, "action", string(o.Action), "story", o.StoryID, "reason", o.Reason)
}

// noSeedFetched says seeds were asked for in this pass and none answered
// (offline, a DNS failure, an untrusted certificate): the run failed.
func (s summaryRecord) noSeedFetched() bool {
	return s.SeedsTried > 0 && s.SeedsFetched == 0
}
