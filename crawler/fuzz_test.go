package crawler

import (
	"strings"
	"testing"
)

// checkNormalised fails if u is not a fixed point of NormalizeURL.
func checkNormalised(t *testing.T, u string) {
	t.Helper()
	n, err := NormalizeURL(u)
	if err != nil || n != u {
		t.Fatalf("entry URL %q is not normalised: %q, %v", u, n, err)
	}
}

func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><item><title>t</title><link>/a?utm_source=x</link><pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate></item></channel></rss>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://x.example/b"/><author><name>A</name></author></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"url":"https://x.example/c","title":"C"}]}`))
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item><link>https://x.example/d</link></item></rdf:RDF>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><rss><channel><item><link>https://x.example/\xe9</link></item></channel></rss>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseFeed(data, "https://base.example/feed.xml")
		if err != nil {
			return
		}
		for _, e := range entries {
			checkNormalised(t, e.URL)
			if e.Item == nil {
				t.Fatal("feed entry without item")
			}
		}
	})
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/a</loc><lastmod>2026-01-01</lastmod></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>/s.xml.gz</loc></sitemap></sitemapindex>`))
	f.Add([]byte(`<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>/n</loc><news:news><news:title>T</news:title><news:publication_date>2026-11-20T10:00:00Z</news:publication_date></news:news></url></urlset>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseSitemap(data, "https://base.example/sitemap.xml")
		if err != nil {
			return
		}
		if len(entries) > maxEntries {
			t.Fatalf("%d entries", len(entries))
		}
		for _, e := range entries {
			checkNormalised(t, e.URL)
		}
	})
}

func FuzzReadSeeds(f *testing.F) {
	f.Add([]byte("# c\nhttps://a.example/feed\n\nhttp://B.example:80/x#y # z\n"))
	f.Add([]byte(`<opml version="2.0"><body><outline xmlUrl="https://c.example/rss" htmlUrl="https://c.example/"/></body></opml>`))
	f.Add([]byte("\ufeffhttps://d.example/\r\nhttps://e.example/?utm_source=1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		urls, err := parseSeeds(data)
		if err != nil {
			return
		}
		for _, u := range urls {
			checkNormalised(t, u)
		}
	})
}

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"HTTP://Example.COM:80/a/./b/../c?b=2&a=1&utm_x=3#f", "https://[::1]:443/", "http://x/%2e%2e/a", "https://x.example/a?=&&b", "http://x:0/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeURL(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(n, "http://") && !strings.HasPrefix(n, "https://") {
			t.Fatalf("NormalizeURL(%q) = %q", s, n)
		}
		checkNormalised(t, n)
	})
}

func FuzzScanHTML(f *testing.F) {
	f.Add([]byte(`<html amp><head><link rel=canonical href=/x><link rel=alternate type=application/rss+xml href=feed></head></html>`))
	f.Add([]byte(`<base href="//cdn.example/"><link rel="alternate canonical" type="application/atom+xml" href="a">`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pi := scanHTML(data, "https://base.example/dir/page")
		if pi.Canonical != "" {
			checkNormalised(t, pi.Canonical)
		}
		for _, u := range pi.Feeds {
			checkNormalised(t, u)
		}
		_ = sniff("text/html", data)
	})
}
