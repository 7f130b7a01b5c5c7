package cleaner

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"github.com/wirecrawl/wirecrawl"
)

// Sentinel errors, wrapped with context by Clean.
var (
	// ErrNoContent means the page has no article: it is empty, a login or
	// paywall page, or only boilerplate.
	ErrNoContent = errors.New("no article content")
	// ErrNotHTML means the body is not markup (binary data, plain text).
	ErrNotHTML = errors.New("not an HTML page")
	// ErrTooLarge means the body is larger than Config.MaxBytes or has more
	// elements than Config.MaxElements.
	ErrTooLarge = errors.New("page too large")
)

// Cleaner extracts article text and metadata from HTML pages. It holds only
// its configuration, so one Cleaner is safe for concurrent use.
type Cleaner struct {
	cfg   Config
	trace func([]block) // test hook: sees the filtered blocks
}

// New returns a Cleaner; zero fields of cfg take their defaults.
func New(cfg Config) *Cleaner {
	return &Cleaner{cfg: cfg.WithDefaults()}
}

// Clean extracts the article from one page. body is the raw HTTP body, pageURL
// the address it came from (after redirects; may be empty) and contentType the
// Content-Type header value (may be empty), used for the charset. It does no
// I/O. Errors wrap ErrNotHTML, ErrNoContent or ErrTooLarge.
func (c *Cleaner) Clean(body []byte, pageURL, contentType string) (wirecrawl.Document, error) {
	return c.clean(body, pageURL, contentType, nil)
}

// clean is Clean, recording its decisions in ex when ex is not nil.
func (c *Cleaner) clean(body []byte, pageURL, contentType string, ex *Explanation) (wirecrawl.Document, error) {
	doc := wirecrawl.Document{URL: pageURL}
	where := "cleaner: "
	if pageURL != "" {
		where = "cleaner: " + pageURL + ": "
	}
	src, root, err := c.parse(body, contentType)
	if err != nil {
		return doc, fmt.Errorf("%s%w", where, err)
	}
	base, err := url.Parse(pageURL)
	if err != nil || !base.IsAbs() {
		base = nil
	}

	meta := extractMeta(root, base)
	loginWall := hasPasswordField(root)
	var plog *pruneLog
	if ex != nil {
		plog = &pruneLog{}
	}
	prune(root, plog)
	if ex != nil {
		ex.setPruned(plog)
	}

	rbase := base
	if rbase == nil {
		rbase = &url.URL{Scheme: "http", Host: "localhost", Path: "/"}
	}
	blocks, err := c.extract(src, root, rbase, &meta, ex)
	if err != nil {
		return doc, fmt.Errorf("%s%w", where, err)
	}
	fillDocument(&doc, &meta, pageURL)
	paras := assemble(blocks)
	framed := false
	if c.tooLittle(paras) {
		if frame := postFrame(blocks, &meta); frame != nil {
			paras, framed = frame, true
			if ex != nil {
				ex.Source += ", a post without body text: its headline and dateline"
			}
		} else if frame := headlineFrame(src, &meta); frame != nil {
			paras, framed = frame, true
			if ex != nil {
				ex.Source = "the page's headline and dateline (a post without body text)"
			}
		}
	}
	text := strings.Join(paras, "\n\n")
	if err := c.refusal(paras, text, loginWall, framed); err != nil {
		return doc, fmt.Errorf("%s%w", where, err)
	}
	doc.Text = text
	doc.Paragraphs = paras
	return doc, nil
}

// parse decodes body to UTF-8 and parses it, refusing a page too large to
// parse safely. It returns the decoded source and the sanitized tree.
func (c *Cleaner) parse(body []byte, contentType string) ([]byte, *html.Node, error) {
	if int64(len(body)) > c.cfg.MaxBytes {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), c.cfg.MaxBytes)
	}
	src, err := decode(body, contentType)
	if err != nil {
		return nil, nil, err
	}
	if len(src) > countTagsAbove && countStartTags(src, c.cfg.MaxElements) > c.cfg.MaxElements {
		// Refused before the tree is built: 8 MiB of "<b></b>" would
		// take over 200 MiB as a tree.
		return nil, nil, fmt.Errorf("%w: more than %d elements", ErrTooLarge, c.cfg.MaxElements)
	}
	root, err := parseHTML(src)
	if err != nil {
		return nil, nil, err
	}
	if n := sanitize(root, c.cfg.MaxElements); n > c.cfg.MaxElements {
		return nil, nil, fmt.Errorf("%w: more than %d elements", ErrTooLarge, c.cfg.MaxElements)
	}
	return src, root, nil
}

