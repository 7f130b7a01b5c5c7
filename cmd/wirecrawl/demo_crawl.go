package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// demoCrawl crawls the running simulated web with the real pipeline into a
// temporary SQLite database (or --db when given) and prints what happened:
// pages, stories, duplicates merged, the largest stored cluster with all its
// outlets, and the clustering scored against the web's truth.
func (a *app) demoCrawl(ctx context.Context, web *testweb.Web) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if a.flags.db == "" {
		dir, err := os.MkdirTemp("", "wirecrawl-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.DB = filepath.Join(dir, "demo.db")
	}
	cfg.Seeds = web.Seeds()
	cfg.Crawler.AllowPrivateNetworks = true // the simulated web lives on loopback
	cfg.Crawler.NoDelay = true
	if cfg.Log.Level == "info" {
		cfg.Log.Level = "warn" // the summary below says what matters
	}

	fmt.Fprintf(a.stdout, "\nCrawling it with the real pipeline into %s ...\n", cfg.DB)
	start := time.Now()
	res, err := a.runCrawl(ctx, cfg, a.pipelineConfig(cfg), func(ctx context.Context, p *pipeline.Pipeline) (crawler.Summary, error) {
		return p.Crawl(ctx, cfg.Seeds)
	})
	if err != nil {
		return fmt.Errorf("demo crawl: %w", err)
	}
	a.printSummary(res, time.Since(start))

	st, err := store.Open(ctx, cfg.DB, cfg.Store)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer st.Close()
	assign := map[string]string{}
	var biggest wirecrawl.Story
	stories, copies := 0, 0
	err = st.Stories(ctx, export.Filter{}, func(s wirecrawl.Story) error {
		stories++
		copies += len(s.Copies)
		for _, c := range s.Copies {
			assign[c.URL] = fmt.Sprint(s.ID)
		}
		if len(s.Copies) > len(biggest.Copies) {
			biggest = s
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(a.stdout, "\nStored %d pages as %d stories: %d duplicates merged.\n", copies, stories, copies-stories)
	if len(biggest.Copies) > 1 {
		a.printCluster(biggest)
	}
	s := web.ScoreClusters(assign)
	// Pages disallowed by robots.txt are in the truth but never fetched:
	// missing for good reason, said apart from pages the crawl lost.
	lostDisallowed := 0
	for _, p := range web.Truth() {
		if p.Disallowed {
			if _, stored := assign[p.URL]; !stored {
				lostDisallowed++
			}
		}
	}
	fmt.Fprintf(a.stdout, "\nAgainst the simulated web's truth (%d article URLs stored and scored, %d missing, %d more disallowed by robots.txt and not fetched):\n",
		s.Pages, s.Missing-lostDisallowed, lostDisallowed)
	fmt.Fprintf(a.stdout, "  duplicate pairs: precision %.4f, recall %.4f, F1 %.4f (%d true pairs)\n", s.PairPrecision, s.PairRecall, s.PairF1, s.TruePairs)
	fmt.Fprintf(a.stdout, "  B-cubed: precision %.4f, recall %.4f, F1 %.4f\n", s.BCubedPrecision, s.BCubedRecall, s.BCubedF1)
	if a.flags.db != "" {
		fmt.Fprintf(a.stdout, "\nThe database stays at %s: try `wirecrawl --db %s export | head -c 2000`.\n", cfg.DB, cfg.DB)
	}
	return nil
}

// printCluster lists the outlets of story s, first published first.
func (a *app) printCluster(s wirecrawl.Story) {
	fmt.Fprintf(a.stdout, "\nLargest stored story %d, %q (first published by %s), %d outlets:\n",
		s.ID, s.Title, s.FirstPublisher, len(s.Copies))
	cs := s.Copies
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Published.Before(cs[j].Published) })
	for _, c := range cs {
		fmt.Fprintf(a.stdout, "  %-26s %-12s sim %.2f  %q\n      %s\n", c.Site, formatTime(c.Published), c.Similarity, c.Title, c.URL)
	}
}
