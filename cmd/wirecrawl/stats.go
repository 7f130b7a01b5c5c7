package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/store"
)

// statsCommand prints what the database holds and how recent fetches went.
func (a *app) statsCommand() *cobra.Command {
	var (
		asJSON bool
		top    int
	)
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Count stories, copies, merged duplicates, sites, languages, the frontier and recent fetch errors",
		Long: "stats prints the counts of the database named by db: (or --db): stories, copies, duplicates merged,\n" +
			"per site and language, frontier jobs by state, and the error classes of the latest " +
			fmt.Sprint(store.RecentFetches) + " fetches.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("stats takes no arguments, got %q", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if top < 0 {
				return usageError{fmt.Errorf("--top: must be >= 0, got %d", top)}
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			s, err := openExisting(cmd.Context(), cfg)
			if err != nil {
				return fmt.Errorf("stats: %w", err)
			}
			defer s.Close()
			st, err := s.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return writeStats(a.stdout, st, top)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the statistics as JSON (all sites)")
	cmd.Flags().IntVar(&top, "top", 20, "sites and languages to list, 0 for all")
	return cmd
}

// writeStats prints st for people; top bounds the site and language lists.
func writeStats(w io.Writer, st store.Stats, top int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "stories\t%d\n", st.Stories)
	fmt.Fprintf(tw, "copies\t%d\n", st.Copies)
	fmt.Fprintf(tw, "duplicates merged\t%d\n", st.Duplicates)
	fmt.Fprintf(tw, "earlier versions kept\t%d\n", st.Versions)
	fmt.Fprintf(tw, "raw responses kept\t%d\n", st.RawPages)
	fmt.Fprintf(tw, "feeds and sitemaps\t%d\n", st.Feeds)
	fmt.Fprintf(tw, "frontier\tqueued %d, leased %d, done %d, failed %d\n",
		st.Frontier["queued"], st.Frontier["leased"], st.Frontier["done"], st.Frontier["failed"])
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(st.Sites) > 0 {
		fmt.Fprintf(w, "\nsites (%d)\n", len(st.Sites))
		fmt.Fprintln(tw, "  site\tstories\tcopies\tfirst publisher of")
		for i, s := range st.Sites {
			if top > 0 && i == top {
				fmt.Fprintf(tw, "  ... %d more\t\t\t\n", len(st.Sites)-top)
				break
			}
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", orUnknown(s.Site), s.Stories, s.Copies, s.First)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(st.Langs) > 0 {
		fmt.Fprintf(w, "\nlanguages (%d)\n", len(st.Langs))
		fmt.Fprintln(tw, "  lang\tstories")
		for i, l := range st.Langs {
			if top > 0 && i == top {
				fmt.Fprintf(tw, "  ... %d more\t\n", len(st.Langs)-top)
				break
			}
			fmt.Fprintf(tw, "  %s\t%d\n", orUnknown(l.Lang), l.Stories)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	f := st.Fetches
	if f.Total == 0 {
		_, err := fmt.Fprintln(w, "\nrecent fetches: none logged")
		return err
	}
	fmt.Fprintf(w, "\nrecent fetches: latest %d of %d logged, %s to %s: %d ok, %d failed\n",
		f.Total, f.Logged, f.From.Format(time.RFC3339), f.To.Format(time.RFC3339), f.OK, f.Total-f.OK)
	if len(f.Errors) > 0 {
		fmt.Fprintln(tw, "  error class\tfetches\tlatest error")
		for _, e := range f.Errors {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", e.Class, e.Count, strings.Join(strings.Fields(e.Example), " "))
		}
	}
	return tw.Flush()
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
