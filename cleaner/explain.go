package cleaner

import (
	"unicode/utf8"

	"github.com/wirecrawl/wirecrawl"
)

// Explanation tells what Clean did with a page: which elements it pruned
// before the content search, and which paragraphs of the content it kept or
// dropped, each with the rule that decided and its share of the page's text.
type Explanation struct {
	// PageChars is the number of characters of text in the page (all of
	// its text nodes, scripts and styles left out), the base of every Share.
	PageChars int
	// Pruned are the elements removed before the content search, in
	// document order (scripts, styles and comments are not listed).
	Pruned []PrunedElement
	// Source is where the paragraphs came from: "readability" (the block
	// the content search scored highest) or "densest container" (the
	// fallback when readability found little).
	Source string
	// Blocks are the paragraphs of that content, in order, kept or dropped.
	Blocks []ExplainedBlock
	// Verdict is "article", or the reason the page was refused.
	Verdict string
}

// PrunedElement is one element removed before the content search.
type PrunedElement struct {
	Element string  // tag#id.class
	Rule    string  // "hidden", "layout <nav>", "role navigation", "name byline", ...
	Chars   int     // characters of text it held
	Share   float64 // Chars / PageChars
	Text    string  // its text, white space collapsed
}

// ExplainedBlock is one paragraph of the content.
type ExplainedBlock struct {
	Text  string
	Kept  bool
	Rule  string  // why it was dropped; empty when kept
	Share float64 // its characters / PageChars
}

// Explain is Clean, also telling why each part of the page was kept or
// removed. It returns what Clean returns for the same input.
func (c *Cleaner) Explain(body []byte, pageURL, contentType string) (wirecrawl.Document, Explanation, error) {
	var ex Explanation
	doc, err := c.clean(body, pageURL, contentType, &ex)
	if err != nil {
		ex.Verdict = err.Error()
	} else {
		ex.Verdict = "article"
	}
	return doc, ex, err
}

func (ex *Explanation) share(chars int) float64 {
	if ex.PageChars == 0 {
		return 0
	}
	return float64(chars) / float64(ex.PageChars)
}

func (ex *Explanation) setPruned(l *pruneLog) {
	ex.PageChars = l.total
	ex.Pruned = ex.Pruned[:0]
	for _, r := range l.records {
		ex.Pruned = append(ex.Pruned, PrunedElement{Element: r.element, Rule: r.rule, Chars: r.chars, Share: ex.share(r.chars), Text: r.text})
	}
}

func (ex *Explanation) setBlocks(blocks []block) {
	ex.Blocks = ex.Blocks[:0]
	for _, b := range blocks {
		ex.Blocks = append(ex.Blocks, ExplainedBlock{Text: b.text, Kept: !b.drop, Rule: b.why, Share: ex.share(utf8.RuneCountInString(b.text))})
	}
}
