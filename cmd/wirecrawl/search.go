package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
)

// searchFlags are the flags of `wirecrawl search`.
type searchFlags struct {
	limit                    int
	json                     bool
	since, until, site, lang string
}

// searchHit is one line of `wirecrawl search --json`, in the export's field
// names where they are the same.
type searchHit struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Published *time.Time `json:"published"`
	Site      string     `json:"site"`
	NCopies   int        `json:"n_copies"`
	Rank      float64    `json:"rank"`
	Snippet   string     `json:"snippet"`
}

// searchCommand finds stored stories by full text.
func (a *app) searchCommand() *cobra.Command {
	var fl searchFlags
	cmd := &cobra.Command{
		Use:   "search QUERY [--limit N] [--json] [--site S] [--lang L] [--since T] [--until T]",
		Short: "Find stored stories by full text, most relevant first",
		Long: `search looks QUERY up in the stories' titles, texts and the headlines of
their copies, and prints the matching stories, most relevant first (bm25 on
SQLite, ts_rank on PostgreSQL; title words weigh most, then headlines, then the
text): ID, published time, site, title, number of copies and a snippet of the
text with the matching words in **bold**.

QUERY (several arguments are joined with spaces):
  storm coast        stories with both words (case and, on SQLite, accents ignored)
  "coast guard"      the words next to each other, in this order (quote the
                     quotes for the shell: '"coast guard"')
  -rain              stories without the word (or -"phrase")
  harb*              words starting with harb (at least 3 letters)
Letters and digits make words; other characters separate them. There is no OR.
A query the syntax refuses exits 2 and says why.

--json prints one JSON object per story (id, url, title, published, site,
n_copies, rank, snippet). export --query and the API's q= select with the same
syntax, in story ID order.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSearch(cmd.Context(), strings.Join(args, " "), fl)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&fl.limit, "limit", "n", 20, fmt.Sprintf("show at most N stories (1 to %d)", store.MaxStoryPage))
	f.BoolVar(&fl.json, "json", false, "print one JSON object per story")
	f.StringVar(&fl.since, "since", "", "only stories published at or after T (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&fl.until, "until", "", "only stories published before T (RFC 3339), or on or before a date YYYY-MM-DD")
	f.StringVar(&fl.site, "site", "", "only stories with a copy on this site (site name or host)")
	f.StringVar(&fl.lang, "lang", "", "only stories in this language (e.g. en)")
	return cmd
}

// searchFilter checks the query and flags; every error is a usage error.
func searchFilter(query string, fl searchFlags) (export.Filter, error) {
	var f export.Filter
	if _, err := store.ParseQuery(query); err != nil {
		return f, err
	}
	if fl.limit < 1 || fl.limit > store.MaxStoryPage {
		return f, fmt.Errorf("--limit %d: want 1 to %d", fl.limit, store.MaxStoryPage)
	}
	var err error
	if f.Since, err = export.ParseTime(fl.since, false); err != nil {
		return f, fmt.Errorf("--since: %w", err)
	}
	if f.Until, err = export.ParseTime(fl.until, true); err != nil {
		return f, fmt.Errorf("--until: %w", err)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return f, fmt.Errorf("--since %s is not before --until %s", fl.since, fl.until)
	}
	f.Query, f.Site, f.Lang = query, strings.TrimSpace(fl.site), strings.TrimSpace(fl.lang)
	return f, nil
}

func (a *app) runSearch(ctx context.Context, query string, fl searchFlags) (err error) {
	f, err := searchFilter(query, fl)
	if err != nil {
		return usageError{fmt.Errorf("search: %w", err)}
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, cfg)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("search: closing store: %w", cerr)
		}
	}()
	s, ok := st.(store.Searcher)
	if !ok {
		return fmt.Errorf("search: the store %T cannot search", st)
	}
	hits, err := s.Search(ctx, f, 0, fl.limit)
	if errors.Is(err, store.ErrBadQuery) {
		return usageError{fmt.Errorf("search: %w", err)}
	}
	if err != nil {
		return err
	}
	if len(hits) == 0 {
		fmt.Fprintf(a.stderr, "no stories match %s\n", query)
		return nil
	}
	if fl.json {
		enc := json.NewEncoder(a.stdout)
		for _, h := range hits {
			rec := export.NewRecord(&h.Story, false)
			line := searchHit{ID: rec.ID, URL: rec.URL, Title: rec.Title, Published: rec.Published, Site: rec.Site,
				NCopies: len(h.Story.Copies), Rank: h.Rank, Snippet: h.Snippet}
			if err := enc.Encode(line); err != nil {
				return fmt.Errorf("search: %w", err)
			}
		}
		return nil
	}
	for _, h := range hits {
		published := "unknown   "
		if !h.Story.Published.IsZero() {
			published = h.Story.Published.UTC().Format("2006-01-02")
		}
		copies := fmt.Sprintf("%d copies", len(h.Story.Copies))
		if len(h.Story.Copies) == 1 {
			copies = "1 copy"
		}
		if _, err := fmt.Fprintf(a.stdout, "%d  %s  %s  %s  (%s)\n    %s\n", h.Story.ID, published, oneLine(h.Story.Site),
			oneLine(h.Story.Title), copies, oneLine(h.Snippet)); err != nil {
			return fmt.Errorf("search: %w", err)
		}
	}
	return nil
}

// oneLine puts s on one line without control characters: stored titles and
// texts are hostile input, and a terminal obeys escape sequences.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || !unicode.IsGraphic(r) {
			return ' '
		}
		return r
	}, s)), " ")
}
