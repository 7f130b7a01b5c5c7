package cleaner

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/itlightning/dateparse"
	"golang.org/x/net/html"
)

// pageMeta is the metadata found in a page's markup, before the body is cut.
type pageMeta struct {
	Title, Byline, Site, Lang, Description, Canonical string
	Published                                         time.Time
	Authors                                           []string
	Extra                                             map[string]string
	// titles are every headline variant seen (og:title, <title>, h1, JSON-LD),
	// used to drop a repeated headline from the body.
	titles []string
	// named are the headlines the page names outside its body (<title>,
	// og:title, twitter:title, JSON-LD), to tell its headline among its
	// headings.
	named []string
}

// jsonLDArticle holds the fields read from a JSON-LD article object.
type jsonLDArticle struct {
	headline, description, published, modified, lang, url, section, publisher string
	authors                                                                   []string
	keywords                                                                  string
	isArticle                                                                 bool
}

var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "reportage": true, "reportagenewsarticle": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "reviewnewsarticle": true, "backgroundnewsarticle": true,
	"liveblogposting": true, "techarticle": true, "scholarlyarticle": true, "socialmediaposting": true,
	"report": true, "satiricalarticle": true, "askpublicnewsarticle": true, "advertisercontentarticle": true,
	"webpage": false,
}

// extractMeta reads metadata from the whole parsed page.
func extractMeta(doc *html.Node, base *url.URL) pageMeta {
	r := scanMeta(doc)
	art := r.article()
	metas := r.metas
	m := pageMeta{Extra: map[string]string{}}
	m.Title = first(art.headline, metas["og:title"], metas["twitter:title"], metas["dc.title"], r.h1, cleanDocTitle(r.docTitle))
	m.titles = uniq(art.headline, metas["og:title"], metas["twitter:title"], r.h1, r.docTitle, cleanDocTitle(r.docTitle))
	m.named = uniq(art.headline, metas["og:title"], metas["twitter:title"], r.docTitle)
	m.Description = first(metas["og:description"], metas["description"], metas["twitter:description"], art.description)
	m.Site = first(metas["og:site_name"], art.publisher, metas["application-name"], metas["al:android:app_name"])
	if m.Site == "" && base != nil {
		m.Site = strings.TrimPrefix(base.Hostname(), "www.")
	}
	m.Title = stripSiteSuffix(m.Title, m.Site, base)
	m.Canonical = resolve(base, first(r.canonical, metas["og:url"], art.url))
	m.Lang = normLang(first(r.htmlLang, art.lang, metas["og:locale"], metas["content-language"], metas["dc.language"], metas["language"]))
	m.setAuthors(r, art)
	m.setPublished(r, art)

	set := func(k string, vals ...string) {
		if v := first(vals...); v != "" {
			m.Extra[k] = v
		}
	}
	set("keywords", art.keywords, metas["keywords"], metas["news_keywords"], metas["article:tag"])
	set("section", art.section, metas["article:section"])
	set("image", resolve(base, first(metas["og:image"], metas["twitter:image"])))
	set("modified", art.modified, metas["article:modified_time"], metas["og:updated_time"], metas["datemodified"])
	set("type", metas["og:type"])
	return m
}

// rawMeta is what scanMeta finds in a page, before the fields are chosen.
type rawMeta struct {
	metas                             map[string]string // lower-case name/property -> first content
	htmlLang, docTitle, canonical, h1 string
	timeDate, bylineNode, bylineDate  string
	ld                                []jsonLDArticle
}

// scanMeta walks the page once, collecting every source of metadata: <meta>
// tags, the <title>, the canonical link, JSON-LD, the first <h1>, <time>
// and byline element.
func scanMeta(doc *html.Node) rawMeta {
	r := rawMeta{metas: map[string]string{}}
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.Data {
		case "html":
			r.htmlLang = attr(n, "lang")
			if r.htmlLang == "" {
				r.htmlLang = attr(n, "xml:lang")
			}
		case "title":
			if r.docTitle == "" {
				r.docTitle = collapse(textOf(n))
			}
			return false
		case "meta":
			r.addMeta(n)
		case "link":
			if r.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				r.canonical = attr(n, "href")
			}
		case "script":
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") {
				r.ld = append(r.ld, parseJSONLD(textOf(n))...)
			}
			return false
		case "style", "noscript", "template":
			return false
		case "h1":
			if r.h1 == "" {
				r.h1 = collapse(textOf(n))
			}
		case "time":
			if r.timeDate == "" {
				r.timeDate = attr(n, "datetime")
				if r.timeDate == "" {
					r.timeDate = collapse(textOf(n))
				}
			}
		default:
			r.addByline(n)
		}
		return true
	})
	return r
}

