package dedup

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reference lines are paragraphs that point at other articles rather than
// tell the story: "Read more: <headline>", "Earlier: <headline>", "See
// also", the heading of a related-stories list and the headlines under it.
// Outlets put them inside the article body, where a cleaner keeps them, and
// they are the outlet's, not the story's: copies of one story carry
// different ones, stories of one outlet published hours apart the same
// list, and a follow-up names the story it follows. Left in, they lower the
// containment of true copies and raise that of different stories.
//
// What marks them is not a phrase (every outlet words its labels its own
// way, in its own language) but their form: a headline is short and is not
// a sentence, so it does not end with a full stop, a question or an
// exclamation mark, or a closing quote. The rule applies only to bodies
// that have sentences of their own, so that a text written without
// punctuation keeps its paragraphs, and never to the first paragraph kept,
// the lede, which a reference line does not precede.

// maxRefWords is the longest a reference line runs, in words: a label of
// up to four words and a headline of up to fourteen. Longer paragraphs
// without a full stop are more often sentences whose punctuation was lost.
const maxRefWords = 18

// hasProse reports whether any paragraph of paras ends like a sentence.
func hasProse(paras []string) bool {
	for _, p := range paras {
		if endsSentence(p) {
			return true
		}
	}
	return false
}

// isRefLine reports a paragraph that is not a sentence, short enough to be
// a headline, a label and a headline, or a list heading, and made of words
// rather than figures.
func isRefLine(p string) bool {
	if endsSentence(p) || len(p) > maxRefWords*16 {
		return false
	}
	// words, not figures: a row of a results table is content
	words, lettered := 0, 0
	for f := range strings.FieldsSeq(p) {
		words++
		if r, _ := utf8.DecodeRuneInString(f); unicode.IsLetter(r) {
			lettered++
		}
	}
	return words <= maxRefWords && 3*lettered >= 2*words
}

// endsSentence reports whether p ends with sentence punctuation, closing
// quotes and brackets aside: ". ! ? …" and their CJK and Arabic forms.
func endsSentence(p string) bool {
	p = strings.TrimRightFunc(p, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.In(r, unicode.Pf, unicode.Pe) || r == '"' || r == '\'' || r == '*' || r == '_'
	})
	r, _ := utf8.DecodeLastRuneInString(p)
	switch r {
	case '.', '!', '?', '…', '。', '！', '？', '؟', '।', '｡':
		return true
	}
	return false
}
