package dedup

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// This file builds a simulated syndication corpus from real news sentences
// (testdata/bodies.json): wire originals, syndicated copies with the edits
// outlets make, later updates, follow-ups that quote the original and repeat
// its background paragraph (hard negatives), and staff stories.

// page is one generated page with its truth.
type page struct {
	doc   wirecrawl.Document
	story int    // true story
	kind  string // original, copy, update, followup, staff
	edits []string
}

// editParams is a region of the edit parameter space. Tuning uses "tune";
// "heldout" covers harsher and different edits never looked at while tuning.
type editParams struct {
	name               string
	trimMin, trimMax   float64 // share of paragraphs kept by a trimmed copy
	wordRateMax        float64 // share of words changed by a reworded copy
	localAt            []string
	updateRewritesLede bool
	followupShared     int // paragraphs a follow-up repeats (background)
	followupQuotes     int // sentences a follow-up quotes
	copiesMax          int
}

var (
	tuneParams = editParams{name: "tune", trimMin: 0.5, trimMax: 0.95, wordRateMax: 0.02,
		localAt: []string{"end"}, followupShared: 1, followupQuotes: 2, copiesMax: 10}
	heldoutParams = editParams{name: "heldout", trimMin: 0.25, trimMax: 0.6, wordRateMax: 0.05,
		localAt: []string{"start", "middle", "end"}, updateRewritesLede: true, followupShared: 2, followupQuotes: 3, copiesMax: 14}
)

type textPool struct {
	sentences []string
	words     []string
	names     []string
}

var (
	poolOnce sync.Once
	pool     textPool
	poolErr  error
)

var sentenceEnd = regexp.MustCompile(`([.!?]["”’]?)\s+`)

func loadPool(t testing.TB) *textPool {
	t.Helper()
	poolOnce.Do(func() {
		data, err := os.ReadFile("testdata/bodies.json")
		if err != nil {
			poolErr = err
			return
		}
		var bodies []struct{ ID, Body string }
		if err := json.Unmarshal(data, &bodies); err != nil {
			poolErr = err
			return
		}
		seenW, seenN := map[string]bool{}, map[string]bool{}
		for _, b := range bodies {
			for _, para := range strings.Split(b.Body, "\n") {
				para = strings.TrimSpace(para)
				for _, s := range strings.Split(sentenceEnd.ReplaceAllString(para, "$1\x00"), "\x00") {
					s = strings.TrimSpace(s)
					ws := strings.Fields(s)
					if len(ws) < 7 || len(ws) > 60 {
						continue
					}
					pool.sentences = append(pool.sentences, s)
					for i, w := range ws {
						w = strings.Trim(w, ".,;:!?\"“”‘’()")
						if w == "" {
							continue
						}
						if i > 0 && w[0] >= 'A' && w[0] <= 'Z' && len(w) > 2 && !seenN[w] {
							seenN[w] = true
							pool.names = append(pool.names, w)
						} else if w[0] >= 'a' && w[0] <= 'z' && len(w) > 3 && !seenW[w] {
							seenW[w] = true
							pool.words = append(pool.words, w)
						}
					}
				}
			}
		}
	})
	if poolErr != nil {
		t.Fatalf("load test corpus: %v", poolErr)
	}
	return &pool
}

var cities = []string{"WASHINGTON", "NEW YORK", "LONDON", "PARIS", "BERLIN", "TOKYO", "HANOI, Vietnam",
	"SANTA FE, N.M.", "CHICAGO", "LOS ANGELES", "MADRID", "ROME", "DUBAI, United Arab Emirates", "SYDNEY",
	"ATLANTA", "DENVER", "SEATTLE", "BOSTON", "MIAMI", "HOUSTON", "NAIROBI, Kenya", "MEXICO CITY", "TORONTO"}
var agencies = []string{"AP", "Reuters", "AFP"}
var outlets = []string{"Daily Herald", "The Courier", "Metro News", "Evening Post", "The Gazette", "Star Tribune",
	"Valley Times", "Coastal Observer", "Capital Journal", "Northern Echo", "The Sentinel", "Riverside Press"}

// gen holds the generator's state.
type gen struct {
	r     *rand.Rand
	p     *textPool
	ep    editParams
	pages []page
	story int
	t0    time.Time
}

