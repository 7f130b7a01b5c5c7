package cleaner

import (
	"strings"
	"unicode/utf8"
)

// A photo, video or link post has a headline and a dateline and little or
// no text of its own; it is still an article, and its text is its headline,
// its dateline and whatever line came with it. postFrame returns those
// paragraphs, or nil when the page shows no evidence of being one post: a
// headline of frameTitleWords words or more, a publication date (in the
// page's metadata, or a dateline or byline line in its content), and a line
// of the post's own in the content (its headline, dateline or a kept line).
// A page of links, an empty template or a login form lacks them.
func postFrame(blocks []block, meta *pageMeta) []string {
	title := collapse(meta.Title)
	if words(title) < frameTitleWords {
		return nil
	}
	dated := !meta.Published.IsZero()
	var lines []string
	hasTitle := false
	kept, own := 0, false
	for _, b := range blocks {
		switch {
		case !b.drop:
			kept += utf8.RuneCountInString(b.text)
			own = true
			lines = append(lines, clean(b.text))
		case b.why == "title":
			hasTitle, own = true, true
			lines = append(lines, clean(b.text))
		case b.why == "dateline" || b.why == "byline":
			dated, own = true, true
			lines = append(lines, clean(b.text))
		}
	}
	text := strings.Join(lines, "\n\n")
	if !dated || !own || kept > frameKeptChars || rxLoginWords.MatchString(text) {
		// Undated, nothing of the post's own (a page of links), or kept
		// text that is a teaser or prompt rather than a post's line: the
		// verdict stays with the text.
		return nil
	}
	if !hasTitle {
		lines = append([]string{clean(title)}, lines...)
	}
	return lines
}

// frameTitleWords is the fewest words of a post's headline: a one-word
// <title> is a site's name or a placeholder.
const frameTitleWords = 2

// frameKeptChars is the most kept text (characters) a bodiless post comes
// with: a line under a photo or video ("Wow... just wow."). More text that
// still is too little reads as a fragment, not a post's line.
const frameKeptChars = 100