// addMeta records a <meta> tag's content under its property, name,
// itemprop or http-equiv content-language, the first one of each.
func (r *rawMeta) addMeta(n *html.Node) {
	key := strings.ToLower(strings.TrimSpace(attr(n, "property")))
	if key == "" {
		key = strings.ToLower(strings.TrimSpace(attr(n, "name")))
	}
	if key == "" {
		key = strings.ToLower(strings.TrimSpace(attr(n, "itemprop")))
	}
	if key == "" {
		if he := strings.ToLower(attr(n, "http-equiv")); he == "content-language" {
			key = he
		}
	}
	if v := collapse(attr(n, "content")); key != "" && v != "" {
		if _, seen := r.metas[key]; !seen {
			r.metas[key] = v
		}
	}
}

// addByline records the first byline element's text: as the byline when
// it is name-sized, and as a place to look for a date.
func (r *rawMeta) addByline(n *html.Node) {
	if r.bylineNode != "" || !isBylineElement(n) {
		return
	}
	raw := renderedText(n)
	if r.bylineDate == "" {
		r.bylineDate = raw
	}
	if t := cleanByline(raw); len(t) > 2 && len(t) < 100 {
		r.bylineNode = t
	}
}

// article is the page's JSON-LD article object: the first of an article
// type, else the first object of a known type.
func (r rawMeta) article() jsonLDArticle {
	for _, a := range r.ld {
		if a.isArticle {
			return a
		}
	}
	if len(r.ld) > 0 {
		return r.ld[0]
	}
	return jsonLDArticle{}
}

// first returns the first of vals that is not empty, white space collapsed.
func first(vals ...string) string {
	for _, v := range vals {
		if v = collapse(v); v != "" {
			return v
		}
	}
	return ""
}

// setAuthors sets the byline (the byline element, else JSON-LD authors,
// else the author meta tags) and the list of author names.
func (m *pageMeta) setAuthors(r rawMeta, art jsonLDArticle) {
	metas := r.metas
	m.Authors = art.authors
	metaAuthor := first(metas["author"], metas["article:author"], metas["dc.creator"], metas["parsely-author"], metas["sailthru.author"], metas["byl"])
	if strings.HasPrefix(metaAuthor, "http") {
		metaAuthor = ""
	}
	switch {
	case r.bylineNode != "":
		m.Byline = r.bylineNode
	case len(art.authors) > 0:
		m.Byline = strings.Join(art.authors, ", ")
	default:
		m.Byline = metaAuthor
	}
	if metaAuthor != "" {
		m.Authors = append(m.Authors, metaAuthor)
	}
}

// setPublished sets the publication time from the first date source that
// parses, else from a date written in the byline.
func (m *pageMeta) setPublished(r rawMeta, art jsonLDArticle) {
	metas := r.metas
	for _, v := range []string{art.published, metas["article:published_time"], metas["og:published_time"],
		metas["datepublished"], metas["publish-date"], metas["publishdate"], metas["pubdate"], metas["date"],
		metas["dc.date"], metas["dc.date.issued"], metas["dcterms.created"], metas["sailthru.date"],
		metas["parsely-pub-date"], metas["article.published"], r.timeDate} {
		if t, ok := parseDate(v); ok {
			m.Published = t
			return
		}
	}
	m.Published, _ = dateInText(r.bylineDate)
}

// isBylineElement reports elements that hold the author line.
func isBylineElement(n *html.Node) bool {
	if hasToken(attr(n, "rel"), "author") || strings.Contains(strings.ToLower(attr(n, "itemprop")), "author") {
		return true
	}
	for _, tok := range nameTokens(n) {
		if tok == "byline" || tok == "bylines" {
			return true
		}
	}
	return false
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 80 {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, validYear(t)
		}
	}
	t, err := dateparse.ParseAny(s)
	if err != nil {
		return time.Time{}, false
	}
	return t, validYear(t)
}

func validYear(t time.Time) bool { return t.Year() >= 1990 && t.Year() <= 2200 }

