package testweb

import (
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
)

const (
	feedItems    = 50  // items per feed
	sitemapChunk = 200 // URLs per child sitemap
	homeItems    = 30
	archiveItems = 50
)

var xesc = html.EscapeString

// feedLink is the URL a feed item links to: the article, its redirect link,
// or the article with tracking parameters.
func (w *Web) feedLink(f feedSpec, pi int32) string {
	p := &w.pages[pi]
	o := w.outlets[p.outlet]
	switch {
	case f.proxy:
		return o.base + "/go/" + strconv.Itoa(int(p.num))
	case f.tracking:
		return o.base + p.path + "?utm_source=rss&utm_medium=feed&utm_campaign=" + o.slug
	}
	return o.base + p.path
}

func (w *Web) feedPages(oi int) []int32 {
	rs := w.visibleRecent(oi)
	if len(rs) > feedItems {
		rs = rs[:feedItems]
	}
	return rs
}

func (w *Web) lastModified(oi int) time.Time {
	if rs := w.visibleRecent(oi); len(rs) > 0 {
		return w.pages[rs[0]].published
	}
	return w.Clock()
}

func paraHTML(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		b.WriteString("<p>" + xesc(p) + "</p>")
	}
	return b.String()
}

func (w *Web) rss(oi int, f feedSpec) []byte {
	o := w.outlets[oi]
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">` + "\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>Latest news from %s</description>\n<language>en</language>\n", xesc(o.name), o.base, xesc(o.name))
	fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n<atom:link href=\"%s\" rel=\"self\" type=\"application/rss+xml\"/>\n", w.lastModified(oi).Format(time.RFC1123Z), o.base+f.path)
	for _, pi := range w.feedPages(oi) {
		p := &w.pages[pi]
		t, by, paras, _ := w.render(pi)
		link := w.feedLink(f, pi)
		b.WriteString("<item>\n")
		fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n<guid isPermaLink=\"false\">%s-%d</guid>\n<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n",
			xesc(t), xesc(link), o.slug, p.num, p.published.Format(time.RFC1123Z), xesc(strings.TrimPrefix(by, "By ")))
		fmt.Fprintf(&b, "<category>%s</category>\n", w.section(pi))
		if len(paras) > 0 {
			fmt.Fprintf(&b, "<description>%s</description>\n", xesc(firstSentence(paras[0])))
		}
		if f.full {
			fmt.Fprintf(&b, "<content:encoded><![CDATA[%s]]></content:encoded>\n", paraHTML(paras))
		}
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}

func (w *Web) atom(oi int, f feedSpec) []byte {
	o := w.outlets[oi]
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">` + "\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<id>%s/</id>\n<updated>%s</updated>\n", xesc(o.name), o.base, w.lastModified(oi).Format(time.RFC3339))
	fmt.Fprintf(&b, "<link rel=\"self\" href=\"%s\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s/\"/>\n", o.base+f.path, o.base)
	for _, pi := range w.feedPages(oi) {
		p := &w.pages[pi]
		t, by, paras, _ := w.render(pi)
		b.WriteString("<entry>\n")
		fmt.Fprintf(&b, "<title>%s</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n<id>tag:%s,2026:%d</id>\n",
			xesc(t), xesc(w.feedLink(f, pi)), o.slug, p.num)
		fmt.Fprintf(&b, "<published>%s</published>\n<updated>%s</updated>\n<author><name>%s</name></author>\n",
			p.published.Format(time.RFC3339), p.published.Format(time.RFC3339), xesc(strings.TrimPrefix(by, "By ")))
		if len(paras) > 0 {
			fmt.Fprintf(&b, "<summary type=\"text\">%s</summary>\n", xesc(firstSentence(paras[0])))
		}
		b.WriteString("</entry>\n")
	}
	b.WriteString("</feed>\n")
	return []byte(b.String())
}

