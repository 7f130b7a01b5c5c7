package cleaner

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// alwaysDrop are elements that never hold article text.
var alwaysDrop = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true, "canvas": true,
	"iframe": true, "object": true, "embed": true, "button": true, "input": true, "select": true,
	"textarea": true, "option": true, "figcaption": true, "dialog": true, "link": true, "meta": true,
	"map": true, "audio": true, "video": true,
}

// dropIfMinor are layout elements that hold article text only on odd pages:
// they go unless they hold much of the page's paragraph text.
var dropIfMinor = map[string]bool{
	"nav": true, "aside": true, "footer": true, "form": true, "figure": true, "menu": true,
}

// boilerRoles are ARIA roles of page furniture.
var boilerRoles = map[string]bool{
	"navigation": true, "complementary": true, "contentinfo": true, "dialog": true, "alertdialog": true,
	"menu": true, "menubar": true, "toolbar": true, "search": true, "banner": true, "alert": true,
}

// boilerWords are class/id words that name page furniture: share and embed
// widgets, related and recommended links, newsletter and comment prompts,
// cookie banners, ads, captions and credits, tag lists, author and date lines.
var boilerWords = map[string]bool{
	"share": true, "shares": true, "sharing": true, "sharebar": true, "sharetools": true, "social": true,
	"socials": true, "addthis": true, "sharethis": true, "sharedaddy": true, "clipboard": true,
	"related": true, "recommended": true, "recommendations": true, "recirc": true, "recirculation": true,
	"outbrain": true, "taboola": true, "zergnet": true, "trending": true, "popular": true, "mostread": true,
	"newsletter": true, "newsletters": true, "subscribe": true, "subscription": true, "signup": true,
	"comment": true, "comments": true, "disqus": true, "cookie": true, "cookies": true, "consent": true,
	"gdpr": true, "ad": true, "ads": true, "advert": true, "adverts": true, "advertisement": true,
	"advertising": true, "adslot": true, "adunit": true, "dfp": true, "sponsored": true, "sponsor": true,
	"promo": true, "promoted": true, "caption": true, "captions": true, "figcaption": true, "credit": true,
	"credits": true, "tags": true, "taglist": true, "tagged": true, "topics": true, "keywords": true,
	"byline": true, "bylines": true, "dateline": true, "timestamp": true, "breadcrumb": true,
	"breadcrumbs": true, "nav": true, "navigation": true, "navbar": true, "menu": true, "sidebar": true,
	"widget": true, "widgets": true, "footer": true, "masthead": true, "print": true, "toolbar": true,
	"modal": true, "popup": true, "overlay": true, "lightbox": true, "gallery": true, "slideshow": true,
	"carousel": true, "player": true, "login": true, "signin": true, "copyright": true, "teaser": true,
	"author": true, "authors": true, "meta": true, "skip": true, "icon": true, "btn": true, "rating": true,
	"tooltip": true, "rollover": true, "hovercard": true, "disclaimer": false,
}

// neverArticle are the boilerWords that name an overlay or a third-party
// box, never a wrapper around a story: an element so named goes even when
// it holds the page's only text (a cookie banner on an empty template).
// Other words ("byline", "widget", "caption", "author", "print") also name
// wrappers of whole posts on some templates, so they need corroboration.
var neverArticle = map[string]bool{
	"cookie": true, "cookies": true, "consent": true, "gdpr": true, "newsletter": true, "newsletters": true,
	"disqus": true, "outbrain": true, "taboola": true, "zergnet": true, "breadcrumb": true, "breadcrumbs": true,
	"modal": true, "popup": true, "overlay": true, "lightbox": true, "tooltip": true, "hovercard": true,
	"login": true, "signin": true, "signup": true, "skip": true,
}

// wrapperWords are the boilerWords seen on elements that wrap a whole post
// (TypePad's "entry-author-x", Blogger's "widget Blog", "div#content_byline",
// a post in "div.caption-image", "div#printReady"): an element so named is
// pruned only when its content also looks like furniture.
var wrapperWords = map[string]bool{
	"byline": true, "bylines": true, "author": true, "authors": true, "widget": true, "widgets": true,
	"caption": true, "captions": true, "print": true, "meta": true, "credit": true, "credits": true,
	"teaser": true, "dateline": true, "timestamp": true, "promo": true, "promoted": true, "hidden": true,
	"hide": true, "none": true,
}