// extract runs the content search on the pruned tree root and renders its
// result as filtered blocks; when that finds little and no brief, the
// page's densest text container is tried instead.
func (c *Cleaner) extract(src []byte, root *html.Node, rbase *url.URL, meta *pageMeta, ex *Explanation) ([]block, error) {
	parser := readability.NewParser()
	parser.KeepClasses = true
	parser.DisableJSONLD = true // metadata is read before, from the unpruned page
	art, err := runReadability(&parser, root, rbase)
	if err != nil {
		return nil, fmt.Errorf("%w: readability: %v", ErrNoContent, err)
	}
	fillFromReadability(meta, art)

	var blocks []block
	if art.Node != nil {
		blocks = renderBlocksOf(art.Node, rbase.Hostname())
		filterBlocks(blocks, meta)
		if c.trace != nil {
			c.trace(blocks)
		}
		if ex != nil {
			ex.Source = "readability"
			ex.setBlocks(blocks)
		}
	}
	if alt := strayPost(root, rbase.Hostname(), meta, blocks); alt != nil {
		blocks = alt
		if ex != nil {
			ex.Source = "post element (the content search took another block of its size)"
			ex.setBlocks(alt)
		}
	}
	paras := assemble(blocks)
	text := strings.Join(paras, "\n\n")
	if len(text) >= fallbackBelow || shortArticle(paras) {
		return blocks, nil
	}
	// Readability found little, and no brief: try the page's densest
	// text container.
	if alt := densestText(src, rbase.Hostname(), meta); len(strings.Join(assemble(alt), "\n\n")) > fallbackGain*len(text)+fallbackMargin {
		blocks, paras, text = alt, assemble(alt), strings.Join(assemble(alt), "\n\n")
		if ex != nil {
			ex.Source = "densest container"
			ex.setBlocks(alt)
		}
	}
	if !c.tooLittle(paras) {
		return blocks, nil
	}
	// Still too little: a post with little text of its own is best read
	// from the element the page marks as the post.
	if alt := postText(src, rbase.Hostname(), meta); len(strings.Join(assemble(alt), "\n\n")) > len(text) {
		blocks = alt
		if ex != nil {
			ex.Source = "post element"
			ex.setBlocks(alt)
		}
	}
	return blocks, nil
}

// The densest container replaces readability's little text only when it
// holds more than fallbackGain times as much plus fallbackMargin bytes: a
// container that holds about as much is as likely the wrong block (a
// sidebar, an about box) as readability's was, and the margin keeps a few
// stray lines from replacing a short result.
const (
	fallbackGain   = 3
	fallbackMargin = 200
)

// fillDocument copies the page's metadata into doc.
func fillDocument(doc *wirecrawl.Document, meta *pageMeta, pageURL string) {
	doc.CanonicalURL = meta.Canonical
	if doc.CanonicalURL == "" {
		doc.CanonicalURL = pageURL
	}
	doc.Site = clean(meta.Site)
	doc.Title = clean(meta.Title)
	doc.Byline = clean(meta.Byline)
	doc.Published = meta.Published
	doc.Lang = meta.Lang
	doc.Description = clean(meta.Description)
	if len(meta.Extra) > 0 {
		doc.Meta = meta.Extra
	}
}

// loginWallChars is the most text (characters) a login wall has: a sign-in
// prompt and a teaser. A page with a password field and more text than
// this is a story under a site header with a sign-in box.
const loginWallChars = 600

// tooLittle reports a text Clean would refuse for its length alone: none,
// or less than MinTextLength that does not read as a brief.
func (c *Cleaner) tooLittle(paras []string) bool {
	n := utf8.RuneCountInString(strings.Join(paras, "\n\n"))
	return n == 0 || n < c.cfg.MinTextLength && !shortArticle(paras)
}

// refusal returns why the extracted text is no article (wrapping
// ErrNotHTML or ErrNoContent), or nil when it is one. A post's frame
// (framed: its headline and dateline) is short by nature, and judged only
// as a login wall.
func (c *Cleaner) refusal(paras []string, text string, loginWall, framed bool) error {
	n := utf8.RuneCountInString(text)
	if l, m := letterShare(text); m >= minLetterJudged && float64(l) < minLetters*float64(m) {
		return fmt.Errorf("%w: the text is not language (%d of %d characters are letters)", ErrNotHTML, l, m)
	}
	switch {
	case n == 0:
		return fmt.Errorf("%w: no article text found", ErrNoContent)
	case loginWall && n < loginWallChars && rxLoginWords.MatchString(text):
		return fmt.Errorf("%w: login wall (a password form, and %d characters of text that ask to sign in)", ErrNoContent, n)
	case !framed && n < c.cfg.MinTextLength && !shortArticle(paras):
		return fmt.Errorf("%w: only %d characters of text, %d words", ErrNoContent, n, words(text))
	}
	return nil
}

// countTagsAbove is the page size above which Clean counts the start tags
// before parsing: a smaller page cannot hold enough elements to matter.
const countTagsAbove = 512 << 10

// countStartTags counts the start tags of src with the tokenizer, which
// builds no tree, stopping once the count passes limit.
func countStartTags(src []byte, limit int) int {
	z := html.NewTokenizer(bytes.NewReader(src))
	n := 0
	for n <= limit {
		switch z.Next() {
		case html.ErrorToken:
			return n
		case html.StartTagToken, html.SelfClosingTagToken:
			n++
		}
	}
	return n
}

// runReadability runs the third-party content search, turning a panic in it
// into an error so one odd page cannot take a crawl down.
func runReadability(p *readability.Parser, root *html.Node, base *url.URL) (art readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p.ParseAndMutate(root, base)
}

