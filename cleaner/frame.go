package cleaner

import (
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
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

// postText extracts the article from the element the page marks as its post
// (a whole class "post" or "hentry", an id "post-123", or <article>) when
// that element holds the page's headline. The content search scores
// paragraphs, so on a photo post with one line under the picture it picks
// the comments or the sidebar; the post's own element is the better source.
func postText(src []byte, host string, meta *pageMeta) []block {
	root, err := parseHTML(src)
	if err != nil {
		return nil
	}
	sanitize(root, math.MaxInt) // Clean counted the elements of this page already
	prune(root, nil)
	post := findPost(root, meta)
	if post == nil {
		return nil
	}
	blocks := renderBlocksOf(post, host)
	filterBlocks(blocks, meta)
	return blocks
}

// findPost returns the first element of the pruned page root that the page
// marks as its post (a whole class "post" or "hentry", an id "post-123",
// or <article>) and that holds the page's headline, or nil.
func findPost(root *html.Node, meta *pageMeta) *html.Node {
	titles := map[string]bool{}
	for _, t := range meta.titles {
		if k := normText(t); k != "" {
			titles[k] = true
		}
	}
	var post *html.Node
	walk(root, func(n *html.Node) bool {
		if post != nil {
			return false
		}
		if n.Type == html.ElementNode && n.Data != "body" && n.Data != "html" && (n.Data == "article" || marksPost(n)) && holdsHeadline(n, titles) {
			post = n
			return false
		}
		return true
	})
	return post
}

// strayPost returns the blocks of the page's marked post (findPost on the
// pruned page root) when the content search strayed from it; nil when
// readability's result stands. Readability scores paragraphs, so beside a
// short post it can prefer an "about me" box, the comments or a sidebar
// list of events, and when pruning leaves the post's score low it can take
// a wrapper holding the post and the page's sidebars. So the post is the
// article when the result
//   - shares less than half of the post's words, and the post is short
//     (smallPostWords to postMinWords words of its own, outside a header
//     or standfirst) and the result a box of at most smallResultWords: a
//     header-only <article> with a standfirst has no words of its own;
//   - shares less than half of the post's words, and the post has
//     postMinWords words or more with a prose paragraph, and the result is
//     longer but at most strayRatio times as long: a header-only <article>
//     beside a long body that readability rightly took fails this test;
//   - holds the post (80% of its words) and more than swollenRatio times
//     as much text, and the post is a whole story: swollenPostWords words
//     or more in three prose paragraphs or more.
func strayPost(root *html.Node, host string, meta *pageMeta, got []block) []block {
	post := findPost(root, meta)
	if post == nil || fromPost(post, got) {
		return nil
	}
	blocks := renderBlocksOf(post, host)
	filterBlocks(blocks, meta)
	prose, own := 0, 0
	for i := range blocks {
		b := &blocks[i]
		if isProse(b) {
			prose++
		}
		if !b.drop && !b.standfirst {
			own += b.words
		}
	}
	pt, rt := strings.Join(assemble(blocks), "\n"), strings.Join(assemble(got), "\n")
	pw, rw := words(pt), words(rt)
	shared := sharedWords(pt, rt)
	switch {
	case pw < postMinWords && own >= smallPostWords && rw <= smallResultWords && shared < 0.5:
		return blocks
	case pw >= postMinWords && prose >= 1 && rw > pw && rw <= strayRatio*pw && shared < 0.5:
		return blocks
	case pw >= swollenPostWords && prose >= 3 && rw > swollenRatio*pw && shared >= 0.8:
		return blocks
	}
	return nil
}

// fromPost reports, cheaply, that the content search took its text from
// the post: its first prose paragraphs are all in the post's text and it
// is not much longer than the post (or the post is too short to judge).
// Most pages stop here.
func fromPost(post *html.Node, got []block) bool {
	raw := " " + normText(readerText(post)) + " "
	rawWords := strings.Count(raw, " ") - 1
	if rawWords < smallPostWords {
		return true
	}
	kept := 0
	for i := range got {
		if !got[i].drop {
			kept += got[i].words
		}
	}
	if kept > swollenRatio*rawWords {
		return false // it may have taken the post and as much again
	}
	checked := 0
	for i := range got {
		if !isProse(&got[i]) {
			continue
		}
		if !strings.Contains(raw, " "+normText(got[i].text)+" ") {
			return false
		}
		if checked++; checked == 3 {
			break
		}
	}
	return checked > 0
}

// The bounds of strayPost's three tests.
const (
	smallPostWords   = 6
	smallResultWords = 150
	postMinWords     = 50
	strayRatio       = 3
	swollenRatio     = 2
	swollenPostWords = 100
)

// sharedWords is the share of the words of a (normalized, as a bag) that
// b also has.
func sharedWords(a, b string) float64 {
	bag := map[string]int{}
	for _, t := range strings.Fields(normText(b)) {
		bag[t]++
	}
	n, m := 0, 0
	for _, t := range strings.Fields(normText(a)) {
		n++
		if bag[t] > 0 {
			bag[t]--
			m++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(m) / float64(n)
}

// isHeadline reports whether the heading text h (normalized) is one of
// titles, or of two words or more and the start or end of one: a <title>
// that puts the site's name and section around the headline ("Site »
// Blog Archive » My New Project").
func isHeadline(h string, titles map[string]bool) bool {
	if titles[h] {
		return true
	}
	if !strings.Contains(h, " ") {
		return false
	}
	for t := range titles {
		if strings.HasSuffix(t, " "+h) || strings.HasPrefix(t, h+" ") {
			return true
		}
	}
	return false
}

// holdsHeadline reports whether a heading below n reads as one of titles.
func holdsHeadline(n *html.Node, titles map[string]bool) bool {
	found := false
	walk(n, func(c *html.Node) bool {
		if found {
			return false
		}
		if c.Type == html.ElementNode && len(c.Data) == 2 && c.Data[0] == 'h' && c.Data[1] >= '1' && c.Data[1] <= '6' {
			found = isHeadline(normText(textOf(c)), titles)
			return false
		}
		return true
	})
	return found
}

// headlineFrame reads a bodiless post's frame from the page itself, for a
// page about to be refused because the content search found no text of the
// post (it picked a sidebar, or the post's date line was pruned as
// furniture): the heading that the page's <title>, og:title or JSON-LD
// headline names, and the date or byline line beside it (between the
// previous heading and the next one). It returns the lines in page order,
// or nil when the page shows no such heading with a dated line: a listing
// has other headings between its title and any date, an error page or an
// empty template has no date by its heading.
func headlineFrame(src []byte, meta *pageMeta) []string {
	if len(meta.named) == 0 {
		return nil
	}
	root, err := parseHTML(src)
	if err != nil {
		return nil
	}
	sanitize(root, math.MaxInt) // Clean counted the elements of this page already
	named := make([]string, 0, len(meta.named))
	for _, t := range meta.named {
		if k := normText(t); k != "" {
			named = append(named, k)
		}
	}
	var head *html.Node
	walk(root, func(n *html.Node) bool {
		if head != nil {
			return false
		}
		if n.Type == html.ElementNode && (n.Data == "h1" || n.Data == "h2") && namesHeading(normText(textOf(n)), named) {
			head = n
			return false
		}
		return n.Type != html.ElementNode || !skipTags[n.Data]
	})
	if head == nil {
		return nil
	}
	// The heading's container, or its parent when the heading is alone
	// in it (a "headline area" that holds only the <h1>).
	box := head.Parent
	for range 2 {
		if box == nil || box.Parent == nil || len(renderBlocks(box)) > 1 {
			break
		}
		box = box.Parent
	}
	if box == nil {
		return nil
	}
	return frameAround(renderBlocks(box), normText(textOf(head)))
}

// frameAround returns the headline block of blocks (normalized text h)
// with the dated lines around it: from the previous heading to the next,
// at most frameLines blocks away. It returns nil without a dated line.
func frameAround(blocks []block, h string) []string {
	at := -1
	for i := range blocks {
		if blocks[i].heading && normText(blocks[i].text) == h {
			at = i
			break
		}
	}
	if at < 0 {
		return nil
	}
	dated := func(b *block) bool {
		return b.words <= 20 && (isDateline(b.text) || isByline(b.text, normText(b.text), nil) && strings.ContainsAny(b.text, "0123456789"))
	}
	var before, after []string
	for i := at - 1; i >= 0 && i >= at-frameLines && !blocks[i].heading; i-- {
		if dated(&blocks[i]) {
			before = append([]string{clean(blocks[i].text)}, before...)
		}
	}
	for i := at + 1; i < len(blocks) && i <= at+frameLines && !blocks[i].heading; i++ {
		if dated(&blocks[i]) {
			after = append(after, clean(blocks[i].text))
		}
	}
	if len(before)+len(after) == 0 {
		return nil
	}
	return append(append(before, clean(blocks[at].text)), after...)
}

// frameLines is how many blocks from its headline a post's date line may
// be: the lines between them are a kicker, an author, a share row.
const frameLines = 3

// namesHeading reports whether heading h (normalized) is one of the named
// headlines, or the start or end of one (a <title> with the site's name
// before or after it).
func namesHeading(h string, named []string) bool {
	if h == "" {
		return false
	}
	for _, t := range named {
		if t == h || strings.HasPrefix(t, h+" ") || strings.HasSuffix(t, " "+h) {
			return true
		}
	}
	return false
}
