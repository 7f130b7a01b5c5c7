package dedup

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// envInt reads an integer knob of BenchmarkWebVariant.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// BenchmarkWebVariant scores dedup on one simulated web chosen by the
// environment (WV_SEED, WV_OUTLETS, WV_STORIES) and explains every wrong
// merge: which stories, of what kinds, and the rule that joined their
// closest pages. Run it with
// WV_STORIES=4830 WV_OUTLETS=100 go test ./dedup -run XXX -bench WebVariant -benchtime 1x -v.
func BenchmarkWebVariant(b *testing.B) {
	opts := testweb.Options{Seed: int64(envInt("WV_SEED", 16)), Outlets: envInt("WV_OUTLETS", 100), Stories: envInt("WV_STORIES", 4830),
		Crowded: os.Getenv("WV_PLAIN") == ""}
	web, err := testweb.Generate(opts)
	if err != nil {
		b.Fatal(err)
	}
	truth := web.Truth()
	pages := webPages(b, opts)
	if os.Getenv("WV_DROPSITE") != "" {
		// what dropping the paragraphs that name the publishing outlet
		// (its standing paragraphs) before dedup would give
		for i := range pages {
			var kept []string
			for _, para := range strings.Split(pages[i].doc.Text, "\n\n") {
				if !strings.Contains(para, pages[i].doc.Site) {
					kept = append(kept, para)
				}
			}
			pages[i].doc.Text = strings.Join(kept, "\n\n")
		}
	}
	d := New(Config{})
	for range b.N {
		order := shuffled(len(pages), 1)
		if os.Getenv("WV_ORDER") == "truth" {
			// as a crawl meets them: outlet by outlet, oldest first
			for i := range order {
				order[i] = i
			}
		}
		pred, decs := cluster(b, d, pages, order)
		s := score(pred, truthOf(pages))
		logf("seed %d, %d outlets, %d stories: %v", opts.Seed, opts.Outlets, opts.Stories, s)
		b.ReportMetric(s.p, "P")
		b.ReportMetric(s.r, "R")
		b.ReportMetric(s.bp, "B3-P")
		explainMerges(d, pages, truth, pred, decs)
		explainSplits(d, pages, truth, pred, decs, envInt("WV_SPLITS", 0))
	}
}

// explainMerges logs each predicted cluster that joins true stories: per
// pair of stories their pages' kinds and the comparison of their closest
// pages.
func explainMerges(d *Deduper, pages []page, truth []testweb.Page, pred []int64, decs []Decision) {
	byPred := map[int64][]int{}
	for i := range pages {
		byPred[pred[i]] = append(byPred[pred[i]], i)
	}
	var keys []int64
	for c := range byPred {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	full := os.Getenv("WV_TEXTS") != ""
	for _, c := range keys {
		members := byPred[c]
		byStory := map[int][]int{}
		for _, i := range members {
			byStory[pages[i].story] = append(byStory[pages[i].story], i)
		}
		if len(byStory) < 2 {
			continue
		}
		var sts []int
		for st := range byStory {
			sts = append(sts, st)
		}
		sort.Ints(sts)
		var desc []string
		for _, st := range sts {
			p := truth[byStory[st][0]]
			desc = append(desc, fmt.Sprintf("%s(%s rel %q, %d pages)", p.StoryID, p.Kind, p.Related, len(byStory[st])))
		}
		logf("MERGE cluster %d: %s", c, strings.Join(desc, " + "))
		for x := 0; x < len(sts); x++ {
			for y := x + 1; y < len(sts); y++ {
				var best Match
				bi, bj := -1, -1
				for _, i := range byStory[sts[x]] {
					for _, j := range byStory[sts[y]] {
						m := d.Compare(pages[i].doc.Text, pages[j].doc.Text)
						if m.Verified && (bi < 0 || m.Containment > best.Containment) {
							best, bi, bj = m, i, j
						}
					}
				}
				if bi < 0 {
					continue
				}
				logf("   %s %s %v ~ %s %s %v: %s", truth[bi].StoryID, truth[bi].Kind, truth[bi].Edits, truth[bj].StoryID, truth[bj].Kind, truth[bj].Edits, best.Why)
				logf("      decisions: %s | %s", decs[bi].Reason, decs[bj].Reason)
				if full {
					logf("      TEXT A (%s):\n%s\n      TEXT B (%s):\n%s", truth[bi].URL, pages[bi].doc.Text, truth[bj].URL, pages[bj].doc.Text)
				}
			}
		}
	}
}

// logf prints a line of BenchmarkWebVariant's report (a benchmark's log is
// cut to a few lines).
func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

// explainSplits logs up to limit true stories split over clusters: the
// comparison of the closest pair of pages across two clusters.
func explainSplits(d *Deduper, pages []page, truth []testweb.Page, pred []int64, decs []Decision, limit int) {
	byStory := map[int][]int{}
	for i := range pages {
		byStory[pages[i].story] = append(byStory[pages[i].story], i)
	}
	var sts []int
	for st := range byStory {
		sts = append(sts, st)
	}
	sort.Ints(sts)
	shown := 0
	for _, st := range sts {
		members := byStory[st]
		var best Match
		bi, bj := -1, -1
		for x, i := range members {
			for _, j := range members[x+1:] {
				if pred[i] == pred[j] {
					continue
				}
				m := d.Compare(pages[i].doc.Text, pages[j].doc.Text)
				if bi < 0 || m.Containment > best.Containment {
					best, bi, bj = m, i, j
				}
			}
		}
		if bi < 0 || shown >= limit {
			continue
		}
		shown++
		logf("SPLIT %s: %s %v (%d words) ~ %s %v (%d words): %s", truth[bi].StoryID, truth[bi].Kind, truth[bi].Edits,
			len(strings.Fields(pages[bi].doc.Text)), truth[bj].Kind, truth[bj].Edits, len(strings.Fields(pages[bj].doc.Text)), best.Why)
		logf("      decisions: %s | %s", decs[bi].Reason, decs[bj].Reason)
		if os.Getenv("WV_TEXTS") == "split" {
			logf("      TEXT A:\n%s\n      TEXT B:\n%s", pages[bi].doc.Text, pages[bj].doc.Text)
		}
	}
}