// postClasses are whole class names blog engines and article templates put
// on the element that holds one post ("post hentry", "entry", "article"):
// an element with one is a post, whatever its other classes say
// ("author-jane", "widget"), as readability keeps an unlikely name that
// also says "article" or "content".
var postClasses = map[string]bool{
	"post": true, "hentry": true, "entry": true, "article": true, "story": true, "blogpost": true,
	"blog-post": true, "post-body": true, "entry-content": true, "post-content": true,
	"article-body": true, "story-body": true, "articlebody": true, "storybody": true,
}

// rxPostID matches the id blog engines give a post's element ("post-3292",
// "article-12345").
var rxPostID = regexp.MustCompile(`^(post|article|entry|story)-?\d+$`)

// marksPost reports an element named as one post by a whole class name or
// its id, not by one word of a longer name ("post-author" is a byline).
func marksPost(n *html.Node) bool {
	if rxPostID.MatchString(strings.ToLower(attr(n, "id"))) {
		return true
	}
	for _, c := range strings.Fields(strings.ToLower(attr(n, "class"))) {
		if postClasses[c] {
			return true
		}
	}
	return false
}

// slugPrefix are the words before a tag or category slug in the classes
// blog engines put on a post (WordPress "tag-social category-promo"): the
// word after them names the post's subject, not furniture.
var slugPrefix = map[string]bool{"tag": true, "category": true, "label": true}

// bannerChars is the most reading text (bytes) a cookie or sign-up banner has.
const bannerChars = 300

// boilerPairs are two-word class/id names of page furniture.
var boilerPairs = map[string]bool{
	"read more": true, "more stories": true, "more from": true, "also like": true, "may like": true,
	"most read": true, "most popular": true, "most viewed": true, "you might": true, "sr only": true,
	"screen reader": true, "visually hidden": true, "in case": false, "further reading": true,
	"post date": true, "publish date": true, "pub date": true, "article date": true, "entry date": true,
	"post info": true, "story info": true, "article info": true, "entry meta": true, "story meta": true,
}

var rxHiddenStyle = regexp.MustCompile(`(?i)(display\s*:\s*none|visibility\s*:\s*hidden)`)

// isBoilerName reports a class/id that names page furniture.
func isBoilerName(n *html.Node) bool { return boilerName(n) != "" }

// boilerName returns the class/id word that names n as page furniture, or "".
func boilerName(n *html.Node) string {
	toks := nameTokens(n)
	for i, t := range toks {
		if i > 0 && slugPrefix[toks[i-1]] {
			continue // "tag-sharing", "category-promo": the post's own tags
		}
		if boilerWords[t] {
			return t
		}
		if i > 0 && boilerPairs[toks[i-1]+" "+t] {
			return toks[i-1] + "-" + t
		}
		if t == "hidden" || t == "hide" || t == "none" {
			// "hidden", "is-hidden", "d-none", "visually-hidden", not "overflow-hidden".
			if i == 0 || (toks[i-1] != "overflow" && toks[i-1] != "text") {
				return t
			}
		}
	}
	return ""
}

// weights holds, per element, how much paragraph text it contains.
type weights struct {
	of    map[*html.Node]int
	total int
}

// measure counts the characters of text inside <p>-like elements below
// every element; pages without paragraphs count all text.
func measure(doc *html.Node) weights {
	w := weights{of: map[*html.Node]int{}}
	var pText func(n *html.Node, inP bool) int
	pText = func(n *html.Node, inP bool) int {
		if n.Type == html.TextNode {
			if inP {
				return len(strings.TrimSpace(n.Data))
			}
			return 0
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return 0
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "p", "pre", "blockquote", "td", "th", "dd":
				inP = true
			}
		}
		sum := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			sum += pText(c, inP)
		}
		if n.Type == html.ElementNode {
			w.of[n] = sum
		}
		return sum
	}
	w.total = pText(doc, false)
	if w.total < minParagraphText {
		clear(w.of)
		w.total = pText(doc, true)
	}
	return w
}

