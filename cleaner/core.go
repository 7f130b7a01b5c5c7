package cleaner

import (
	"strings"

	"golang.org/x/net/html"
)

// prose holds, per element, the characters of reading text below it (text
// outside links, form controls and scripts), and the page's article core:
// the element whose paragraphs score highest the way readability scores
// them. Name-based pruning consults it so that a class word alone
// ("byline", "widget", "caption") never removes the article.
type prose struct {
	of    map[*html.Node]int
	all   map[*html.Node]int // all text below the element, links included
	total int
	// core is the element with the best paragraph score; nil on a page
	// without paragraphs.
	core *html.Node
}

// noProse are elements whose text is not reading text.
var noProse = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "select": true, "option": true,
	"textarea": true, "button": true, "head": true, "svg": true, "iframe": true, "object": true,
}

// minScoredChars is the shortest block (bytes of text outside links) that
// scores for its parent, as in readability: shorter ones are labels.
const minScoredChars = 25

// measureProse computes the prose of every element of doc and finds the
// article core: every block of 25 or more characters of text outside links
// scores 1, plus one per comma, plus one per 100 characters (at most 3), to
// its parent and half of that to its grandparent, as readability does.
// elements, the number of elements in doc (or 0), sizes its tables.
func measureProse(doc *html.Node, elements int) prose {
	p := prose{of: make(map[*html.Node]int, elements), all: make(map[*html.Node]int, elements)}
	own := map[*html.Node]int{}    // text outside links whose nearest block is the key
	commas := map[*html.Node]int{} // commas in that text
	all := p.all
	var rec func(n *html.Node, blk *html.Node, inLink bool) (int, int)
	rec = func(n *html.Node, blk *html.Node, inLink bool) (int, int) {
		switch n.Type {
		case html.TextNode:
			if blk == nil {
				return 0, 0
			}
			l := len(strings.TrimSpace(n.Data))
			if inLink {
				return 0, l
			}
			own[blk] += l
			commas[blk] += strings.Count(n.Data, ",")
			return l, l
		case html.ElementNode:
			if noProse[n.Data] {
				return 0, 0
			}
			if blockTags[n.Data] || n.Data == "td" || n.Data == "th" {
				blk = n
			}
			if n.Data == "a" {
				inLink = true
			}
		case html.DocumentNode:
		default:
			return 0, 0
		}
		sum, sumAll := 0, 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			a, b := rec(c, blk, inLink)
			sum += a
			sumAll += b
		}
		if n.Type == html.ElementNode {
			p.of[n] = sum
			all[n] = sumAll
		}
		return sum, sumAll
	}
	p.total, _ = rec(doc, nil, false)
	score := map[*html.Node]float64{}
	for blk, l := range own {
		if l < minScoredChars || blk.Parent == nil {
			continue
		}
		s := 1 + float64(commas[blk]) + float64(min(l/100, 3))
		score[blk.Parent] += s
		if gp := blk.Parent.Parent; gp != nil && gp.Type == html.ElementNode {
			score[gp] += s / 2
		}
	}
	best := 0.0
	for n, s := range score {
		if n.Type != html.ElementNode || all[n] == 0 {
			continue
		}
		// As readability: the class weight, then the share of text
		// outside links.
		s = (s + classWeight(n)) * float64(p.of[n]) / float64(all[n])
		if s > best || s == best && p.core != nil && p.of[n] > p.of[p.core] {
			best, p.core = s, n
		}
	}
	return p
}

// Class and id words readability counts for (positive) and against
// (negative) an element being the article.
var (
	positiveNames = map[string]bool{
		"article": true, "body": true, "content": true, "entry": true, "hentry": true, "main": true,
		"page": true, "post": true, "text": true, "blog": true, "story": true,
	}
	negativeNames = map[string]bool{
		"comment": true, "comments": true, "com": true, "banner": true, "combx": true, "contact": true,
		"foot": true, "footer": true, "footnote": true, "masthead": true, "media": true, "meta": true,
		"outbrain": true, "promo": true, "related": true, "scroll": true, "share": true, "shoutbox": true,
		"sidebar": true, "skyscraper": true, "sponsor": true, "shopping": true, "tags": true, "tool": true,
		"widget": true, "hidden": true, "ad": true,
	}
)

// classWeight is readability's class weight: +25 for a positive word in
// the class, +25 in the id, -25 for a negative one in each.
func classWeight(n *html.Node) float64 {
	w := 0.0
	for _, key := range []string{"class", "id"} {
		v := attr(n, key)
		if v == "" {
			continue
		}
		pos, neg := false, false
		for _, t := range splitName(v, nil) {
			pos = pos || positiveNames[t]
			neg = neg || negativeNames[t]
		}
		if neg {
			w -= 25
		}
		if pos {
			w += 25
		}
	}
	return w
}

// holdsArticle reports whether removing n would take the article with it:
// n holds the core (or is it), holds most of the core's text, or holds
// most of the page's reading text.
func (p prose) holdsArticle(n *html.Node) bool {
	if p.total == 0 {
		return false
	}
	if 2*p.of[n] > p.total {
		return true
	}
	if p.core == nil {
		return false
	}
	for c := p.core; c != nil; c = c.Parent {
		if c == n {
			return true
		}
	}
	if 2*p.of[n] > p.of[p.core] {
		for a := n.Parent; a != nil; a = a.Parent {
			if a == p.core {
				return true
			}
		}
	}
	return false
}

// furniture reports whether n looks like page furniture by its content:
// little reading text (a byline, a caption, a print button) or mostly
// links (a widget of links). A wrapper around a story is neither.
func (p prose) furniture(n *html.Node) bool {
	return p.of[n] <= furnitureChars || 2*p.of[n] <= p.all[n]
}

// furnitureChars is the most reading text (bytes) a byline, caption, author
// box or button row holds.
const furnitureChars = 600
