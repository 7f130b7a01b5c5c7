package cleaner

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// walk visits n and its descendants in document order; fn returns false to
// skip a node's children. The parser caps nesting, so recursion is bounded.
func walk(n *html.Node, fn func(*html.Node) bool) {
	if !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling // fn may detach c
		walk(c, fn)
		c = next
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// hasToken reports whether the space-separated list s contains tok (case-insensitive).
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// textOf is the concatenated text of n's descendants.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		return c.Type != html.ElementNode || (c.Data != "script" && c.Data != "style")
	})
	return b.String()
}

// collapse trims s and folds every run of white space into one space.
func collapse(s string) string {
	if collapsedASCII(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// collapsedASCII reports ASCII text that collapse leaves as it is: words
// separated by single spaces, none at either end.
func collapsedASCII(s string) bool {
	space := true // at the start, a space would be leading
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		case c == ' ':
			if space {
				return false
			}
			space = true
		default:
			space = false
		}
	}
	return !space
}

// normText lower-cases s and keeps only its letters and digits, space-separated:
// the form used to compare a block with a headline or a byline.
//
// It is strings.ToLower, then the runs of letters and digits joined by one
// space, in one pass and one allocation: it runs on every block of a page,
// several times.
func normText(s string) string {
	var b strings.Builder
	gap := false // a separator since the last letter or digit
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				gap = true
				continue
			}
			normSep(&b, gap, len(s))
			gap = false
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		r = unicode.ToLower(r) // RuneError, for invalid UTF-8, stays a separator
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = true
			continue
		}
		normSep(&b, gap, len(s))
		gap = false
		b.WriteRune(r)
	}
	return b.String()
}

// normSep starts normText's output (sized for n bytes) at its first word,
// and separates the later words by one space.
func normSep(b *strings.Builder, gap bool, n int) {
	switch {
	case b.Cap() == 0:
		b.Grow(n)
	case gap:
		b.WriteByte(' ')
	}
}

// words counts the letter/digit runs of s.
func words(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// nameTokens splits an element's class and id into lower-case words:
// "shareButtons share_bar" -> share, buttons, share, bar. Utility classes
// with a colon ("md:hidden") are ignored.
func nameTokens(n *html.Node) []string {
	var toks []string
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		for _, name := range strings.Fields(a.Val) {
			if strings.ContainsRune(name, ':') || len(name) > 80 {
				continue
			}
			toks = splitName(name, toks)
		}
	}
	return toks
}

func splitName(name string, toks []string) []string {
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 && end > start {
			toks = append(toks, strings.ToLower(name[start:end]))
		}
		start = -1
	}
	for i, r := range name {
		alnum := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case !alnum:
			flush(i)
		case start < 0:
			start = i
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i)
			start = i
		}
		prev = r
	}
	flush(len(name))
	return toks
}

// removeNode detaches n from its parent.
func removeNode(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}