// minParagraphText is the least paragraph text (bytes) a page must have for
// its <p>-like elements to be the measure: a page with less writes its
// story in bare <div>s and <br>s, so all its text counts.
const minParagraphText = 300

// minorShare is the largest share of the page's paragraph text an element
// may hold and still be pruned for its tag, role or name: the article (or
// the part of it that matters) always holds more.
const minorShare = 0.3

// minor reports whether n holds a small share of the page's paragraph text,
// so removing it cannot take the article with it.
func (w weights) minor(n *html.Node) bool {
	return float64(w.of[n]) <= minorShare*float64(w.total)
}

// pruneRecord is one element prune removed, for Explain.
type pruneRecord struct {
	element string // tag#id.class
	rule    string
	chars   int // characters of text it held
	text    string
}

// pruneLog collects what prune removed; a nil log records nothing.
type pruneLog struct {
	records []pruneRecord
	total   int // characters of text in the page before pruning
}

func (l *pruneLog) add(n *html.Node, rule string) {
	if l == nil {
		return
	}
	t := readerText(n)
	l.records = append(l.records, pruneRecord{element: describe(n), rule: rule, chars: utf8.RuneCountInString(t), text: t})
}

// readerText is the text of n a reader could see, white space collapsed:
// scripts, styles, templates and <noscript> (markup, as parsed) left out.
func readerText(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		return c.Type != html.ElementNode ||
			c.Data != "script" && c.Data != "style" && c.Data != "noscript" && c.Data != "template"
	})
	return collapse(b.String())
}

// describe names an element the way a CSS selector would: tag#id.class.
func describe(n *html.Node) string {
	var b strings.Builder
	b.WriteString(n.Data)
	if id := attr(n, "id"); id != "" {
		b.WriteString("#" + id)
	}
	for _, c := range strings.Fields(attr(n, "class")) {
		b.WriteString("." + c)
	}
	return b.String()
}

// prune removes page furniture from the whole document before the content
// search: hidden elements, widgets and boilerplate named by class, id or role.
// What it removes goes to log (which may be nil).
func prune(doc *html.Node, log *pruneLog) {
	w := measure(doc)
	pr := measureProse(doc)
	var caps captionShare
	if log != nil {
		log.total = utf8.RuneCountInString(readerText(doc))
	}
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.CommentNode {
			removeNode(n)
			return false
		}
		if n.Type != html.ElementNode {
			return true
		}
		switch n.Data {
		case "html", "body", "head":
			return true
		}
		if alwaysDrop[n.Data] {
			if log != nil && n.Data != "script" && n.Data != "style" && n.Data != "link" && n.Data != "meta" &&
				n.Data != "noscript" && n.Data != "template" {
				log.add(n, "element <"+n.Data+">")
			}
			removeNode(n)
			return false
		}
		hidden := hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" || rxHiddenStyle.MatchString(attr(n, "style"))
		rule, strong := "", false
		switch {
		case hidden:
			rule = "hidden"
		case dropIfMinor[n.Data] && !(n.Data == "figure" && hasEmbeddedPost(n)):
			rule = "layout <" + n.Data + ">"
		case boilerRoles[strings.ToLower(attr(n, "role"))]:
			rule = "role " + strings.ToLower(attr(n, "role"))
		case !tableParts[n.Data] && !inlineTags[n.Data]:
			if word := boilerName(n); word != "" && !(captionWords[word] && caps.story(doc, pr)) && (neverArticle[word] || !pr.holdsArticle(n) && (!wrapperWords[word] || pr.furniture(n) && !marksPost(n))) && !keepEmbeddedPost(n) {
				rule, strong = "name "+word, neverArticle[word]
			}
		}
		// A banner-sized box named as an overlay goes even when it holds
		// most of a page's text: that page is an empty template.
		if rule != "" && (w.minor(n) || strong && pr.of[n] < bannerChars) {
			log.add(n, rule)
			removeNode(n)
			return false
		}
		if hidden {
			// Most of the page is "hidden": a saved page with a modal
			// (cookie wall, paywall) open over the article. Unhide it.
			n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool {
				return a.Key == "hidden" || a.Key == "aria-hidden" || a.Key == "style"
			})
		}
		return true
	})
	pruneInlineWidgets(doc)
}

