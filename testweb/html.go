package testweb

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// article is what a page template needs.
type article struct {
	pi                  int32
	title, byline       string
	paras               []string
	published, modified time.Time
	url, canonical      string
	lang, section       string
	related             []int32
	amp                 bool // render the AMP version
}

var esc = html.EscapeString

func (w *Web) section(pi int32) string {
	p := &w.pages[pi]
	st := &w.stories[p.story]
	if st.lang != "en" {
		return st.lang
	}
	return sections[hashParts(w.opts.Seed, uint64(p.story))%uint64(len(sections))]
}

// relatedPages picks up to three older pages of the same outlet: the "You
// might also like" links (salt 0) or "Most read" (salt 1). Only older pages,
// so that a page's HTML does not change when the clock moves on.
func (w *Web) relatedPages(pi int32, salt uint64) []int32 {
	p := &w.pages[pi]
	rs := w.recent[p.outlet][p.pos+1:]
	if len(rs) == 0 {
		return nil
	}
	h := hashParts(w.opts.Seed, saltLayout, uint64(pi), salt)
	var out []int32
	for k := 0; len(out) < 3 && k < 6; k++ {
		q := rs[(h+uint64(k)*7919)%uint64(min(len(rs), 60))]
		if !w.pages[q].disallowed && !containsInt32(out, q) {
			out = append(out, q)
		}
	}
	return out
}

func containsInt32(s []int32, x int32) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func (w *Web) pageURL(pi int32) string {
	p := &w.pages[pi]
	return w.outlets[p.outlet].base + p.path
}

func (w *Web) pageTitle(pi int32) string { return w.pages[pi].title }