func (w *Web) jsonFeed(oi int, f feedSpec) []byte {
	o := w.outlets[oi]
	type author struct {
		Name string `json:"name"`
	}
	type item struct {
		ID            string   `json:"id"`
		URL           string   `json:"url"`
		Title         string   `json:"title"`
		Summary       string   `json:"summary,omitempty"`
		ContentText   string   `json:"content_text,omitempty"`
		DatePublished string   `json:"date_published"`
		Authors       []author `json:"authors,omitempty"`
		Tags          []string `json:"tags,omitempty"`
	}
	doc := struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Language    string `json:"language"`
		Items       []item `json:"items"`
	}{Version: "https://jsonfeed.org/version/1.1", Title: o.name, HomePageURL: o.base + "/", FeedURL: o.base + f.path, Language: "en", Items: []item{}}
	for _, pi := range w.feedPages(oi) {
		p := &w.pages[pi]
		t, by, paras, _ := w.render(pi)
		it := item{ID: fmt.Sprintf("%s-%d", o.slug, p.num), URL: w.feedLink(f, pi), Title: t,
			DatePublished: p.published.Format(time.RFC3339), Authors: []author{{strings.TrimPrefix(by, "By ")}}, Tags: []string{w.section(pi)}}
		if len(paras) > 0 {
			it.Summary = firstSentence(paras[0])
		}
		doc.Items = append(doc.Items, it)
	}
	js, _ := json.MarshalIndent(doc, "", "  ")
	return append(js, '\n')
}

// sitemapPages are the outlet's pages listed in sitemaps: all but the
// disallowed ones, newest first.
func (w *Web) sitemapPages(oi int) []int32 {
	var out []int32
	for _, pi := range w.visibleRecent(oi) {
		if !w.pages[pi].disallowed {
			out = append(out, pi)
		}
	}
	return out
}

func (w *Web) sitemapChildren(oi int) []string {
	o := w.outlets[oi]
	n := (len(w.sitemapPages(oi)) + sitemapChunk - 1) / sitemapChunk
	var out []string
	for i := 1; i <= max(n, 1); i++ {
		if o.smStyle == 2 {
			out = append(out, fmt.Sprintf("/sitemaps/posts-%d.xml.gz", i))
		} else {
			out = append(out, fmt.Sprintf("/sitemaps/articles-%d.xml", i))
		}
	}
	return out
}

func (w *Web) sitemapIndex(oi int) []byte {
	o := w.outlets[oi]
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, c := range w.sitemapChildren(oi) {
		fmt.Fprintf(&b, "<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap>\n", o.base+c, w.lastModified(oi).Format(time.RFC3339))
	}
	for _, t := range w.traps {
		if t.outlet == oi && t.kind == "sitemap_extra" {
			fmt.Fprintf(&b, "<sitemap><loc>%s</loc></sitemap>\n", o.base+t.path)
		}
	}
	b.WriteString("</sitemapindex>\n")
	return []byte(b.String())
}

// urlset lists pages [lo, hi) of the outlet's sitemap pages.
func (w *Web) urlset(oi int, lo, hi int) []byte {
	o := w.outlets[oi]
	ps := w.sitemapPages(oi)
	hi = min(hi, len(ps))
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := lo; i < hi; i++ {
		p := &w.pages[ps[i]]
		fmt.Fprintf(&b, "<url><loc>%s</loc><lastmod>%s</lastmod><changefreq>never</changefreq></url>\n", xesc(o.base+p.path), p.published.Format(time.RFC3339))
	}
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}

// newsSitemap lists the pages of the last 48 hours, Google News style.
func (w *Web) newsSitemap(oi int) []byte {
	o := w.outlets[oi]
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` + "\n")
	cut := w.Clock().Add(-48 * time.Hour)
	for _, pi := range w.sitemapPages(oi) {
		p := &w.pages[pi]
		if p.published.Before(cut) {
			break
		}
		t := w.pageTitle(pi)
		lang := w.stories[p.story].lang
		fmt.Fprintf(&b, "<url><loc>%s</loc><news:news><news:publication><news:name>%s</news:name><news:language>%s</news:language></news:publication><news:publication_date>%s</news:publication_date><news:title>%s</news:title></news:news></url>\n",
			xesc(o.base+p.path), xesc(o.name), lang, p.published.Format(time.RFC3339), xesc(t))
	}
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}

func (w *Web) robots(oi int) []byte {
	o := w.outlets[oi]
	var b strings.Builder
	fmt.Fprintf(&b, "# robots.txt for %s\nUser-agent: *\nDisallow: /private/\nDisallow: /search\nAllow: /\n", o.name)
	if w.opts.CrawlDelay > 0 && o.crawlDelay {
		fmt.Fprintf(&b, "Crawl-delay: %s\n", strconv.FormatFloat(w.opts.CrawlDelay.Seconds(), 'f', -1, 64))
	}
	b.WriteString("\nUser-agent: SlowBot\nCrawl-delay: 30\nDisallow: /archive/\n\nUser-agent: BadBot\nDisallow: /\n\n")
	for _, s := range o.sitemapRoots() {
		fmt.Fprintf(&b, "Sitemap: %s\n", o.base+s)
	}
	return []byte(b.String())
}