// captionWords are the names of captions.
var captionWords = map[string]bool{"caption": true, "captions": true}

// captionStory is the share of a page's reading text its captions hold when
// the page is a photo story, told in its captions: they are not pruned for
// their name (credit lines are still dropped by the line filter).
const captionStory = 0.3

// captionShare tells, computed once when a caption is first met, whether
// the page's captions hold captionStory of its reading text.
type captionShare struct {
	done, isStory bool
}

func (c *captionShare) story(doc *html.Node, pr prose) bool {
	if c.done {
		return c.isStory
	}
	c.done = true
	sum := 0
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && captionWords[boilerName(n)] {
			sum += pr.of[n]
			return false
		}
		return true
	})
	c.isStory = pr.total > 0 && float64(sum) >= captionStory*float64(pr.total)
	return c.isStory
}

// inlineTags are phrasing elements: inside running text, a class name on
// them ("sn-player-post-link") styles a word, it does not mark furniture.
var inlineTags = map[string]bool{
	"a": true, "span": true, "strong": true, "em": true, "b": true, "i": true, "u": true, "small": true,
	"font": true, "abbr": true, "cite": true, "code": true, "time": true, "sup": true, "sub": true,
	"mark": true, "q": true, "ins": true, "del": true, "s": true, "big": true, "bdi": true, "bdo": true,
}

// pruneInlineWidgets removes, deepest first, inline elements named like
// furniture that hold a widget rather than words: an image or several links
// and nothing else (a hover card after a name, a share button row).
func pruneInlineWidgets(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		pruneInlineWidgets(c)
		c = next
	}
	if n.Type != html.ElementNode || !inlineTags[n.Data] || !isBoilerName(n) {
		return
	}
	links, imgs, linkText, allText := 0, 0, 0, 0
	walk(n, func(c *html.Node) bool {
		switch {
		case c.Type == html.TextNode:
			l := len(strings.TrimSpace(c.Data))
			allText += l
			for p := c.Parent; p != nil && p != n.Parent; p = p.Parent {
				if p.Type == html.ElementNode && p.Data == "a" {
					linkText += l
					break
				}
			}
		case c.Type == html.ElementNode && c.Data == "a":
			links++
		case c.Type == html.ElementNode && (c.Data == "img" || c.Data == "picture"):
			imgs++
		}
		return true
	})
	if (imgs > 0 || links >= 2) && float64(linkText) >= 0.8*float64(allText) {
		removeNode(n)
	}
}

// tableParts are the inside of a table, whose class names describe data
// ("player-2020", "row-ad"), not page furniture.
var tableParts = map[string]bool{"tr": true, "td": true, "th": true, "tbody": true, "thead": true, "tfoot": true, "col": true, "colgroup": true}

// keepEmbeddedPost reports whether n holds an embedded post, and if so
// strips its furniture-like class and id so the content search keeps it.
func keepEmbeddedPost(n *html.Node) bool {
	if !hasEmbeddedPost(n) {
		return false
	}
	n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "class" || a.Key == "id" })
	if n.Data == "div" || n.Data == "section" || n.Data == "figure" || n.Data == "aside" {
		// Unwrapped, so the content search judges the quote itself rather
		// than a link-heavy wrapper around it.
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			n.RemoveChild(c)
			n.Parent.InsertBefore(c, n)
			c = next
		}
	}
	return true
}

// hasEmbeddedPost reports an element holding a quoted post (an embedded
// tweet or Instagram post is a <blockquote>): article content, even inside a
// "social" wrapper.
func hasEmbeddedPost(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node) bool {
		if found {
			return false
		}
		if c.Type == html.ElementNode && c.Data == "blockquote" {
			found = true
		}
		return true
	})
	return found
}
