//go:build ignore

// mkbank derives the sentence bank (sentences.json.gz) from the extraction-dev
// ground truth. Run from this directory:
//
//	go run mkbank.go ../../../shared/corpus/extraction-dev/ground-truth.json
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

type article struct {
	Lang  string     `json:"lang"`
	Host  string     `json:"host"`
	Paras [][]string `json:"paras"` // paragraphs as lists of sentences
}

var (
	sentEnd = regexp.MustCompile(`([.!?]["”’)]?)\s+(["“‘(]?[\p{Lu}\p{N}])`)
	hostRE  = regexp.MustCompile(`^https?://(?:www\.)?([^/]+)`)
	bad     = regexp.MustCompile(`(?i)(https?:|www\.|@|click|subscribe|sign up|newsletter|cookie|advertis|\.com|follow us|image:|photo:|getty|copyright|FTC:|on Facebook, Twitter|sponsored|adapted from its original|leave a comment|let us know|podcast|best deals|this article|this story|read more|related:|affiliate)`)
)

func lang(s string) string {
	var cyr, kana, han int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hangul, r):
			return "ko"
		}
	}
	if cyr > 50 {
		return "ru"
	}
	if kana > 20 {
		return "ja"
	}
	if han > 50 {
		return "zh"
	}
	words := strings.Fields(strings.ToLower(s))
	score := map[string]int{}
	stop := map[string][]string{
		"en": {"the", "and", "of", "to", "is", "that", "with"},
		"de": {"der", "die", "und", "das", "ist", "nicht", "mit", "ein"},
		"pt": {"que", "não", "uma", "para", "com", "os", "do", "da"},
		"id": {"yang", "dan", "di", "dengan", "tidak", "ini", "itu"},
		"es": {"el", "los", "las", "del", "por", "una", "que"},
		"fr": {"le", "les", "des", "est", "une", "pour", "dans"},
	}
	for _, w := range words {
		for l, ws := range stop {
			for _, x := range ws {
				if w == x {
					score[l]++
				}
			}
		}
	}
	best, bestN := "en", 0
	for _, l := range []string{"en", "de", "pt", "id", "es", "fr"} {
		if score[l] > bestN {
			best, bestN = l, score[l]
		}
	}
	return best
}

var abbrev = map[string]bool{}

func init() {
	for _, a := range strings.Fields("Jan. Feb. Mar. Apr. Aug. Sept. Sep. Oct. Nov. Dec. Mr. Mrs. Ms. Dr. St. No. Gov. Sen. Rep. Gen. Lt. Col. Sgt. Capt. Prof. Inc. Corp. Co. Ltd. Jr. Sr. Ave. Mt. Ft. vs. U.S. U.K. U.N. D.C. a.m. p.m. e.g. i.e. approx. etc.") {
		abbrev[a] = true
	}
}

func split(p, lang string) []string {
	if lang == "ja" || lang == "zh" {
		var out []string
		for _, s := range strings.SplitAfter(p, "。") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	marked := sentEnd.ReplaceAllString(p, "$1\x00$2")
	var out []string
	for _, s := range strings.Split(marked, "\x00") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		// a split after an abbreviation ("Oct. 31", "Mr. Smith") is undone
		if n := len(out); n > 0 {
			f := strings.Fields(out[n-1])
			if abbrev[f[len(f)-1]] {
				out[n-1] += " " + s
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

var (
	shingleSeen = map[string]int{}
	wordRE      = regexp.MustCompile(`[\p{L}\p{N}_]+`)
)

// nearDup reports whether more than half of a sentence's 4-word shingles
// were seen in earlier sentences (the corpus has a few stories twice), and
// records them.
func nearDup(s string) bool {
	w := wordRE.FindAllString(strings.ToLower(s), -1)
	var sh []string
	for i := 0; i+4 <= len(w); i++ {
		sh = append(sh, strings.Join(w[i:i+4], " "))
	}
	hit := 0
	for _, x := range sh {
		if shingleSeen[x] > 0 {
			hit++
		}
	}
	for _, x := range sh {
		shingleSeen[x]++
	}
	return len(sh) > 0 && 2*hit > len(sh)
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		panic(err)
	}
	ids := make([]string, 0, len(gt))
	for id := range gt {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []article
	total := map[string]int{}
	for _, id := range ids {
		g := gt[id]
		l := lang(g.ArticleBody)
		a := article{Lang: l}
		if m := hostRE.FindStringSubmatch(g.URL); m != nil {
			a.Host = m[1]
		}
		for _, p := range strings.Split(g.ArticleBody, "\n") {
			p = strings.Join(strings.Fields(p), " ")
			var keep []string
			for _, s := range split(p, l) {
				n := utf8.RuneCountInString(s)
				min := 40
				if l == "ja" || l == "zh" {
					min = 12
				}
				if n < min || n > 320 || bad.MatchString(s) || strings.HasSuffix(s, ":") || strings.HasSuffix(s, "...") {
					continue
				}
				last, _ := utf8.DecodeLastRuneInString(s)
				if !strings.ContainsRune(".!?”\"’。)", last) {
					continue
				}
				if nearDup(s) {
					continue
				}
				keep = append(keep, s)
			}
			if len(keep) > 0 {
				a.Paras = append(a.Paras, keep)
				total[l] += len(keep)
			}
		}
		if len(a.Paras) >= 2 {
			out = append(out, a)
		}
	}
	f, err := os.Create("sentences.json.gz")
	if err != nil {
		panic(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Println(len(out), "articles; sentences by language:", total)
}