// fillFromReadability fills metadata the page's own markup did not give.
func fillFromReadability(m *pageMeta, art readability.Article) {
	if m.Title == "" {
		m.Title = collapse(art.Title())
	}
	if t := art.Title(); t != "" {
		m.titles = uniq(append(m.titles, t)...)
	}
	if m.Byline == "" {
		m.Byline = collapse(art.Byline())
	}
	if m.Site == "" {
		m.Site = collapse(art.SiteName())
	}
	if m.Lang == "" {
		m.Lang = normLang(art.Language())
	}
	if m.Published.IsZero() {
		if t, err := art.PublishedTime(); err == nil && validYear(t) {
			m.Published = t.In(time.UTC)
		}
	}
}

// rxLoginWords are the words of a sign-in or subscription prompt: with a
// password field on the page and little text, they make a login wall. A
// password field alone is no evidence: many sites have a sign-in box in
// their header above short real stories.
var rxLoginWords = regexp.MustCompile(`(?i)\b(sign(ed)?[ -]?(in|up)|log(ged)?[ -]?in|login|subscribers?|subscribe|subscription|password|register|registered|members only|premium|paywall|abonn\pL*|anmeld\pL*|registr\pL+|assinante\pL*|suscr\pL+|iscriviti|accedi)\b`)

// Below MinTextLength, a text is an article only when it reads as one:
// shortWords words or more, shortProse of them in one paragraph. A 60-word
// brief passes; "Post a comment" or a bare headline does not.
const (
	shortWords = 8
	shortProse = 6
)

// shortArticle reports whether a text below MinTextLength is still an
// article: a brief, a photo post with a sentence, not a lone label.
func shortArticle(paras []string) bool {
	total, longest := 0, 0
	for _, p := range paras {
		w := words(p)
		total += w
		longest = max(longest, w)
	}
	return total >= shortWords && longest >= shortProse
}

// Text in any language is mostly letters: the extracted text of the 1,057
// dev pages is at least 70% letters (white space left out), sports results
// and stock tables included. Below minLetters, over at least
// minLetterJudged characters, it is decoded noise (symbols, digits and
// punctuation from bytes that are no text).
const (
	minLetters      = 0.4
	minLetterJudged = 200
)

// letterShare counts the letters of s and its characters other than white
// space.
func letterShare(s string) (letters, n int) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		n++
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters, n
}

// hasPasswordField reports a page that asks for a password: a login wall
// when little text comes with it.
func hasPasswordField(doc *html.Node) bool {
	found := false
	walk(doc, func(n *html.Node) bool {
		if found {
			return false
		}
		if n.Type == html.ElementNode && n.Data == "input" && strings.EqualFold(attr(n, "type"), "password") {
			found = true
		}
		return true
	})
	return found
}

// assemble joins the kept blocks into paragraphs: lines split by a <br>
// stay in one paragraph, one per line.
func assemble(blocks []block) []string {
	var paras []string
	var cur strings.Builder
	for i, b := range blocks {
		if !b.drop {
			if cur.Len() > 0 {
				cur.WriteByte('\n')
			}
			cur.WriteString(clean(b.text))
		}
		if (!b.joinNext || i == len(blocks)-1) && cur.Len() > 0 {
			paras = append(paras, cur.String())
			cur.Reset()
		}
	}
	return paras
}

// fallbackBelow is the text length (bytes) under which the readability result
// is checked against the densest container of the page.
const fallbackBelow = 400

// densestText extracts the article without readability: from the pruned page,
// it descends from <body> into the child that holds most (80%+) of the
// paragraph text, and renders and filters that container's blocks.
func densestText(src []byte, host string, meta *pageMeta) []block {
	root, err := parseHTML(src)
	if err != nil {
		return nil
	}
	sanitize(root, math.MaxInt) // Clean counted the elements of this page already
	prune(root, nil)
	w := measure(root)
	n := findBody(root)
	if n == nil || w.of[n] == 0 {
		return nil
	}
	for {
		var best *html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (best == nil || w.of[c] > w.of[best]) {
				best = c
			}
		}
		if best == nil || float64(w.of[best]) < densestShare*float64(w.of[n]) {
			break
		}
		n = best
	}
	blocks := renderBlocksOf(n, host)
	filterBlocks(blocks, meta)
	return blocks
}

// densestShare is the share of its parent's paragraph text a child must
// hold for densestText to descend into it: below it, the text is spread
// over several children (the story and its sidebar), and the parent is
// the container that holds them all.
const densestShare = 0.8

func findBody(doc *html.Node) *html.Node {
	var body *html.Node
	walk(doc, func(n *html.Node) bool {
		if body != nil {
			return false
		}
		if n.Type == html.ElementNode && n.Data == "body" {
			body = n
			return false
		}
		return true
	})
	return body
}

// clean makes text safe to store and compare: valid UTF-8, composed (NFC)
// so that one accented letter has one form, without NUL or other control
// characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return norm.NFC.String(s)
}
