package cleaner

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// block is one paragraph-level unit of rendered text.
type block struct {
	text      string // collapsed text; "\n" where a <br> was
	norm      string // normText(text), once filterBlocks has set it
	words     int
	linkWords int // words inside <a href>
	// extLinkWords are the link words whose links leave the page's site.
	extLinkWords int
	tag          string
	heading      bool // inside h1-h6
	drop         bool
	// standfirst marks text inside a <header> or a lead/dek/summary container.
	standfirst bool
	// joinNext is set when a <br> ended the block: the next block is the
	// next line of the same paragraph.
	joinNext bool
	// parent is the parent of the element that holds the block.
	parent *html.Node
	why    string // why it was dropped, for debugging
}

func (b *block) linkDensity() float64 {
	if b.words == 0 {
		return 0
	}
	return float64(b.linkWords) / float64(b.words)
}

// blockTags start and end a paragraph of their own.
var blockTags = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "blockquote": true, "pre": true,
	"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "caption": true,
	"section": true, "article": true, "header": true, "footer": true, "figure": true, "figcaption": true,
	"aside": true, "nav": true, "main": true, "address": true, "details": true, "summary": true, "hr": true,
	"form": true, "fieldset": true, "center": true, "hgroup": true, "legend": true, "body": true, "html": true,
	"picture": true, "video": true, "audio": true, "iframe": true, "noscript": true, "option": true,
}

// spacedTags are inline elements a browser draws as separate boxes: their
// text never joins the text beside them.
var spacedTags = map[string]bool{
	"td": true, "th": true, "img": true, "button": true, "input": true, "select": true, "label": true,
	"textarea": true, "svg": true, "time": true,
}

// skipTags hold no reader-visible text.
var skipTags = map[string]bool{
	"script": true, "style": true, "template": true, "svg": true, "head": true,
	"noscript": true, "iframe": true, "object": true, "canvas": true, "select": true, "textarea": true,
	"button": true, "input": true, "video": true, "audio": true, "map": true,
}

type blockBuilder struct {
	blocks    []block
	cur       strings.Builder
	words     int
	linkWords int
	inLink    int
	extLink   int    // depth of links to other sites
	extWords  int    // extLinkWords of the current block
	site      string // the page's registrable domain, for telling links apart
	tag       string
	heading   bool
	pendSpace bool // white space seen since the last word
	boundary  bool // an element edge since the last word
	brs       int  // consecutive <br> since the last word
	pre       int
	lead      int        // depth of <header> / standfirst containers
	blockEl   *html.Node // element holding the current block
}

// standfirstWords are class/id words of a standfirst container.
var standfirstWords = map[string]bool{
	"standfirst": true, "dek": true, "deck": true, "lead": true, "lede": true, "summary": true,
	"subtitle": true, "subheadline": true, "subhead": true, "strapline": true, "intro": true,
	"excerpt": true, "sapo": true, "chapo": true, "chapeau": true, "teaser": true, "description": true,
}

func isStandfirstContainer(n *html.Node) bool {
	if n.Data == "header" {
		return true
	}
	for _, t := range nameTokens(n) {
		if standfirstWords[t] {
			return true
		}
	}
	return false
}

// renderBlocks turns the subtree at n into paragraph blocks, the way a browser
// lays them out: block elements and double <br> separate paragraphs, a single
// <br> is a line break, white space collapses, and words that touch across
// the edge of two separate boxes are kept apart.
func renderBlocks(n *html.Node) []block {
	return renderBlocksOf(n, "")
}

// renderBlocksOf is renderBlocks for a page on host: links to other sites
// are counted apart.
func renderBlocksOf(n *html.Node, host string) []block {
	bb := blockBuilder{site: siteKey(host)}
	bb.render(n, false)
	bb.flush()
	return bb.blocks
}

// flush ends the current paragraph.
func (bb *blockBuilder) flush() {
	bb.flushLine()
	if n := len(bb.blocks); n > 0 {
		bb.blocks[n-1].joinNext = false
	}
}

// flushLine ends the current line, at a <br>: the next block continues the
// same paragraph unless a paragraph edge comes first.
func (bb *blockBuilder) flushLine() {
	text := strings.TrimSpace(bb.cur.String())
	if text != "" {
		bb.blocks = append(bb.blocks, block{
			text: text, words: bb.words, linkWords: bb.linkWords, extLinkWords: bb.extWords, tag: bb.tag,
			heading: bb.heading, standfirst: bb.lead > 0,
			parent: parentOf(bb.blockEl),
		})
	}
	bb.cur.Reset()
	bb.words, bb.linkWords, bb.extWords = 0, 0, 0
	bb.pendSpace, bb.boundary, bb.brs = false, false, 0
}

// render walks n; heading tells whether n is inside a heading.
func (bb *blockBuilder) render(n *html.Node, heading bool) {
	outerHeading := heading
	switch n.Type {
	case html.TextNode:
		bb.text(n.Data)
		return
	case html.DocumentNode:
	case html.ElementNode:
		if bb.skip(n) {
			return
		}
	default:
		return
	}
	name := n.Data
	isBlock := n.Type == html.ElementNode && blockTags[name]
	if isBlock && isStandfirstContainer(n) {
		bb.lead++
		defer func() { bb.lead-- }()
	}
	switch {
	case name == "br":
		bb.lineBreak()
		return
	case isBlock:
		heading = bb.openBlock(n, heading)
	case spacedTags[name]:
		bb.pendSpace = true
	}
	isLink := name == "a" && attr(n, "href") != ""
	ext := isLink && bb.isExternal(attr(n, "href"))
	if isLink {
		bb.inLink++
	}
	if ext {
		bb.extLink++
	}
	bb.boundary = true
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		bb.render(c, heading)
	}
	bb.boundary = true
	if isLink {
		bb.inLink--
	}
	if ext {
		bb.extLink--
	}
	if spacedTags[name] {
		bb.pendSpace = true
	}
	if isBlock {
		bb.closeBlock(n, outerHeading)
	}
}

