package cleaner

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// devCorpusDir is the shared development corpus, relative to this package.
const devCorpusDir = "../../shared/corpus/extraction-dev"

// devPage is one page of the development corpus with its ground truth.
type devPage struct {
	ID   string
	URL  string
	HTML []byte
	Want string
}

// loadDevCorpus reads every page of the development corpus, or skips the test
// when the corpus is not there.
func loadDevCorpus(tb testing.TB) []devPage {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(devCorpusDir, "ground-truth.json"))
	if err != nil {
		if os.IsNotExist(err) {
			tb.Skipf("dev corpus not found at %s (it lives in the shared folder beside the repo): %v", devCorpusDir, err)
		}
		tb.Fatalf("read ground truth: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
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
		f, err := os.Open(filepath.Join(devCorpusDir, "html", id+".html.gz"))
		if err != nil {
			tb.Fatalf("open page %s: %v", id, err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			tb.Fatalf("gunzip page %s: %v", id, err)
		}
		body, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatalf("read page %s: %v", id, err)
		}
		pages = append(pages, devPage{ID: id, URL: truth[id].URL, HTML: body, Want: truth[id].ArticleBody})
	}
	return pages
}

// scoreTokens splits text as the benchmark does: maximal runs of Unicode
// letters, digits and underscore.
func scoreTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
	})
}

// shingles counts the overlapping 4-token shingles of text.
func shingles(text string) map[string]int {
	toks := scoreTokens(text)
	out := map[string]int{}
	if len(toks) < 4 {
		// Texts shorter than one shingle count as one shingle of what they have.
		if len(toks) > 0 {
			out[strings.Join(toks, "\x00")]++
		}
		return out
	}
	for i := 0; i+4 <= len(toks); i++ {
		out[strings.Join(toks[i:i+4], "\x00")]++
	}
	return out
}

// pageScore is the precision and recall of one prediction.
type pageScore struct {
	ID        string
	P, R      float64
	Empty     bool
	Predicted int
	True      int
}

func scorePage(id, got, want string) pageScore {
	g, w := shingles(got), shingles(want)
	var ng, nw, match int
	for k, c := range g {
		ng += c
		match += min(c, w[k])
	}
	for _, c := range w {
		nw += c
	}
	s := pageScore{ID: id, Predicted: ng, True: nw, Empty: ng == 0}
	if ng > 0 {
		s.P = float64(match) / float64(ng)
	}
	if nw > 0 {
		s.R = float64(match) / float64(nw)
	} else if ng == 0 {
		s.R = 1
	}
	return s
}

// corpusScore is precision, recall and F1 over a corpus, as the benchmark
// defines them: means over pages, empty predictions left out of precision.
type corpusScore struct {
	P, R, F1 float64
	Pages    []pageScore
}

func scoreCorpus(pages []pageScore) corpusScore {
	var sp, sr float64
	var np int
	for _, s := range pages {
		if !s.Empty {
			sp += s.P
			np++
		}
		sr += s.R
	}
	cs := corpusScore{Pages: pages}
	if np > 0 {
		cs.P = sp / float64(np)
	}
	if len(pages) > 0 {
		cs.R = sr / float64(len(pages))
	}
	if cs.P+cs.R > 0 {
		cs.F1 = 2 * cs.P * cs.R / (cs.P + cs.R)
	}
	return cs
}

// worst returns the n pages with the lowest F1.
func (cs corpusScore) worst(n int) []pageScore {
	ps := append([]pageScore(nil), cs.Pages...)
	f := func(s pageScore) float64 {
		if s.P+s.R == 0 {
			return 0
		}
		return 2 * s.P * s.R / (s.P + s.R)
	}
	sort.SliceStable(ps, func(i, j int) bool { return f(ps[i]) < f(ps[j]) })
	return ps[:min(n, len(ps))]
}

var _ = bytes.NewReader
