package dedup

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Standing paragraphs. An outlet's template puts paragraphs about the
// outlet itself into every article it publishes, staff stories and
// syndicated copies alike: "X is an independent newsroom ...", "Have a
// tip? Email the X newsroom ...", "X corrects errors promptly ...". They
// are sentences, so a cleaner keeps them, and they name the outlet, which
// the story itself rarely does. Left in, they make every two stories of
// the outlet share text: a brief that opens with another story's lede
// and carries the same standing paragraphs passed for its copy, and at
// scale (many stories per outlet) such pairs grow with the square of the
// outlet's output. So the paragraphs of a document that name its own site
// (wirecrawl.Document.Site) are left out of what dedup compares; never the
// opening paragraph, nor one with a quotation (a source who "told X").

// maxStandingWords: longer paragraphs that name the outlet are reporting.
const maxStandingWords = 60

// withoutSiteParagraphs returns text without its paragraphs (after the
// first) that name site, or text itself when none does.
func withoutSiteParagraphs(text, site string) string {
	names := siteNames(site)
	if names == nil || !containsAny(text, names) {
		return text
	}
	paras := strings.Split(text, "\n")
	kept := paras[:0:0]
	first := true
	dropped := false
	for _, p := range paras {
		t := strings.TrimSpace(p)
		if t == "" {
			kept = append(kept, p)
			continue
		}
		if !first && standing(t, names) {
			dropped = true
			continue
		}
		first = false
		kept = append(kept, p)
	}
	if !dropped {
		return text
	}
	return strings.Join(kept, "\n")
}

// standing reports a short paragraph without quotations that names the
// outlet.
func standing(p string, names []string) bool {
	return containsAny(p, names) && !strings.ContainsAny(p, quoteMarks) &&
		len(strings.Fields(p)) <= maxStandingWords
}

// siteNames are the forms of a site name looked for: the name and, for
// "The X", X alone; nil for a name too short or without letters to be
// told from ordinary words (or a host name, which text does not spell).
func siteNames(site string) []string {
	site = strings.TrimSpace(site)
	if utf8.RuneCountInString(site) < 5 || strings.ContainsAny(site, "./:") || strings.IndexFunc(site, unicode.IsUpper) < 0 {
		return nil
	}
	names := []string{site}
	if rest, ok := strings.CutPrefix(site, "The "); ok && utf8.RuneCountInString(rest) >= 5 {
		names = append(names, rest)
	}
	return names
}

// containsAny reports whether s contains one of names as whole words.
func containsAny(s string, names []string) bool {
	for _, n := range names {
		for i := 0; ; {
			j := strings.Index(s[i:], n)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(n)
			if wordEdge(s, start, end) {
				return true
			}
			i = start + 1
		}
	}
	return false
}

// wordEdge reports whether s[start:end] is bounded by non-letters.
func wordEdge(s string, start, end int) bool {
	if start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:start]); unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if end < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[end:]); unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