// sentence returns a pool sentence made specific to a story: names and
// numbers swapped, a few words replaced, so that different stories rarely
// share long runs of words (as real ones don't).
func (g *gen) sentence() string {
	ws := strings.Fields(g.p.sentences[g.r.IntN(len(g.p.sentences))])
	for i, w := range ws {
		core := strings.Trim(w, ".,;:!?\"“”‘’()")
		if core == "" {
			continue
		}
		switch {
		case i > 0 && core[0] >= 'A' && core[0] <= 'Z' && g.r.Float64() < 0.7:
			ws[i] = strings.Replace(w, core, g.p.names[g.r.IntN(len(g.p.names))], 1)
		case core[0] >= '0' && core[0] <= '9':
			ws[i] = strings.Replace(w, core, fmt.Sprint(g.r.IntN(5000)), 1)
		case core[0] >= 'a' && core[0] <= 'z' && g.r.Float64() < 0.25:
			ws[i] = strings.Replace(w, core, g.p.words[g.r.IntN(len(g.p.words))], 1)
		}
	}
	return strings.Join(ws, " ")
}

func (g *gen) paragraph() string {
	n := 1 + g.r.IntN(3)
	s := make([]string, n)
	for i := range s {
		s[i] = g.sentence()
	}
	return strings.Join(s, " ")
}

func (g *gen) body(minP, maxP int) []string {
	n := minP + g.r.IntN(maxP-minP+1)
	ps := make([]string, n)
	for i := range ps {
		ps[i] = g.paragraph()
	}
	return ps
}

func (g *gen) add(story int, kind string, paras []string, outlet string, at time.Duration, edits []string) {
	n := len(g.pages)
	g.pages = append(g.pages, page{
		doc: wirecrawl.Document{
			URL:       fmt.Sprintf("https://%s.example/%s/%d", strings.ReplaceAll(strings.ToLower(outlet), " ", ""), kind, n),
			Site:      outlet,
			Title:     fmt.Sprintf("%s headline %d", kind, n),
			Published: g.t0.Add(at),
			Text:      strings.Join(paras, "\n\n"),
		},
		story: story, kind: kind, edits: edits,
	})
}

func (g *gen) dateline() string {
	return fmt.Sprintf("%s (%s) — ", cities[g.r.IntN(len(cities))], agencies[g.r.IntN(len(agencies))])
}

// reword changes about rate of the words of p.
func (g *gen) reword(p string, rate float64) string {
	ws := strings.Fields(p)
	for i := range ws {
		if g.r.Float64() < rate {
			switch g.r.IntN(3) {
			case 0:
				ws[i] = g.p.words[g.r.IntN(len(g.p.words))]
			case 1:
				if ws[i] == "said" {
					ws[i] = "says"
				} else {
					ws[i] = strings.ToUpper(ws[i][:1]) + ws[i][1:]
				}
			default:
				ws[i] = ws[i] + " " + g.p.words[g.r.IntN(len(g.p.words))]
			}
		}
	}
	return strings.Join(ws, " ")
}

// syndicate makes a copy of paras as an outlet would run it.
func (g *gen) syndicate(paras []string, dateline string) ([]string, []string) {
	ep := g.ep
	out := append([]string(nil), paras...)
	var edits []string
	if g.r.Float64() < 0.4 && len(out) > 2 {
		keep := max(2, int(float64(len(out))*(ep.trimMin+g.r.Float64()*(ep.trimMax-ep.trimMin))+0.5))
		if keep < len(out) {
			out = out[:keep]
			edits = append(edits, fmt.Sprintf("trim:%d/%d", keep, len(paras)))
		}
	}
	if g.r.Float64() < 0.5 {
		rate := g.r.Float64() * ep.wordRateMax
		for i := range out {
			out[i] = g.reword(out[i], rate)
		}
		edits = append(edits, fmt.Sprintf("reword:%.3f", rate))
	}
	// Dateline: keep, drop, or change.
	switch g.r.IntN(4) {
	case 0:
		dateline = ""
		edits = append(edits, "dateline-dropped")
	case 1:
		dateline = strings.Replace(dateline, " (AP)", "", 1)
		dateline = strings.Replace(dateline, " (Reuters)", "", 1)
		dateline = strings.Replace(dateline, " (AFP)", "", 1)
		edits = append(edits, "dateline-changed")
	}
	if len(out) > 0 && dateline != "" {
		out[0] = dateline + out[0]
	}
	if g.r.Float64() < 0.3 {
		local := []string{g.paragraph()}
		if g.r.Float64() < 0.3 {
			local = append(local, g.paragraph())
		}
		switch at := ep.localAt[g.r.IntN(len(ep.localAt))]; at {
		case "start":
			out = append(local, out...)
		case "middle":
			i := min(2, len(out))
			out = append(out[:i:i], append(local, out[i:]...)...)
		default:
			out = append(out, local...)
		}
		edits = append(edits, "local")
	}
	if g.r.Float64() < 0.2 {
		out = append([]string{fmt.Sprintf("By %s %s, Associated Press", g.p.names[g.r.IntN(len(g.p.names))], g.p.names[g.r.IntN(len(g.p.names))])}, out...)
		edits = append(edits, "byline")
	}
	if g.r.Float64() < 0.15 {
		note := "Editor's note: " + g.sentence()
		if g.r.IntN(2) == 0 {
			out = append([]string{note}, out...)
		} else {
			out = append(out, note)
		}
		edits = append(edits, "editors-note")
	}
	if g.r.Float64() < 0.15 {
		out = append(out, fmt.Sprintf("Associated Press writer %s %s contributed to this report.", g.p.names[g.r.IntN(len(g.p.names))], g.p.names[g.r.IntN(len(g.p.names))]))
		edits = append(edits, "contributor")
	}
	return out, edits
}