// parseJSONLD returns the article-like objects of one JSON-LD script.
func parseJSONLD(src string) []jsonLDArticle {
	src = strings.TrimSpace(src)
	src = strings.TrimPrefix(src, "<![CDATA[")
	src = strings.TrimSuffix(src, "]]>")
	if len(src) > 1<<20 {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return nil
	}
	var out []jsonLDArticle
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if depth > 6 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e, depth+1)
			}
		case map[string]any:
			if g, ok := x["@graph"]; ok {
				visit(g, depth+1)
			}
			types := ldStrings(x["@type"])
			isArt, known := false, false
			for _, t := range types {
				if a, ok := articleTypes[strings.ToLower(t)]; ok {
					known = true
					isArt = isArt || a
				}
			}
			if !known {
				return
			}
			a := jsonLDArticle{isArticle: isArt}
			a.headline = ldString(x["headline"])
			if a.headline == "" && isArt {
				a.headline = ldString(x["name"])
			}
			a.description = ldString(x["description"])
			a.published = ldString(x["datePublished"])
			if a.published == "" {
				a.published = ldString(x["dateCreated"])
			}
			a.modified = ldString(x["dateModified"])
			a.lang = ldString(x["inLanguage"])
			a.url = ldString(x["url"])
			if me, ok := x["mainEntityOfPage"]; ok && a.url == "" {
				if s := ldString(me); s != "" {
					a.url = s
				} else if mm, ok := me.(map[string]any); ok {
					a.url = ldString(mm["@id"])
				}
			}
			a.section = strings.Join(ldStrings(x["articleSection"]), ", ")
			a.keywords = strings.Join(ldStrings(x["keywords"]), ", ")
			a.publisher = ldName(x["publisher"])
			a.authors = ldNames(x["author"])
			if len(a.authors) == 0 {
				a.authors = ldNames(x["creator"])
			}
			out = append(out, a)
		}
	}
	visit(v, 0)
	return out
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return collapse(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		if s, ok := x["@value"].(string); ok {
			return collapse(s)
		}
	}
	return ""
}

func ldStrings(v any) []string {
	switch x := v.(type) {
	case string:
		if s := collapse(x); s != "" {
			return []string{s}
		}
	case []any:
		var out []string
		for _, e := range x {
			if s := ldString(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func ldName(v any) string {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "http") {
			return ""
		}
		return collapse(x)
	case map[string]any:
		return ldString(x["name"])
	case []any:
		if len(x) > 0 {
			return ldName(x[0])
		}
	}
	return ""
}

func ldNames(v any) []string {
	if arr, ok := v.([]any); ok {
		var out []string
		for _, e := range arr {
			if s := ldName(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	if s := ldName(v); s != "" {
		return []string{s}
	}
	return nil
}

// normLang reduces a language tag or locale ("en_US", "en-gb") to its primary
// subtag ("en").
func normLang(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_ ,;"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}

// cleanDocTitle drops a " | Site" or " - Site" suffix from a <title>.
func cleanDocTitle(t string) string {
	for _, sep := range []string{" | ", " – ", " — ", " - ", " :: ", " « ", " » "} {
		if i := strings.LastIndex(t, sep); i > 0 && len(t[:i]) >= 15 {
			return strings.TrimSpace(t[:i])
		}
	}
	return t
}

func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

func uniq(vals ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		k := normText(v)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// renderedText is the text of n as a browser shows it, lines joined by spaces.
func renderedText(n *html.Node) string {
	var parts []string
	for _, b := range renderBlocks(n) {
		parts = append(parts, b.text)
	}
	return collapse(strings.Join(parts, " "))
}

var (
	rxBylineTail  = regexp.MustCompile(`(?i)\s*(\||·|•|—|–|-)?\s*\b(published|updated|posted|last updated|modified)\b.*$`)
	rxBylineLabel = regexp.MustCompile(`(?i)^\W*(by|written by|author)\s*:\s*`)
	rxTextDate    = regexp.MustCompile(`(?i)\b((?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})`)
)

// cleanByline trims what travels with an author line: a leading separator,
// a "By:" label, and a trailing publication date.
func cleanByline(s string) string {
	s = rxBylineTail.ReplaceAllString(s, "")
	if loc := rxTextDate.FindStringIndex(s); loc != nil && loc[0] > 0 {
		s = s[:loc[0]]
	}
	s = strings.Trim(s, " |·•—–-,;:")
	if m := rxBylineLabel.FindString(s); m != "" {
		s = "By " + s[len(m):]
	}
	return collapse(s)
}

// dateInText finds a written date ("Nov 19, 2019", "19 November 2019",
// "2019-11-19", "27/09/2018") in s.
func dateInText(s string) (time.Time, bool) {
	m := rxTextDate.FindString(s)
	if m == "" {
		return time.Time{}, false
	}
	return parseDate(strings.ReplaceAll(m, ".", " "))
}

// stripSiteSuffix drops " | Site" or " - Site" from a title when the suffix
// is the site's name or host.
func stripSiteSuffix(title, site string, base *url.URL) string {
	names := []string{normText(site)}
	if base != nil {
		host := strings.TrimPrefix(base.Hostname(), "www.")
		names = append(names, normText(host), normText(strings.Split(host, ".")[0]))
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: ", " · "} {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		tail := normText(title[i+len(sep):])
		for _, n := range names {
			if n != "" && (tail == n || strings.Contains(tail, n) || strings.Contains(n, tail)) && words(title[:i]) >= 2 {
				return strings.TrimSpace(title[:i])
			}
		}
	}
	return title
}
