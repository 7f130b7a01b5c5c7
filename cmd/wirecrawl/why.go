package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/crawler"
)

// whyCommand explains which story a URL belongs to and why it was merged.
func (a *app) whyCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "why URL...",
		Short: "Say which story a stored URL belongs to, and why it was merged there",
		Args:  urlArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			st, err := openExisting(cmd.Context(), cfg)
			if err != nil {
				return fmt.Errorf("why: %w", err)
			}
			defer st.Close()
			missing := 0
			for _, raw := range args {
				u, err := crawler.NormalizeURL(raw)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", raw, err)}
				}
				story, cp, ok, err := st.StoryOf(cmd.Context(), u)
				if err != nil {
					return fmt.Errorf("why %s: %w", u, err)
				}
				if !ok && u != raw {
					story, cp, ok, err = st.StoryOf(cmd.Context(), raw)
					if err != nil {
						return fmt.Errorf("why %s: %w", raw, err)
					}
				}
				if !ok {
					missing++
					fmt.Fprintf(a.stdout, "%s: not stored\n", raw)
					continue
				}
				if asJSON {
					story.Text = ""
					if err := json.NewEncoder(a.stdout).Encode(map[string]any{"url": raw, "copy": cp, "story": story}); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(a.stdout, "%s\n  story %d: %q (%d copies, canonical %s, first published by %s)\n",
					raw, story.ID, story.Title, len(story.Copies), story.URL, story.FirstPublisher)
				if cp.URL == story.URL {
					fmt.Fprintf(a.stdout, "  this URL is the story's canonical version\n")
				}
				fmt.Fprintf(a.stdout, "  merged because: %s (similarity %.3f)\n", cp.Reason, cp.Similarity)
				for _, c := range story.Copies {
					fmt.Fprintf(a.stdout, "    %-40s %s  %s\n", c.Site, formatTime(c.Published), c.URL)
				}
			}
			if missing > 0 {
				return fmt.Errorf("why: %d of %d URLs not stored: %w", missing, len(args), errPartial)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per URL")
	return cmd
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
