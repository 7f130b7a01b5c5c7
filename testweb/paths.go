package testweb

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

func (w *Web) makePath(pi int32, title string) string {
	p := &w.pages[pi]
	o := w.outlets[p.outlet]
	slug := slugify(title, 8)
	if slug == "" {
		slug = "story"
	}
	num := strconv.Itoa(int(p.num))
	sec := w.section(pi)
	var path string
	switch o.urlStyle {
	case 0:
		path = fmt.Sprintf("/%s/%s-%s/", p.published.Format("2006/01/02"), slug, num)
	case 1:
		path = fmt.Sprintf("/news/%s/%s-%s.html", sec, slug, num)
	case 2:
		path = fmt.Sprintf("/article/%s/%s", num, slug)
	default:
		path = fmt.Sprintf("/stories/%s/%s,%s", sec, slug, num)
	}
	if p.disallowed {
		path = "/private" + path
	}
	return path
}

// slugify keeps ASCII letters and digits of at most max words, joined by '-'.
func slugify(s string, max int) string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			cur.WriteRune(r)
		case r == '\'' || r == '’':
		default:
			flush()
		}
	}
	flush()
	if len(words) > max {
		words = words[:max]
	}
	return strings.Join(words, "-")
}

// aliases are the other URLs of a page: its AMP version and its feed
// redirect link.
func (w *Web) aliases(pi int32) []string {
	p := &w.pages[pi]
	o := w.outlets[p.outlet]
	var a []string
	if o.amp && !p.disallowed {
		a = append(a, o.base+"/amp"+p.path)
	}
	for _, f := range o.feeds {
		if f.proxy {
			a = append(a, o.base+"/go/"+strconv.Itoa(int(p.num)))
			break
		}
	}
	return a
}

func (w *Web) aliasPage(oi int, path string) (int32, bool) {
	o := w.outlets[oi]
	if o.amp && strings.HasPrefix(path, "/amp/") {
		pi, ok := w.byPath[oi][strings.TrimPrefix(path, "/amp")]
		if ok && !w.pages[pi].disallowed {
			return pi, true
		}
	}
	if n, ok := strings.CutPrefix(path, "/go/"); ok {
		for _, f := range o.feeds {
			if f.proxy {
				v, err := strconv.Atoi(n)
				if err != nil {
					return 0, false
				}
				pi, ok := w.byNum[oi][int32(v)]
				return pi, ok
			}
		}
	}
	return 0, false
}