// skip reports an element whose content a reader does not see; one drawn as
// a box of its own still separates the words around it.
func (bb *blockBuilder) skip(n *html.Node) bool {
	if skipTags[n.Data] {
		if spacedTags[n.Data] {
			bb.boundary, bb.pendSpace = true, true
		}
		return true
	}
	return attr(n, "aria-hidden") == "true" || hasAttr(n, "hidden")
}

// lineBreak handles a <br>: after text it ends the line, and a second one
// in a row (a blank line) ends the paragraph.
func (bb *blockBuilder) lineBreak() {
	if strings.TrimSpace(bb.cur.String()) != "" {
		bb.flushLine()
		bb.blocks[len(bb.blocks)-1].joinNext = true
		bb.brs = 1
		return
	}
	bb.brs++
	if bb.brs >= 2 {
		bb.flush() // a blank line: new paragraph
	}
}

// openBlock starts the paragraph of block element n and returns whether its
// text is a heading.
func (bb *blockBuilder) openBlock(n *html.Node, heading bool) bool {
	bb.flush()
	switch n.Data {
	case "h1", "h2", "h3", "h4", "h5", "h6":
		heading = true
	}
	bb.tag, bb.heading = n.Data, heading
	bb.blockEl = n
	if n.Data == "pre" {
		bb.pre++
	}
	return heading
}

// closeBlock ends the paragraph of block element n: text after it belongs
// to its parent's block again.
func (bb *blockBuilder) closeBlock(n *html.Node, outerHeading bool) {
	bb.flush()
	if n.Data == "pre" {
		bb.pre--
	}
	if n.Parent != nil {
		bb.tag, bb.heading = parentBlockTag(n.Parent), outerHeading
		bb.blockEl = n.Parent
	}
}

func parentOf(n *html.Node) *html.Node {
	if n == nil {
		return nil
	}
	return n.Parent
}

func parentBlockTag(n *html.Node) string {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && blockTags[n.Data] {
			return n.Data
		}
	}
	return ""
}

// text appends one text node, collapsing white space (kept inside <pre>).
func (bb *blockBuilder) text(s string) {
	if bb.pre > 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		for _, line := range strings.SplitAfter(s, "\n") {
			if strings.TrimSpace(line) == "" && strings.HasSuffix(line, "\n") {
				if bb.cur.Len() > 0 {
					bb.cur.WriteByte('\n')
				}
				continue
			}
			bb.words += words(line)
			if bb.inLink > 0 {
				bb.linkWords += words(line)
				if bb.extLink > 0 {
					bb.extWords += words(line)
				}
			}
			bb.cur.WriteString(strings.TrimRight(line, " \t"))
			bb.brs = 0
		}
		return
	}
	i := 0
	for i < len(s) {
		if space, size := spaceAt(s, i); space {
			bb.pendSpace = true
			i += size
			continue
		}
		j := i
		for j < len(s) {
			space, sz := spaceAt(s, j)
			if space {
				break
			}
			j += sz
		}
		bb.word(s[i:j])
		i = j
	}
}

// spaceAt reports whether the character at s[i] is white space or NUL,
// and its length in bytes.
func spaceAt(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return c == ' ' || '\t' <= c && c <= '\r' || c == 0, 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), size
}

func (bb *blockBuilder) word(w string) {
	if bb.cur.Len() > 0 {
		last, _ := utf8.DecodeLastRuneInString(bb.cur.String())
		switch {
		case last == '\n':
		case bb.pendSpace:
			bb.cur.WriteByte(' ')
		case bb.boundary && glued(last, w):
			bb.cur.WriteByte(' ')
		}
	}
	bb.cur.WriteString(w)
	n := words(w)
	bb.words += n
	if bb.inLink > 0 {
		bb.linkWords += n
		if bb.extLink > 0 {
			bb.extWords += n
		}
	}
	bb.pendSpace, bb.boundary, bb.brs = false, false, 0
}

// glued reports a word boundary that markup hides: a lower-case letter
// followed, across an element edge, by an upper-case one ("articleComments"
// from two adjacent buttons).
func glued(last rune, next string) bool {
	r, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLower(last) && unicode.IsUpper(r)
}

// isExternal reports a link to another site than the page's.
func (bb *blockBuilder) isExternal(href string) bool {
	if bb.site == "" {
		return false
	}
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "") {
		return false
	}
	return siteKey(u.Hostname()) != bb.site
}

// siteKey approximates a host's registrable domain: its last two labels, or
// three under a two-letter country code with a short second level
// ("bbc.co.uk", "folha.com.br").
func siteKey(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	labels := strings.Split(host, ".")
	n := len(labels)
	switch {
	case host == "":
		return ""
	case n >= 3 && len(labels[n-1]) == 2 && len(labels[n-2]) <= 3:
		return strings.Join(labels[n-3:], ".")
	case n >= 2:
		return strings.Join(labels[n-2:], ".")
	}
	return host
}