// headHTML writes <head>: charset, title, description, canonical,
// OpenGraph, JSON-LD, feed autodiscovery.
func (w *Web) headHTML(b *strings.Builder, o *outletSpec, title, desc, canonical string, a *article) {
	b.WriteString("<head>\n")
	switch {
	case o.decl == "header":
	case o.charset == "utf-8":
		b.WriteString(`<meta charset="utf-8">` + "\n")
	default:
		fmt.Fprintf(b, `<meta http-equiv="Content-Type" content="text/html; charset=%s">`+"\n", o.charset)
	}
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1">` + "\n")
	fmt.Fprintf(b, "<title>%s</title>\n", esc(title))
	if desc != "" {
		fmt.Fprintf(b, `<meta name="description" content="%s">`+"\n", esc(desc))
	}
	if canonical != "" {
		fmt.Fprintf(b, `<link rel="canonical" href="%s">`+"\n", esc(canonical))
	}
	for _, f := range o.feeds {
		typ := map[string]string{"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}[f.format]
		fmt.Fprintf(b, `<link rel="alternate" type="%s" title="%s" href="%s">`+"\n", typ, esc(o.name), esc(o.base+f.path))
	}
	fmt.Fprintf(b, `<meta property="og:site_name" content="%s">`+"\n", esc(o.name))
	fmt.Fprintf(b, `<style>body{font-family:Georgia,serif;margin:0}header,footer{background:%s;color:#fff;padding:8px}main{max-width:720px;margin:auto}</style>`+"\n", o.color)
	if a != nil {
		if o.amp && !a.amp && !w.pages[a.pi].disallowed {
			fmt.Fprintf(b, `<link rel="amphtml" href="%s">`+"\n", esc(o.base+"/amp"+w.pages[a.pi].path))
		}
		fmt.Fprintf(b, `<meta property="og:type" content="article">`+"\n")
		fmt.Fprintf(b, `<meta property="og:title" content="%s">`+"\n", esc(a.title))
		fmt.Fprintf(b, `<meta property="og:url" content="%s">`+"\n", esc(a.canonical))
		fmt.Fprintf(b, `<meta property="og:description" content="%s">`+"\n", esc(desc))
		fmt.Fprintf(b, `<meta property="og:image" content="%s/img/%d.jpg">`+"\n", o.base, w.pages[a.pi].num)
		fmt.Fprintf(b, `<meta property="article:published_time" content="%s">`+"\n", a.published.Format(time.RFC3339))
		fmt.Fprintf(b, `<meta property="article:section" content="%s">`+"\n", a.section)
		fmt.Fprintf(b, `<meta name="author" content="%s">`+"\n", esc(strings.TrimPrefix(a.byline, "By ")))
		ld := map[string]any{
			"@context":         "https://schema.org",
			"@type":            "NewsArticle",
			"headline":         a.title,
			"datePublished":    a.published.Format(time.RFC3339),
			"dateModified":     a.modified.Format(time.RFC3339),
			"author":           []map[string]string{{"@type": "Person", "name": strings.TrimPrefix(a.byline, "By ")}},
			"publisher":        map[string]any{"@type": "Organization", "name": o.name, "logo": map[string]string{"@type": "ImageObject", "url": o.base + "/logo.png"}},
			"mainEntityOfPage": map[string]string{"@type": "WebPage", "@id": a.canonical},
			"inLanguage":       a.lang,
			"articleSection":   a.section,
			"description":      desc,
			"image":            []string{fmt.Sprintf("%s/img/%d.jpg", o.base, w.pages[a.pi].num)},
		}
		js, _ := json.Marshal(ld)
		fmt.Fprintf(b, "<script type=\"application/ld+json\">%s</script>\n", js)
	}
	b.WriteString(`<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>` + "\n")
	b.WriteString("</head>\n")
}

func (w *Web) navHTML(b *strings.Builder, o *outletSpec) {
	fmt.Fprintf(b, `<div id="cookie-consent" class="cookie-banner" role="dialog"><p>We use cookies and similar technologies to personalise content and ads and to analyse our traffic.</p><button class="accept">Accept all</button><button class="reject">Reject</button><a href="/privacy">Manage preferences</a></div>`+"\n")
	fmt.Fprintf(b, `<header class="site-header"><a class="logo" href="/">%s</a><nav class="main-nav"><ul>`, esc(o.name))
	b.WriteString(`<li><a href="/">Home</a></li>`)
	for _, s := range sections[:6] {
		fmt.Fprintf(b, `<li><a href="/section/%s/">%s</a></li>`, s, strings.ToUpper(s[:1])+s[1:])
	}
	b.WriteString(`<li><a href="/archive/1">Archive</a></li></ul></nav><form class="search" action="/search"><input name="q" placeholder="Search"><button>Search</button></form></header>` + "\n")
}

func (w *Web) footerHTML(b *strings.Builder, o *outletSpec) {
	fmt.Fprintf(b, `<aside class="newsletter"><h3>Get the %s morning briefing</h3><p>The day's top stories, delivered to your inbox every weekday.</p><form><input type="email" placeholder="Your email address"><button>Sign up</button></form><p class="small">You can unsubscribe at any time. By signing up you agree to our privacy policy.</p></aside>`+"\n", esc(strings.TrimPrefix(o.name, "The ")))
	fmt.Fprintf(b, `<footer class="site-footer"><p>© 2026 %s. All rights reserved.</p><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul></footer>`+"\n", esc(o.name))
}

var agencies = []string{"AFP", "Reuters", "EPA", "Getty Images", "AP Photo"}
var photographers = []string{"KIRILL KUDRYAVTSEV", "LUDOVIC MARIN", "MANDEL NGAN", "JOHN MACDOUGALL", "ANDREW CABALLERO-REYNOLDS", "SAUL LOEB", "TOBIAS SCHWARZ", "BEHROUZ MEHRI"}

func (w *Web) credit(pi int32) string {
	h := hashParts(w.opts.Seed, saltLayout, uint64(pi), 1)
	return fmt.Sprintf("Copyright %s/%s or licensors", photographers[h%uint64(len(photographers))], agencies[(h>>8)%uint64(len(agencies))])
}

func (w *Web) shareHTML(b *strings.Builder, variant int) {
	if variant == 0 {
		b.WriteString(`<div class="share-bar"><span class="share-label">Share this article</span><button class="comments-link">Comments</button></div>` + "\n")
	} else {
		b.WriteString(`<div class="share-bar"><span class="share-label">Share this article</span><button class="close">Close Button</button><a class="s-fb" href="#">Facebook</a><a class="s-tw" href="#">Twitter</a><a class="s-mail" href="#">Email</a></div>` + "\n")
	}
}

func (w *Web) relatedHTML(b *strings.Builder, a *article, heading string) {
	if len(a.related) == 0 {
		return
	}
	fmt.Fprintf(b, `<section class="related"><h2>%s</h2><ul>`, heading)
	for _, q := range a.related {
		fmt.Fprintf(b, `<li><a href="%s">%s</a></li>`, esc(w.pageURL(q)), esc(w.pageTitle(q)))
	}
	b.WriteString("</ul></section>\n")
}

// articleHTML renders an article page in the outlet's template.
func (w *Web) articleHTML(pi int32, amp bool) string {
	p := &w.pages[pi]
	o := w.outlets[p.outlet]
	title, byline, paras, _ := w.render(pi)
	a := &article{pi: pi, title: title, byline: byline, paras: paras, published: p.published, modified: p.published,
		url: o.base + p.path, canonical: o.base + p.path, lang: w.stories[p.story].lang, section: w.section(pi),
		related: w.relatedPages(pi, 0), amp: amp}
	desc := ""
	if len(paras) > 0 {
		desc = firstSentence(paras[0])
	}
	var b strings.Builder
	b.Grow(16 << 10)
	b.WriteString("<!DOCTYPE html>\n")
	if amp {
		fmt.Fprintf(&b, "<html amp lang=\"%s\">\n", a.lang)
	} else {
		fmt.Fprintf(&b, "<html lang=\"%s\">\n", a.lang)
	}
	w.headHTML(&b, o, title+" | "+o.name, desc, a.canonical, a)
	b.WriteString("<body>\n")
	w.navHTML(&b, o)
	h := hashParts(w.opts.Seed, saltLayout, uint64(pi), 2)
	date := p.published.Format("Jan 2, 2006 3:04 PM") + " UTC"
	tmpl := o.template
	if amp {
		tmpl = 0
	}
	switch tmpl {
	case 0: // classic: <article>, figure before the byline, seed-article widgets
		w.classicHTML(&b, a, o, date, h)
	case 1: // div soup: nested wrappers, inline "Read more" links, ads between paragraphs, comments
		w.divSoupHTML(&b, a, o, date, h)
	case 2: // legacy: table layout, paragraphs separated by <br><br>
		w.legacyHTML(&b, a, o, date, h)
	default: // modern: <main>, text blocks, a video embed and a comment prompt after the body
		w.modernHTML(&b, a, o, date, h)
	}
	w.footerHTML(&b, o)
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// classicHTML writes the body of article a in the classic template:
// <article>, figure before the byline, seed-article widgets.
func (w *Web) classicHTML(b *strings.Builder, a *article, o *outletSpec, date string, h uint64) {
	p, title, byline, paras, pi := &w.pages[a.pi], a.title, a.byline, a.paras, a.pi
	b.WriteString("<main id=\"content\"><article class=\"story\">\n")
	fmt.Fprintf(b, "<h1 class=\"headline\">%s</h1>\n", esc(title))
	fmt.Fprintf(b, `<figure class="lead-image"><img src="/img/%d.jpg" alt="%s"><figcaption><span class="credit">%s</span></figcaption></figure>`+"\n", p.num, esc(title), w.credit(pi))
	fmt.Fprintf(b, `<div class="meta"><span class="byline">%s</span> <time datetime="%s">%s</time></div>`+"\n", esc(byline), p.published.Format(time.RFC3339), date)
	w.shareHTML(b, 0)
	w.shareHTML(b, 1)
	b.WriteString(`<div class="video-embed"><span>Copy/paste the article video embed link below:</span><button>Copy to clipboard</button><span class="copied">Copied</span></div>` + "\n")
	b.WriteString("<div class=\"article-body\">\n")
	for i, s := range paras {
		fmt.Fprintf(b, "<p>%s</p>\n", esc(s))
		if i == 2 && len(paras) > 5 {
			b.WriteString(`<div class="ad-slot" data-ad="inarticle-1"><span class="ad-label">Advertisement</span></div>` + "\n")
		}
	}
	b.WriteString("</div>\n")
	w.shareHTML(b, 0)
	w.relatedHTML(b, a, "You might also like")
	b.WriteString("</article></main>\n")
}

// divSoupHTML writes the body of article a in the div soup template:
// nested wrappers, inline "Read more" links, ads between paragraphs, comments.
func (w *Web) divSoupHTML(b *strings.Builder, a *article, o *outletSpec, date string, h uint64) {
	p, title, byline, paras, pi := &w.pages[a.pi], a.title, a.byline, a.paras, a.pi
	b.WriteString("<div class=\"page-wrap\"><div class=\"container\"><div class=\"col-main\">\n")
	fmt.Fprintf(b, `<div class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/section/%s/">%s</a></div>`+"\n", a.section, esc(a.section))
	fmt.Fprintf(b, "<h1>%s</h1>\n", esc(title))
	fmt.Fprintf(b, `<div class="author-info"><div class="author-name">%s</div><div class="pub-date">Published %s</div></div>`+"\n", esc(byline), date)
	b.WriteString(`<div class="social"><a href="#">Facebook</a><a href="#">Twitter</a><a href="#">WhatsApp</a><a href="#">Copy link</a></div>` + "\n")
	b.WriteString("<div class=\"story-content\"><div class=\"story-text\">\n")
	for i, s := range paras {
		fmt.Fprintf(b, "<p>%s</p>\n", esc(s))
		if i == 1 && len(a.related) > 0 {
			fmt.Fprintf(b, `<p class="read-more"><strong>READ MORE:</strong> <a href="%s">%s</a></p>`+"\n", esc(w.pageURL(a.related[0])), esc(w.pageTitle(a.related[0])))
		}
		if i%4 == 3 && i+1 < len(paras) {
			fmt.Fprintf(b, `<div class="inline-ad"><span>ADVERTISEMENT</span><div id="ad-slot-%d"></div></div>`+"\n", i)
		}
		if i == len(paras)/2 && h%2 == 0 {
			fmt.Fprintf(b, `<figure class="inline-photo"><img src="/img/%d-2.jpg"><figcaption>%s</figcaption></figure>`+"\n", p.num, w.credit(pi^0x55))
		}
	}
	b.WriteString("</div></div>\n")
	fmt.Fprintf(b, `<div class="tags"><span>Tags:</span> <a href="/tag/%s">%s</a> <a href="/tag/news">news</a></div>`+"\n", a.section, a.section)
	b.WriteString(`<div class="comments"><button class="show-comments">Show comments</button><p>Join the conversation. Comments are open for 48 hours and moderated.</p></div>` + "\n")
	w.relatedHTML(b, a, "More from "+esc(o.name))
	b.WriteString("</div><div class=\"col-side\"><div class=\"most-read\"><h3>Most read</h3><ol>")
	for _, q := range w.relatedPages(pi, 1) {
		fmt.Fprintf(b, `<li><a href="%s">%s</a></li>`, esc(w.pageURL(q)), esc(w.pageTitle(q)))
	}
	b.WriteString("</ol></div></div></div></div>\n")
}

// legacyHTML writes the body of article a in the legacy template:
// table layout, paragraphs separated by <br><br>.
func (w *Web) legacyHTML(b *strings.Builder, a *article, o *outletSpec, date string, h uint64) {
	p, title, byline, paras, pi := &w.pages[a.pi], a.title, a.byline, a.paras, a.pi
	b.WriteString("<table class=\"layout\" width=\"100%\"><tr><td class=\"leftnav\" valign=\"top\"><a href=\"/\">Front page</a><br><a href=\"/archive/1\">Archive</a></td><td class=\"content\" valign=\"top\">\n")
	fmt.Fprintf(b, "<font size=\"5\"><b class=\"title\">%s</b></font><br>\n", esc(title))
	fmt.Fprintf(b, "<i class=\"byline\">%s</i> &middot; <span class=\"date\">%s</span><br><br>\n", esc(byline), date)
	fmt.Fprintf(b, `<table class="photo" align="right"><tr><td><img src="/img/%d.jpg" width="300"></td></tr><tr><td class="caption"><small>%s</small></td></tr></table>`+"\n", p.num, w.credit(pi))
	b.WriteString("<div id=\"articleText\">\n")
	for i, s := range paras {
		if i > 0 {
			b.WriteString("<br><br>\n")
		}
		b.WriteString(esc(s))
	}
	b.WriteString("\n</div>\n<br><br><div class=\"printbar\"><a href=\"#\">Print this story</a> | <a href=\"#\">Email this story</a></div>\n")
	w.relatedHTML(b, a, "Related stories")
	b.WriteString("</td><td class=\"rightcol\" valign=\"top\"><div class=\"banner-ad\">Advertisement</div></td></tr></table>\n")
}

// modernHTML writes the body of article a in the modern template:
// <main>, text blocks, a video embed and a comment prompt after the body.
func (w *Web) modernHTML(b *strings.Builder, a *article, o *outletSpec, date string, h uint64) {
	p, title, byline, paras, pi := &w.pages[a.pi], a.title, a.byline, a.paras, a.pi
	b.WriteString("<main><article data-component=\"article\">\n")
	fmt.Fprintf(b, `<header class="article-header"><span class="kicker">%s</span><h1 data-testid="headline">%s</h1><p class="byline-block"><span class="by">%s</span><time datetime="%s">%s</time></p></header>`+"\n",
		esc(strings.ToUpper(a.section)), esc(title), esc(byline), p.published.Format(time.RFC3339), date)
	fmt.Fprintf(b, `<figure><div class="img-wrap"><img src="/img/%d.jpg" loading="lazy"></div><figcaption><span class="caption-credit">%s</span></figcaption></figure>`+"\n", p.num, w.credit(pi))
	b.WriteString("<div class=\"article-body\">\n")
	for i, s := range paras {
		fmt.Fprintf(b, "<div data-component=\"text-block\"><p>%s</p></div>\n", esc(s))
		if i == 3 && len(paras) > 6 {
			b.WriteString(`<aside class="promo"><div class="ad-container"><p class="ad-label">Sponsored content</p></div></aside>` + "\n")
		}
	}
	b.WriteString("</div>\n")
	b.WriteString(`<div class="video-embed"><span>Copy/paste the article video embed link below:</span><button>Copy to clipboard</button><span class="copied">Copied</span></div>` + "\n")
	b.WriteString(`<div class="comment-prompt"><h3>Have your say</h3><p>Log in or create an account to comment on this story.</p><button>Comment</button></div>` + "\n")
	w.relatedHTML(b, a, "You might also like")
	b.WriteString("</article></main>\n")
}

// listHTML renders a home, section or archive page listing articles.
func (w *Web) listHTML(oi int, heading string, items []int32, prev, next string, traps []trapSpec) string {
	o := w.outlets[oi]
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n")
	lang := "en"
	if o.lang != "en" {
		lang = "en"
	}
	fmt.Fprintf(&b, "<html lang=\"%s\">\n", lang)
	w.headHTML(&b, o, heading+" | "+o.name, o.name+": news, analysis and opinion.", "", nil)
	b.WriteString("<body>\n")
	w.navHTML(&b, o)
	fmt.Fprintf(&b, "<main><h1>%s</h1>\n<ul class=\"story-list\">\n", esc(heading))
	for _, q := range items {
		t, _, paras, _ := w.render(q)
		teaser := ""
		if len(paras) > 0 {
			teaser = firstSentence(paras[0])
		}
		fmt.Fprintf(&b, `<li><a href="%s">%s</a><p class="teaser">%s</p><time datetime="%s"></time></li>`+"\n",
			esc(w.pages[q].path), esc(t), esc(teaser), w.pages[q].published.Format(time.RFC3339))
	}
	for _, t := range traps {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`+"\n", esc(t.path), esc(t.anchor))
	}
	b.WriteString("</ul>\n<div class=\"pager\">")
	if prev != "" {
		fmt.Fprintf(&b, `<a rel="prev" href="%s">Newer</a> `, prev)
	}
	if next != "" {
		fmt.Fprintf(&b, `<a rel="next" href="%s">Older</a>`, next)
	}
	b.WriteString("</div></main>\n")
	w.footerHTML(&b, o)
	b.WriteString("</body>\n</html>\n")
	return b.String()
}