// generate builds n pages or a few more.
func generate(t testing.TB, seed uint64, n int, ep editParams) []page {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x5eed)), p: loadPool(t), ep: ep,
		t0: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	for len(g.pages) < n {
		g.story++
		id := g.story
		at := time.Duration(g.r.IntN(30*24)) * time.Hour
		if g.r.Float64() < 0.2 { // staff story, one outlet
			g.add(id, "staff", g.body(3, 14), outlets[g.r.IntN(len(outlets))], at, nil)
			continue
		}
		paras := g.body(4, 16)
		dl := g.dateline()
		orig := append([]string{dl + paras[0]}, paras[1:]...)
		g.add(id, "original", orig, "Wire "+agencies[g.r.IntN(len(agencies))], at, nil)
		for range g.r.IntN(ep.copiesMax + 1) {
			c, edits := g.syndicate(paras, dl)
			g.add(id, "copy", c, outlets[g.r.IntN(len(outlets))], at+time.Duration(g.r.IntN(12))*time.Hour, edits)
		}
		if g.r.Float64() < 0.35 { // a later, longer update
			up := append([]string(nil), paras...)
			if ep.updateRewritesLede && g.r.IntN(2) == 0 {
				up[0] = g.paragraph()
			} else {
				up = append([]string{g.paragraph()}, up...)
			}
			extra := 1 + g.r.IntN(4)
			for range extra {
				i := 1 + g.r.IntN(len(up))
				up = append(up[:i:i], append([]string{g.paragraph()}, up[i:]...)...)
			}
			for i := range up {
				up[i] = g.reword(up[i], 0.01)
			}
			g.add(id, "update", append([]string{dl + up[0]}, up[1:]...), "Wire update", at+time.Duration(2+g.r.IntN(20))*time.Hour, []string{"update"})
			for range g.r.IntN(4) {
				c, edits := g.syndicate(up, dl)
				g.add(id, "copy", c, outlets[g.r.IntN(len(outlets))], at+30*time.Hour, append(edits, "of-update"))
			}
		}
		if g.r.Float64() < 0.3 { // follow-up: a different story quoting this one
			g.story++
			fid := g.story
			fu := g.body(4, 12)
			for range ep.followupQuotes {
				s := strings.Split(sentenceEnd.ReplaceAllString(paras[1+g.r.IntN(len(paras)-1)], "$1\x00"), "\x00")
				q := s[g.r.IntN(len(s))]
				i := 1 + g.r.IntN(len(fu))
				fu = append(fu[:i:i], append([]string{"“" + q + "” officials said earlier."}, fu[i:]...)...)
			}
			for k := range ep.followupShared {
				bg := paras[min(len(paras)-1, 2+k)]
				i := 1 + g.r.IntN(len(fu))
				fu = append(fu[:i:i], append([]string{bg}, fu[i:]...)...)
			}
			fdl := g.dateline()
			g.add(fid, "followup", append([]string{fdl + fu[0]}, fu[1:]...), "Wire "+agencies[g.r.IntN(len(agencies))], at+48*time.Hour, []string{"followup-of", fmt.Sprint(id)})
			for range g.r.IntN(4) {
				c, edits := g.syndicate(fu, fdl)
				g.add(fid, "copy", c, outlets[g.r.IntN(len(outlets))], at+50*time.Hour, append(edits, "of-followup"))
			}
		}
	}
	return g.pages
}
