package cleaner

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var dumpDir = flag.String("dump", "", "write each dev page's extraction to this directory (TestDevCorpusQuality)")

// Quality floors on the dev corpus, a little below the measured scores.
const (
	floorF1 = 0.988
	floorP  = 0.986
)

func TestDevCorpusQuality(t *testing.T) {
	pages := loadDevCorpus(t)
	c := New(Config{})
	var ours, base []pageScore
	for _, p := range pages {
		doc, err := c.Clean(p.HTML, p.URL, "text/html")
		got := doc.Text
		if err != nil {
			t.Logf("%s: %v", p.ID[:8], err)
			got = ""
		}
		ours = append(ours, scorePage(p.ID, got, p.Want))
		ref := readeckAlone(p.HTML, p.URL)
		base = append(base, scorePage(p.ID, ref, p.Want))
		if *dumpDir != "" {
			id := p.ID[:8]
			_ = os.WriteFile(filepath.Join(*dumpDir, id+".ours.txt"), []byte(got), 0o644)
			_ = os.WriteFile(filepath.Join(*dumpDir, id+".readeck.txt"), []byte(ref), 0o644)
			_ = os.WriteFile(filepath.Join(*dumpDir, id+".want.txt"), []byte(p.Want), 0o644)
			meta := fmt.Sprintf("url: %s\ntitle: %s\nbyline: %s\npublished: %s\nlang: %s\nsite: %s\ncanonical: %s\ndescription: %s\n",
				doc.URL, doc.Title, doc.Byline, doc.Published, doc.Lang, doc.Site, doc.CanonicalURL, doc.Description)
			_ = os.WriteFile(filepath.Join(*dumpDir, id+".meta.txt"), []byte(meta), 0o644)
			_ = os.WriteFile(filepath.Join(*dumpDir, id+".dropped.txt"), []byte(debugDropped(c, p.HTML, p.URL)), 0o644)
		}
	}
	cs, bs := scoreCorpus(ours), scoreCorpus(base)
	t.Logf("cleaner       P %.4f  R %.4f  F1 %.4f  (%d pages)", cs.P, cs.R, cs.F1, len(pages))
	t.Logf("readeck alone P %.4f  R %.4f  F1 %.4f", bs.P, bs.R, bs.F1)
	var b strings.Builder
	for _, w := range cs.worst(10) {
		fmt.Fprintf(&b, "\n  %s  P %.3f  R %.3f  (%d/%d shingles)", w.ID[:16], w.P, w.R, w.Predicted, w.True)
	}
	t.Logf("10 worst pages:%s", b.String())
	if cs.F1 < floorF1 || cs.P < floorP {
		t.Errorf("quality below floor: F1 %.4f (floor %.3f), P %.4f (floor %.3f)", cs.F1, floorF1, cs.P, floorP)
	}
	if cs.P < bs.P {
		t.Errorf("precision %.4f below readeck's %.4f", cs.P, bs.P)
	}
}

// debugDropped lists the blocks the filter dropped from one page, with why.
func debugDropped(c *Cleaner, body []byte, pageURL string) string {
	var b strings.Builder
	c.trace = func(bl []block) {
		for _, x := range bl {
			if x.drop {
				fmt.Fprintf(&b, "[%s] %s\n", x.why, x.text)
			}
		}
	}
	defer func() { c.trace = nil }()
	_, _ = c.Clean(body, pageURL, "text/html")
	return b.String()
}
