package cleaner

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// dev2CorpusDir is the second development set (Dragnet training pages).
const dev2CorpusDir = "../../shared/corpus/extraction-dev2"

// commentsMark is where the Dragnet truth marks the start of user comments:
// what follows is not part of the article.
const commentsMark = "!@#$%^&*()"

// loadDev2Corpus reads every page of extraction-dev2, or skips the test when
// the corpus is not there.
func loadDev2Corpus(tb testing.TB) []devPage {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dev2CorpusDir, "ground-truth.json"))
	if err != nil {
		if os.IsNotExist(err) {
			tb.Skipf("dev2 corpus not found at %s (it lives in the shared folder beside the repo): %v", dev2CorpusDir, err)
		}
		tb.Fatalf("read ground truth: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		tb.Fatalf("parse ground truth: %v", err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pages := make([]devPage, 0, len(ids))
	for _, id := range ids {
		body, err := readGz(filepath.Join(dev2CorpusDir, "html", id+".html.gz"))
		if err != nil {
			tb.Fatalf("page %s: %v", id, err)
		}
		want := truth[id].ArticleBody
		if i := strings.Index(want, commentsMark); i >= 0 {
			want = want[:i]
		}
		pages = append(pages, devPage{ID: id, HTML: body, Want: want})
	}
	return pages
}

func readGz(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	return io.ReadAll(zr)
}

// bagScore is the dev2 metric for one page: precision, recall and F1 of the
// multiset of tokens of got against want. An empty prediction scores 0.
func bagScore(got, want string) (p, r, f float64) {
	g, w := map[string]int{}, map[string]int{}
	ng, nw := 0, 0
	for _, t := range scoreTokens(got) {
		g[t]++
		ng++
	}
	for _, t := range scoreTokens(want) {
		w[t]++
		nw++
	}
	match := 0
	for k, c := range g {
		match += min(c, w[k])
	}
	if ng == 0 || nw == 0 || match == 0 {
		return 0, 0, 0
	}
	p, r = float64(match)/float64(ng), float64(match)/float64(nw)
	return p, r, 2 * p * r / (p + r)
}

// bagCorpus is the mean of the per-page scores of a set, with the refusals.
type bagCorpus struct {
	P, R, F1 float64
	Refused  int
}

// Quality floors on extraction-dev2, a little below the measured scores
// (F1 0.9296, P 0.9653, R 0.9072, 1 refused: an error page whose story is
// not in its HTML; readeck alone 0.8934, P 0.8935). The cleaner is
// deterministic.
const (
	floor2F1      = 0.928
	floor2Refused = 2
)

// TestDev2CorpusQuality scores the cleaner and readeck alone on
// extraction-dev2 with its metric. WIRECRAWL_DEV2_REPORT=1 logs every page's
// F1 and every refusal with its reason.
func TestDev2CorpusQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("966 pages: skipped in -short")
	}
	pages := loadDev2Corpus(t)
	c := New(Config{})
	var ours, base bagCorpus
	reasons := map[string]int{}
	var lines []string
	for _, pg := range pages {
		doc, err := c.Clean(pg.HTML, "", "")
		if err != nil {
			ours.Refused++
			reason := refusalKind(err)
			reasons[reason]++
			lines = append(lines, fmt.Sprintf("refused %s: %v", pg.ID, err))
		}
		p, r, f := bagScore(doc.Text, pg.Want)
		ours.P += p
		ours.R += r
		ours.F1 += f
		ref := readeckAlone(pg.HTML, "")
		bp, br, bf := bagScore(ref, pg.Want)
		base.P += bp
		base.R += br
		base.F1 += bf
		if ref == "" {
			base.Refused++
		}
		if err == nil {
			lines = append(lines, fmt.Sprintf("page %s F1 %.3f P %.3f R %.3f readeck %.3f", pg.ID, f, p, r, bf))
		}
	}
	n := float64(len(pages))
	for _, s := range []*bagCorpus{&ours, &base} {
		s.P, s.R, s.F1 = s.P/n, s.R/n, s.F1/n
	}
	if os.Getenv("WIRECRAWL_DEV2_REPORT") != "" {
		for _, l := range lines {
			t.Log(l)
		}
	}
	t.Logf("cleaner       F1 %.4f  P %.4f  R %.4f  refused %d %v (%d pages)", ours.F1, ours.P, ours.R, ours.Refused, reasons, len(pages))
	t.Logf("readeck alone F1 %.4f  P %.4f  R %.4f  empty %d", base.F1, base.P, base.R, base.Refused)
	if ours.F1 < floor2F1 || ours.Refused > floor2Refused {
		t.Errorf("quality below floor: F1 %.4f (floor %.3f), refused %d (at most %d)", ours.F1, floor2F1, ours.Refused, floor2Refused)
	}
	if ours.P < base.P {
		t.Errorf("precision %.4f below readeck's %.4f: recall bought with boilerplate", ours.P, base.P)
	}
}

// refusalKind names the rule behind a refusal, for the summary.
func refusalKind(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "only"):
		return "short"
	case strings.Contains(s, "login wall"):
		return "login"
	case strings.Contains(s, "no article text"):
		return "none"
	}
	return "other"
}

// TestDev2Explain prints the explanation of the dev2 pages named in
// WIRECRAWL_DEV2_PAGES (comma-separated ids), with the truth and readeck's
// output: a tool for seeing why a page loses text.
func TestDev2Explain(t *testing.T) {
	ids := os.Getenv("WIRECRAWL_DEV2_PAGES")
	if ids == "" {
		t.Skip("set WIRECRAWL_DEV2_PAGES=id,id to explain dev2 pages")
	}
	want := map[string]bool{}
	for _, id := range strings.Split(ids, ",") {
		want[id] = true
	}
	c := New(Config{})
	for _, pg := range loadDev2Corpus(t) {
		if !want[pg.ID] {
			continue
		}
		doc, ex, err := c.Explain(pg.HTML, "", "")
		_, _, f := bagScore(doc.Text, pg.Want)
		ref := readeckAlone(pg.HTML, "")
		_, _, rf := bagScore(ref, pg.Want)
		var b strings.Builder
		fmt.Fprintf(&b, "==== %s  F1 %.3f readeck %.3f  err %v\n", pg.ID, f, rf, err)
		fmt.Fprintf(&b, "page chars %d, source %s\n", ex.PageChars, ex.Source)
		for _, p := range ex.Pruned {
			if p.Chars > 0 {
				fmt.Fprintf(&b, "  pruned %-40.40s %-20s %5d %.3f %.80q\n", p.Element, p.Rule, p.Chars, p.Share, p.Text)
			}
		}
		for _, bl := range ex.Blocks {
			fmt.Fprintf(&b, "  block kept=%v %-12s %.3f %.100q\n", bl.Kept, bl.Rule, bl.Share, bl.Text)
		}
		fmt.Fprintf(&b, "--- truth (%d words): %.600q\n", words(pg.Want), pg.Want)
		fmt.Fprintf(&b, "--- readeck (%d words): %.300q\n", words(ref), ref)
		t.Log(b.String())
	}
}
